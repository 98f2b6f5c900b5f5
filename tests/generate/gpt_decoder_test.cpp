// GptDecoder: the GPT model behind the Decoder contract. KV-cached logits must
// equal full recomputation (check_decoder_contract and a cache-free
// RecomputeDecoder over forward_logits), so generation is the same either way.
#include "marketlm/generate/gpt_decoder.h"

#include <gtest/gtest.h>

#include <cmath>

#include "marketlm/core/rng.h"
#include "marketlm/core/thread_pool.h"
#include "marketlm/generate/decoder_check.h"
#include "marketlm/generate/generate.h"
#include "marketlm/models/gpt/gpt_model.h"

namespace marketlm {
namespace {

std::vector<kernels::Isa> isas() {
  if (const char* env = std::getenv("MARKETLM_ISA"); env != nullptr && *env != '\0') {
    auto r = kernels::resolve_isa(env);
    if (r.is_ok()) return {*r};
  }
  return kernels::supported_isas();
}

std::unique_ptr<GptModel> small_gpt(const kernels::KernelContext& ctx, int n_ctx = 24) {
  GptConfig c;
  c.n_layer = 2;
  c.n_head = 2;
  c.n_embd = 16;
  c.n_ctx = n_ctx;
  c.vocab_size = 41;
  c.bos_token_id = c.eos_token_id = 0;
  c.set_dropout(0.1f);  // inference ignores dropout
  auto m = GptModel::create(c, ctx);
  EXPECT_TRUE(m.is_ok()) << m.status().message();
  (*m)->init_weights(3);
  // Larger weights than the init so the logits differ clearly between tokens.
  Rng rng(4);
  for (size_t i = 0; i < (*m)->num_params(); ++i) (*m)->params()[i] += static_cast<float>(rng.normal()) * 0.2f;
  return std::move(m).value();
}

RecomputeDecoder full_recompute(GptModel& m, int max_slots) {
  const int V = m.config().vocab_size;
  return RecomputeDecoder(V, m.config().n_ctx, max_slots, [&m, V](std::span<const int32_t> ids, float* out) {
    const int T = static_cast<int>(ids.size());
    std::vector<float> all(static_cast<size_t>(T) * V);
    ML_RETURN_IF_ERROR(m.forward_logits(ids.data(), 1, T, all.data()));
    std::copy(all.end() - V, all.end(), out);
    return Status::ok();
  });
}

TEST(GenGptDecoder, PassesTheDecoderContract) {
  ThreadPool pool(2);
  for (kernels::Isa isa : isas()) {
    SCOPED_TRACE(kernels::isa_name(isa));
    auto m = small_gpt({&pool, isa});
    GptDecoder dec(m.get(), 8);
    DecoderCheckOptions opt;
    opt.n_slots = 4;
    opt.steps = 6;
    opt.tolerance = 1e-4f;
    Status s = check_decoder_contract(dec, {5, 9, 2, 30}, opt);
    EXPECT_TRUE(s.is_ok()) << s.message();
  }
}

TEST(GenGptDecoder, CachedLogitsEqualFullRecomputation) {
  ThreadPool pool(2);
  for (kernels::Isa isa : isas()) {
    SCOPED_TRACE(kernels::isa_name(isa));
    auto m = small_gpt({&pool, isa});
    const int V = m->config().vocab_size;
    GptDecoder cached(m.get(), 4);
    RecomputeDecoder full = full_recompute(*m, 4);
    ASSERT_TRUE(cached.reserve(3, 20).is_ok());
    ASSERT_TRUE(full.reserve(3, 20).is_ok());
    std::vector<int32_t> prompt = {1, 7, 40, 3};
    std::vector<float> a(3 * V), b(3 * V);
    ASSERT_TRUE(cached.prefill(0, prompt, a.data()).is_ok());
    ASSERT_TRUE(full.prefill(0, prompt, b.data()).is_ok());
    for (int v = 0; v < V; ++v) EXPECT_NEAR(a[v], b[v], 1e-4) << "prefill logit " << v;
    for (int s = 1; s < 3; ++s) {
      ASSERT_TRUE(cached.copy_slot(0, s).is_ok());
      ASSERT_TRUE(full.copy_slot(0, s).is_ok());
    }
    Rng rng(9);
    const std::vector<int> slots = {0, 1, 2};
    double max_diff = 0;
    for (int step = 0; step < 10; ++step) {
      std::vector<int32_t> toks(3);
      for (auto& t : toks) t = static_cast<int32_t>(rng.next_u64() % V);
      ASSERT_TRUE(cached.decode(slots, toks, a.data()).is_ok());
      ASSERT_TRUE(full.decode(slots, toks, b.data()).is_ok());
      for (size_t i = 0; i < a.size(); ++i) max_diff = std::max(max_diff, static_cast<double>(std::fabs(a[i] - b[i])));
      if (step == 4) {  // beam-style reorder mid-way
        ASSERT_TRUE(cached.copy_slot(2, 0).is_ok());
        ASSERT_TRUE(full.copy_slot(2, 0).is_ok());
      }
    }
    EXPECT_LT(max_diff, 1e-4);
    EXPECT_EQ(cached.slot_length(1), 14);
  }
}

TEST(GenGptDecoder, GenerationMatchesTheCacheFreeReference) {
  ThreadPool pool(2);
  auto m = small_gpt({&pool, kernels::Isa::kScalar}, 32);
  GptDecoder cached(m.get(), 8);
  RecomputeDecoder full = full_recompute(*m, 8);
  GenerationConfig greedy;
  greedy.max_new_tokens = 12;
  auto g1 = generate(cached, {3, 4, 5}, greedy);
  auto g2 = generate(full, {3, 4, 5}, greedy);
  ASSERT_TRUE(g1.is_ok()) << g1.status().message();
  ASSERT_TRUE(g2.is_ok()) << g2.status().message();
  EXPECT_EQ(g1->sequences[0].token_ids, g2->sequences[0].token_ids);
  EXPECT_EQ(g1->sequences[0].token_ids.size(), 12u);

  GenerationConfig beams;
  beams.max_new_tokens = 8;
  beams.num_beams = 3;
  beams.num_return_sequences = 2;
  auto b1 = generate(cached, {3, 4, 5}, beams);
  auto b2 = generate(full, {3, 4, 5}, beams);
  ASSERT_TRUE(b1.is_ok()) << b1.status().message();
  ASSERT_TRUE(b2.is_ok());
  for (int i = 0; i < 2; ++i) EXPECT_EQ(b1->sequences[i].token_ids, b2->sequences[i].token_ids);

  GenerationConfig sample;
  sample.do_sample = true;
  sample.max_new_tokens = 10;
  sample.num_return_sequences = 3;
  sample.seed = 11;
  auto s1 = generate(cached, {3, 4, 5}, sample);
  auto s2 = generate(full, {3, 4, 5}, sample);
  ASSERT_TRUE(s1.is_ok() && s2.is_ok());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(s1->sequences[i].token_ids, s2->sequences[i].token_ids);
  EXPECT_EQ(s1->prefill_calls, 1);  // one prompt prefill shared by the three samples
}

TEST(GenGptDecoder, RefusesWhatDoesNotFit) {
  ThreadPool pool(1);
  auto m = small_gpt({&pool, kernels::Isa::kScalar}, 8);
  GptDecoder dec(m.get(), 2);
  EXPECT_FALSE(dec.reserve(3, 8).is_ok());
  EXPECT_FALSE(dec.reserve(1, 9).is_ok());
  ASSERT_TRUE(dec.reserve(2, 8).is_ok());
  std::vector<float> logits(2 * 41);
  std::vector<int32_t> too_long(9, 1);
  EXPECT_FALSE(dec.prefill(0, too_long, logits.data()).is_ok());
  EXPECT_FALSE(dec.prefill(2, {{1}}, logits.data()).is_ok());
  const int slot0[] = {0};
  const int32_t tok[] = {1};
  EXPECT_FALSE(dec.decode(slot0, tok, logits.data()).is_ok());  // empty slot
  std::vector<int32_t> full(8, 2);
  ASSERT_TRUE(dec.prefill(0, full, logits.data()).is_ok());
  EXPECT_FALSE(dec.decode(slot0, tok, logits.data()).is_ok());  // no room left
  const int32_t bad[] = {41};
  ASSERT_TRUE(dec.prefill(1, {{1}}, logits.data()).is_ok());
  const int slot1[] = {1};
  EXPECT_FALSE(dec.decode(slot1, bad, logits.data()).is_ok());  // outside the vocabulary
  // Generation reports a prompt that does not fit instead of crashing.
  GenerationConfig c;
  c.max_new_tokens = 4;
  auto r = generate(dec, std::vector<int32_t>(7, 1), c);
  EXPECT_FALSE(r.is_ok());
}

}  // namespace
}  // namespace marketlm
