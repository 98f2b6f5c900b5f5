// GptTextEmbedder: its pooled hidden state, projected on the tied head, must
// equal the mean of the model's own logits over the text's tokens (the head
// is linear); centring and normalisation; bad directories.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "marketlm/apps/recsys/lm_embedder.h"
#include "marketlm/text/byte_level.h"

using namespace marketlm;
using namespace marketlm::recsys;

namespace {
std::string make_model_dir() {
  const std::string dir = (std::filesystem::temp_directory_path() / "marketlm_lm_embedder_test").string();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  GptConfig c;
  c.vocab_size = 256;  // a bytes-only tokenizer (no merges) keeps the test fast
  c.bos_token_id = c.eos_token_id = 255;
  c.n_layer = 2;
  c.n_head = 2;
  c.n_embd = 16;
  c.n_ctx = 64;
  auto m = GptModel::create(c, kernels::KernelContext{});
  EXPECT_TRUE(m.is_ok());
  (*m)->init_weights(7);
  for (size_t i = 0; i < (*m)->num_params(); i += 7) (*m)->params()[i] += 0.05f;  // LayerNorms and biases too
  EXPECT_TRUE((*m)->save_pretrained(dir).is_ok());
  std::vector<std::string> vocab;
  for (int b = 0; b < 256; ++b) vocab.push_back(text::byte_to_symbol(static_cast<uint8_t>(b)));
  auto tok = Tokenizer::from_parts(vocab, {}, {}, PreTokenizerConfig{}, "bytes");
  EXPECT_TRUE(tok.is_ok()) << tok.status().to_string();
  EXPECT_TRUE(tok->save_pretrained(dir).is_ok());
  return dir;
}
}  // namespace

TEST(RecsysLmEmbedder, PooledStateMatchesTheModelsOwnLogits) {
  const std::string dir = make_model_dir();
  auto e = GptTextEmbedder::load(dir, kernels::KernelContext{});
  ASSERT_TRUE(e.is_ok()) << e.status().to_string();
  auto model = GptModel::from_pretrained(dir, kernels::KernelContext{});
  ASSERT_TRUE(model.is_ok());
  auto tok = Tokenizer::from_pretrained(dir);
  ASSERT_TRUE(tok.is_ok());
  const std::string text = "Toy Story (1995) Animation Children's Comedy";
  const auto ids = tok->encode(text);
  const int T = static_cast<int>(ids.size()), V = (*model)->config().vocab_size, C = 16;
  ASSERT_GT(T, 3);
  std::vector<float> logits(static_cast<size_t>(T) * V);
  ASSERT_TRUE((*model)->forward_logits(ids.data(), 1, T, logits.data()).is_ok());
  const auto p = (*e)->pooled(text);
  ASSERT_EQ(p.size(), static_cast<size_t>(C));
  const float* wte = (*model)->params() + (*model)->find_param("wte.weight")->offset;
  for (int v = 0; v < V; v += 7) {
    double want = 0, got = 0;
    for (int t = 0; t < T; ++t) want += logits[static_cast<size_t>(t) * V + v];
    want /= T;
    for (int c = 0; c < C; ++c) got += static_cast<double>(p[static_cast<size_t>(c)]) * wte[static_cast<size_t>(v) * C + c];
    EXPECT_NEAR(got, want, 1e-4 * (1.0 + std::fabs(want))) << v;
  }
  // fit() centres on the corpus mean; embed() is unit length, and two
  // different texts differ.
  std::vector<std::string> texts = {text, "GoldenEye (1995) Action Adventure Thriller", "Heat (1995)"};
  auto emb = embed_items(**e, texts);
  ASSERT_TRUE(emb.is_ok());
  for (int i = 0; i < 3; ++i) {
    double n = 0;
    for (int c = 0; c < C; ++c) n += std::pow(emb->rows[static_cast<size_t>(i) * C + c], 2);
    EXPECT_NEAR(n, 1.0, 1e-5);
  }
  // Centred rows of the three texts: their (unnormalised) sum is zero, so the
  // normalised rows cannot all point the same way.
  double cos01 = 0;
  for (int c = 0; c < C; ++c) cos01 += emb->rows[static_cast<size_t>(c)] * emb->rows[static_cast<size_t>(C + c)];
  EXPECT_LT(cos01, 0.99);
  EXPECT_EQ((*e)->pooled(""), std::vector<float>(static_cast<size_t>(C), 0.0f));
  std::filesystem::remove_all(dir);
}

TEST(RecsysLmEmbedder, MissingDirectoryIsAnError) {
  auto e = GptTextEmbedder::load("/nonexistent/lm-dir", kernels::KernelContext{});
  ASSERT_FALSE(e.is_ok());
  EXPECT_NE(e.status().to_string().find("/nonexistent/lm-dir"), std::string::npos) << e.status().to_string();
}
