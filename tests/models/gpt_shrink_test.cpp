// n_inner (the MLP width) in config.json and the model's shapes, and
// structured neuron pruning that writes a smaller model.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>

#include "marketlm/core/rng.h"
#include "marketlm/models/gpt/gpt_compress.h"

namespace marketlm {
namespace {
using kernels::KernelContext;

std::string out_dir(const std::string& name) {
  std::string d = std::string(MARKETLM_BINARY_DIR) + "/test_out/gpt_shrink/" + name;
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

GptConfig tiny(int n_inner = 0) {
  GptConfig c;
  c.n_layer = 2;
  c.n_head = 4;
  c.n_embd = 32;
  c.n_ctx = 12;
  c.vocab_size = 50;
  c.n_inner = n_inner;
  c.bos_token_id = c.eos_token_id = 0;
  c.set_dropout(0.0f);
  return c;
}

std::unique_ptr<GptModel> random_model(const GptConfig& c, uint64_t seed) {
  auto m = GptModel::create(c, KernelContext{nullptr, kernels::Isa::kScalar});
  EXPECT_TRUE(m.is_ok()) << m.status().to_string();
  (*m)->init_weights(seed);
  Rng rng(seed + 1);
  for (size_t i = 0; i < (*m)->num_params(); ++i) (*m)->params()[i] += static_cast<float>(rng.normal()) * 0.05f;
  return std::move(m).value();
}

const std::vector<int32_t> kTokens = {3, 17, 42, 0, 9, 9, 31, 5, 48, 1};

std::vector<float> full_logits(GptModel& m) {
  std::vector<float> out(kTokens.size() * static_cast<size_t>(m.config().vocab_size));
  EXPECT_TRUE(m.forward_logits(kTokens.data(), 1, static_cast<int>(kTokens.size()), out.data()).is_ok());
  return out;
}

std::vector<float> cached_logits(GptModel& m) {
  GptKvCache cache = m.make_kv_cache(static_cast<int>(kTokens.size()));
  std::vector<float> out(kTokens.size() * static_cast<size_t>(m.config().vocab_size));
  EXPECT_TRUE(m.forward_cached(kTokens.data(), static_cast<int>(kTokens.size()), &cache, out.data(), true).is_ok());
  return out;
}

TEST(GptNInner, ConfigJsonRoundTripsNullAndAWidth) {
  for (int n_inner : {0, 72}) {
    const GptConfig c = tiny(n_inner);
    const std::string text = c.to_json();
    EXPECT_NE(text.find(n_inner ? "\"n_inner\": 72" : "\"n_inner\": null"), std::string::npos) << text;
    auto back = GptConfig::from_json(text, "config.json");
    ASSERT_TRUE(back.is_ok()) << back.status().to_string();
    EXPECT_EQ(back->n_inner, n_inner);
    EXPECT_EQ(back->mlp_hidden(), n_inner ? 72 : 128);
  }
  // Missing means the default too (older files).
  auto old = GptConfig::from_json(R"({"n_layer":1,"n_head":2,"n_embd":8,"n_positions":4,"vocab_size":9,
                                      "bos_token_id":0,"eos_token_id":0})", "old.json");
  ASSERT_TRUE(old.is_ok());
  EXPECT_EQ(old->mlp_hidden(), 32);
}

TEST(GptNInner, BadValuesAreClearErrors) {
  const std::string head = R"({"n_layer":1,"n_head":2,"n_embd":8,"n_positions":4,"vocab_size":9,"n_inner":)";
  for (const char* bad : {"0", "-5", "\"wide\"", "1.5"}) {
    auto r = GptConfig::from_json(head + bad + "}", "cfg.json");
    ASSERT_FALSE(r.is_ok()) << bad;
    EXPECT_NE(r.status().message().find("n_inner"), std::string::npos) << r.status().to_string();
    EXPECT_NE(r.status().message().find("cfg.json"), std::string::npos) << r.status().to_string();
  }
  GptConfig c = tiny(-1);
  EXPECT_NE(c.validate().message().find("n_inner -1"), std::string::npos) << c.validate().to_string();
}

TEST(GptNInner, ShapesFollowNInnerAndCachedForwardMatchesFull) {
  auto m = random_model(tiny(40), 5);
  EXPECT_EQ(m->find_param("h.1.mlp.c_fc.weight")->shape, (std::vector<int64_t>{32, 40}));
  EXPECT_EQ(m->find_param("h.1.mlp.c_fc.bias")->shape, (std::vector<int64_t>{40}));
  EXPECT_EQ(m->find_param("h.1.mlp.c_proj.weight")->shape, (std::vector<int64_t>{40, 32}));
  const auto a = full_logits(*m), b = cached_logits(*m);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-4f) << i;
  // Training works at this width (the loss is finite).
  std::vector<int32_t> targets(kTokens.begin() + 1, kTokens.end());
  targets.push_back(2);
  TokenBatch batch{kTokens.data(), targets.data(), 1, static_cast<int>(kTokens.size())};
  m->zero_grad();
  const LossSum loss = m->forward_backward(batch, 1.0f, nullptr);
  EXPECT_TRUE(std::isfinite(loss.sum));
}

TEST(GptNInner, LoaderChecksShapesAgainstNInner) {
  const std::string dir = out_dir("mismatch");
  auto m = random_model(tiny(), 7);
  ASSERT_TRUE(m->save_pretrained(dir).is_ok());
  auto other = GptModel::create(tiny(96), KernelContext{});
  ASSERT_TRUE(other.is_ok());
  Status s = (*other)->load_safetensors(dir + "/model.safetensors");
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("n_inner 96"), std::string::npos) << s.to_string();
  EXPECT_NE(s.message().find("h.0.mlp.c_fc.weight"), std::string::npos) << s.to_string();
}

TEST(GptShrink, RemovingZeroNeuronsKeepsLogitsExactlyAndShrinksTheFile) {
  auto m = random_model(tiny(), 11);
  const int C = 32, F = 128;
  // Remove 40 neurons per layer (different ones per layer); first make their
  // c_proj rows zero so they add nothing: the smaller model must then give
  // bit-identical logits (scalar path: same sums in the same order, minus
  // exact zeros).
  std::vector<std::vector<int>> removed(2);
  for (int j = 0; j < 40; ++j) {
    removed[0].push_back(3 * j);
    removed[1].push_back(F - 1 - 2 * j);
  }
  std::sort(removed[1].begin(), removed[1].end());
  for (int l = 0; l < 2; ++l) {
    float* proj = m->params() + m->find_param("h." + std::to_string(l) + ".mlp.c_proj.weight")->offset;
    for (int j : removed[l])
      for (int i = 0; i < C; ++i) proj[static_cast<size_t>(j) * C + i] = 0.0f;
  }
  auto small = gpt_remove_neurons(*m, removed);
  ASSERT_TRUE(small.is_ok()) << small.status().to_string();
  GptModel& s = **small;
  EXPECT_EQ(s.config().n_inner, 88);
  EXPECT_EQ(s.find_param("h.0.mlp.c_fc.weight")->shape, (std::vector<int64_t>{32, 88}));
  EXPECT_EQ(s.find_param("h.1.mlp.c_proj.weight")->shape, (std::vector<int64_t>{88, 32}));
  EXPECT_EQ(m->num_params() - s.num_params(), static_cast<size_t>(2 * 40 * (2 * C + 1)));
  EXPECT_EQ(full_logits(*m), full_logits(s));
  EXPECT_EQ(cached_logits(*m), cached_logits(s));

  // Written and read back: the directory carries n_inner and the smaller shapes.
  const std::string big_dir = out_dir("big"), small_dir = out_dir("small");
  ASSERT_TRUE(m->save_pretrained(big_dir).is_ok());
  ASSERT_TRUE(s.save_pretrained(small_dir).is_ok());
  EXPECT_LT(std::filesystem::file_size(small_dir + "/model.safetensors"),
            std::filesystem::file_size(big_dir + "/model.safetensors"));
  auto back = GptModel::from_pretrained(small_dir, KernelContext{nullptr, kernels::Isa::kScalar});
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ((*back)->config().n_inner, 88);
  EXPECT_EQ(full_logits(**back), full_logits(*m));
}

TEST(GptShrink, LeastImportantNeuronsAreTheZeroedOnesAndPruningChangesLittle) {
  auto m = random_model(tiny(), 13);
  // Neuron pruning by importance zeroes those neurons; the ranking then picks
  // exactly them (score 0), and removing them is exact.
  auto zeroed = gpt_prune(*m, PruneMethod::kNeurons, 0.25);
  ASSERT_TRUE(zeroed.is_ok());
  auto ranked = gpt_least_important_neurons(*m, 0.25);
  ASSERT_TRUE(ranked.is_ok());
  ASSERT_EQ(ranked->size(), 2u);
  for (int l = 0; l < 2; ++l) {
    ASSERT_EQ((*ranked)[l].size(), 32u);
    const float* proj = m->params() + m->find_param("h." + std::to_string(l) + ".mlp.c_proj.weight")->offset;
    for (int j : (*ranked)[l]) EXPECT_EQ(proj[static_cast<size_t>(j) * 32], 0.0f) << l << " " << j;
  }
  auto small = gpt_remove_neurons(*m, *ranked);
  ASSERT_TRUE(small.is_ok());
  EXPECT_EQ((*small)->config().mlp_hidden(), 96);
  EXPECT_EQ(full_logits(*m), full_logits(**small));
}

TEST(GptShrink, BadRemovalListsAreClearErrors) {
  auto m = random_model(tiny(), 17);
  auto expect_error = [&](const std::vector<std::vector<int>>& removed, const std::string& needle) {
    auto r = gpt_remove_neurons(*m, removed);
    ASSERT_FALSE(r.is_ok()) << needle;
    EXPECT_NE(r.status().message().find(needle), std::string::npos) << r.status().to_string();
  };
  expect_error({{1, 2}}, "n_layer 2");
  expect_error({{1, 2}, {3}}, "the same in every layer");
  expect_error({{1, 128}, {3, 4}}, "outside [0, n_inner 128)");
  expect_error({{1, 1}, {3, 4}}, "twice");
  std::vector<int> all(128);
  for (int j = 0; j < 128; ++j) all[j] = j;
  expect_error({all, all}, "every one");
  EXPECT_FALSE(gpt_least_important_neurons(*m, 1.0).is_ok());
  ASSERT_TRUE(m->set_weight_format(kernels::WeightFormat::kInt8).is_ok());
  expect_error({{1}, {2}}, "f32");
}

}  // namespace
}  // namespace marketlm
