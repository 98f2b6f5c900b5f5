#include <gtest/gtest.h>

#include <cmath>

#include "kernels/kernel_test_util.h"
#include "marketlm/models/gpt/gpt_model.h"

namespace marketlm {
namespace {
using kernels::KernelContext;

std::unique_ptr<GptModel> model_for(const KernelContext& ctx, int n_ctx = 12) {
  GptConfig c;
  c.n_layer = 2;
  c.n_head = 4;
  c.n_embd = 32;
  c.n_ctx = n_ctx;
  c.vocab_size = 53;
  c.bos_token_id = c.eos_token_id = 0;
  c.set_dropout(0.1f);  // inference must ignore it
  auto m = GptModel::create(c, ctx);
  EXPECT_TRUE(m.is_ok());
  (*m)->init_weights(5);
  Rng rng(6);
  for (size_t i = 0; i < (*m)->num_params(); ++i) (*m)->params()[i] += static_cast<float>(rng.normal()) * 0.1f;
  return std::move(m).value();
}

// Logits of the last position of `seq` by full recomputation.
std::vector<float> full_last(GptModel& m, const std::vector<int32_t>& seq) {
  const int V = m.config().vocab_size, T = static_cast<int>(seq.size());
  std::vector<float> all(static_cast<size_t>(T) * V);
  EXPECT_TRUE(m.forward_logits(seq.data(), 1, T, all.data()).is_ok());
  return std::vector<float>(all.end() - V, all.end());
}

TEST(GptKvCache, PrefillThenStepsEqualFullRecomputation) {
  ThreadPool pool(2);
  for (auto isa : kernels::testing::test_isas()) {
    SCOPED_TRACE(kernels::isa_name(isa));
    auto m = model_for(KernelContext{&pool, isa});
    const int V = 53;
    std::vector<int32_t> seq = {3, 17, 52, 8, 8};
    GptKvCache cache = m->make_kv_cache(12);
    std::vector<float> logits(5 * V);
    ASSERT_TRUE(m->forward_cached(seq.data(), 5, &cache, logits.data(), true).is_ok());
    EXPECT_EQ(cache.length(), 5);
    std::vector<float> all(5 * V);
    ASSERT_TRUE(m->forward_logits(seq.data(), 1, 5, all.data()).is_ok());
    kernels::testing::expect_close("prefill", logits, all, 1e-4, 1e-5);
    for (int32_t next : {9, 1, 40, 22}) {
      seq.push_back(next);
      std::vector<float> step(V);
      ASSERT_TRUE(m->forward_cached(&next, 1, &cache, step.data()).is_ok());
      kernels::testing::expect_close("step", step, full_last(*m, seq), 1e-4, 1e-5);
    }
    EXPECT_EQ(cache.length(), 9);
  }
}

// A prompt of 16 rows or more attends as two gemms per head, also when it
// extends a cache that already holds a prompt (the causal offset).
TEST(GptKvCache, LongPromptsInTwoChunksEqualFullRecomputation) {
  ThreadPool pool(2);
  for (auto isa : kernels::testing::test_isas()) {
    SCOPED_TRACE(kernels::isa_name(isa));
    auto m = model_for(KernelContext{&pool, isa}, 40);
    const int V = 53, T = 37, first = 18;
    std::vector<int32_t> seq(T);
    for (int i = 0; i < T; ++i) seq[i] = (i * 11 + 3) % V;
    std::vector<float> all(static_cast<size_t>(T) * V), cached(static_cast<size_t>(T) * V);
    ASSERT_TRUE(m->forward_logits(seq.data(), 1, T, all.data()).is_ok());
    GptKvCache cache = m->make_kv_cache(40);
    ASSERT_TRUE(m->forward_cached(seq.data(), first, &cache, cached.data(), true).is_ok());
    ASSERT_TRUE(m->forward_cached(seq.data() + first, T - first, &cache, cached.data() + first * V, true).is_ok());
    EXPECT_EQ(cache.length(), T);
    kernels::testing::expect_close("two prompts", cached, all, 1e-4, 1e-5);
  }
}

// set_weight_format(kF32) takes row-major decode copies of the matmul
// weights; decoding through them equals full recomputation, and changing the
// weights through params() drops them (a stale copy would decode old weights).
TEST(GptKvCache, F32DecodeCopiesFollowTheWeights) {
  ThreadPool pool(2);
  for (auto isa : kernels::testing::test_isas()) {
    SCOPED_TRACE(kernels::isa_name(isa));
    auto m = model_for(KernelContext{&pool, isa});
    const int V = 53;
    ASSERT_TRUE(m->set_weight_format(kernels::WeightFormat::kF32).is_ok());
    std::vector<int32_t> seq = {3, 17, 52, 8};
    GptKvCache cache = m->make_kv_cache(12);
    std::vector<float> logits(4 * V), step(V);
    ASSERT_TRUE(m->forward_cached(seq.data(), 4, &cache, logits.data()).is_ok());
    int32_t next = 9;
    seq.push_back(next);
    ASSERT_TRUE(m->forward_cached(&next, 1, &cache, step.data()).is_ok());
    kernels::testing::expect_close("step with copies", step, full_last(*m, seq), 1e-4, 1e-5);
    // Change one c_attn weight of layer 0 through params(): the copies go.
    const ParamSpec* w = m->find_param("h.0.attn.c_attn.weight");
    ASSERT_NE(w, nullptr);
    for (size_t i = 0; i < w->numel; i += 7) m->params()[w->offset + i] += 0.5f;
    cache.clear();
    ASSERT_TRUE(m->forward_cached(seq.data(), 4, &cache, logits.data()).is_ok());
    next = seq.back();
    std::vector<float> after(V);
    ASSERT_TRUE(m->forward_cached(&next, 1, &cache, after.data()).is_ok());
    kernels::testing::expect_close("step after params()", after, full_last(*m, seq), 1e-4, 1e-5);
    double moved = 0;
    for (int v = 0; v < V; ++v) moved += std::abs(after[v] - step[v]);
    EXPECT_GT(moved, 1e-2);  // the change is visible in the decoded logits
  }
}

TEST(GptKvCache, BatchedStepsAndBeamReorderEqualFullRecomputation) {
  ThreadPool pool(2);
  auto m = model_for(KernelContext{&pool, kernels::best_isa()});
  const int V = 53;
  std::vector<int32_t> a = {1, 2, 3}, b = {7, 7, 7, 7, 30};
  GptKvCache ca = m->make_kv_cache(12), cb = m->make_kv_cache(12);
  std::vector<float> tmp(V);
  ASSERT_TRUE(m->forward_cached(a.data(), 3, &ca, tmp.data()).is_ok());
  ASSERT_TRUE(m->forward_cached(b.data(), 5, &cb, tmp.data()).is_ok());
  // one token each, sequences of different lengths in one batched step
  int32_t next[2] = {44, 5};
  GptKvCache* caches[2] = {&ca, &cb};
  std::vector<float> logits(2 * V);
  ASSERT_TRUE(m->forward_cached_step(next, caches, 2, logits.data()).is_ok());
  a.push_back(44);
  b.push_back(5);
  kernels::testing::expect_close("seq a", logits.data(), full_last(*m, a).data(), V, 1e-4, 1e-5);
  kernels::testing::expect_close("seq b", logits.data() + V, full_last(*m, b).data(), V, 1e-4, 1e-5);
  // beam reorder: b's cache copied onto a's slot, then continued differently
  ca.copy_from(cb);
  int32_t t1 = 11, t2 = 12;
  ASSERT_TRUE(m->forward_cached(&t1, 1, &ca, tmp.data()).is_ok());
  auto b1 = b;
  b1.push_back(11);
  kernels::testing::expect_close("copied beam", tmp.data(), full_last(*m, b1).data(), V, 1e-4, 1e-5);
  ASSERT_TRUE(m->forward_cached(&t2, 1, &cb, tmp.data()).is_ok());
  auto b2 = b;
  b2.push_back(12);
  kernels::testing::expect_close("original beam", tmp.data(), full_last(*m, b2).data(), V, 1e-4, 1e-5);
  // truncate rewinds
  cb.truncate(3);
  int32_t t3 = 13;
  ASSERT_TRUE(m->forward_cached(&t3, 1, &cb, tmp.data()).is_ok());
  kernels::testing::expect_close("truncated", tmp.data(), full_last(*m, {7, 7, 7, 13}).data(), V, 1e-4, 1e-5);
}

TEST(GptKvCache, RefusesOverflowAndBadTokens) {
  auto m = model_for(KernelContext{});
  GptKvCache c = m->make_kv_cache(4);
  std::vector<int32_t> five = {1, 2, 3, 4, 5};
  std::vector<float> logits(53);
  Status s = m->forward_cached(five.data(), 5, &c, logits.data());
  EXPECT_EQ(s.code(), StatusCode::kOutOfRange);
  EXPECT_NE(s.message().find("capacity 4"), std::string::npos) << s.to_string();
  int32_t bad = 53;
  EXPECT_EQ(m->forward_cached(&bad, 1, &c, logits.data()).code(), StatusCode::kOutOfRange);
  EXPECT_EQ(c.length(), 0);
}

}  // namespace
}  // namespace marketlm
