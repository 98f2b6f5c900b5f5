#include "marketlm/models/gpt/gpt_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "kernels/kernel_test_util.h"

namespace marketlm {
namespace {
using kernels::Isa;
using kernels::KernelContext;

GptConfig micro_config() {
  GptConfig c;
  c.n_layer = 2;
  c.n_head = 2;
  c.n_embd = 8;
  c.n_ctx = 6;
  c.vocab_size = 11;
  c.bos_token_id = c.eos_token_id = 10;
  c.set_dropout(0.0f);
  return c;
}

// Random weights large enough that every path carries signal.
std::unique_ptr<GptModel> micro_model(const GptConfig& c, const KernelContext& ctx, uint64_t seed) {
  auto m = GptModel::create(c, ctx);
  EXPECT_TRUE(m.is_ok()) << m.status().to_string();
  Rng rng(seed);
  for (size_t i = 0; i < (*m)->num_params(); ++i) (*m)->params()[i] = static_cast<float>(rng.normal()) * 0.3f;
  for (const auto& s : (*m)->param_specs())
    if (s.name.find("ln_") != std::string::npos && s.name.find("weight") != std::string::npos)
      for (size_t i = 0; i < s.numel; ++i) (*m)->params()[s.offset + i] += 1.0f;
  return std::move(m).value();
}

void fd_check(float dropout) {
  GptConfig c = micro_config();
  c.set_dropout(dropout);
  auto model = micro_model(c, KernelContext{}, 3);
  const int B = 2, T = 4;
  std::vector<int32_t> in = {1, 5, 9, 2, 0, 10, 3, 3}, tg = {5, 9, 2, -1, 10, 3, 3, 7};
  TokenBatch batch{in.data(), tg.data(), B, T};
  model->zero_grad();
  Rng rng(11);
  model->forward_backward(batch, 1.0f, &rng);
  std::vector<float> analytic(model->grads(), model->grads() + model->num_params());
  std::vector<float> p(model->params(), model->params() + model->num_params());
  auto loss = [&] {
    std::memcpy(model->params(), p.data(), p.size() * sizeof(float));
    Rng same(11);  // same dropout masks every evaluation
    return dropout > 0 ? model->forward_backward(batch, 1.0f, &same).sum : model->forward_loss(batch).sum;
  };
  kernels::testing::expect_fd_grad("gpt params", p, analytic, loss, 1e-2f, 3e-2, 3e-3);
}

TEST(GptModel, WholeModelGradientMatchesFiniteDifferences) { fd_check(0.0f); }
TEST(GptModel, WholeModelGradientWithDropoutMatchesFiniteDifferences) { fd_check(0.25f); }

TEST(GptModel, WeightsTableHasHuggingFaceNamesShapesAndDecayFlags) {
  GptConfig c = GptConfig::gpt2_small();
  auto specs = gpt_param_specs(c);
  ASSERT_EQ(specs.size(), 2u + 12u * 12u + 2u);
  EXPECT_EQ(specs[0].name, "wte.weight");
  EXPECT_EQ(specs[0].shape, (std::vector<int64_t>{50257, 768}));
  EXPECT_EQ(specs[1].shape, (std::vector<int64_t>{1024, 768}));
  EXPECT_EQ(specs[4].name, "h.0.attn.c_attn.weight");
  EXPECT_EQ(specs[4].shape, (std::vector<int64_t>{768, 2304}));
  EXPECT_EQ(specs[12].name, "h.0.mlp.c_proj.weight");
  EXPECT_EQ(specs[12].shape, (std::vector<int64_t>{3072, 768}));
  EXPECT_EQ(specs.back().name, "ln_f.bias");
  size_t total = 0;
  for (const auto& s : specs) {
    EXPECT_EQ(s.offset, total) << s.name;
    total += s.numel;
    EXPECT_EQ(s.decay, s.shape.size() == 2) << s.name;
  }
  EXPECT_EQ(total, 124439808u);  // GPT-2 small
  MemoryEstimate m = estimate_training_memory(c, 4, 64);
  EXPECT_EQ(m.params_bytes, 124439808LL * 4);
  EXPECT_EQ(m.optimizer_bytes, 2 * m.params_bytes);
  EXPECT_GT(m.activations_bytes, 0);
  EXPECT_EQ(m.total_bytes, m.params_bytes + m.grads_bytes + m.optimizer_bytes + m.activations_bytes);
  EXPECT_GT(estimate_training_memory(c, 8, 64).activations_bytes, m.activations_bytes);
  EXPECT_NE(m.to_string().find("GiB"), std::string::npos);
  EXPECT_TRUE(check_training_memory(c, 4, 64, m.total_bytes).is_ok());
  Status too_big = check_training_memory(c, 4, 64, m.total_bytes - 1);
  EXPECT_EQ(too_big.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(too_big.message().find("needs about"), std::string::npos) << too_big.to_string();
}

TEST(GptModel, InitFollowsGpt2Scheme) {
  GptConfig c = micro_config();
  c.n_embd = 64;
  c.n_head = 4;
  c.vocab_size = 500;
  c.bos_token_id = c.eos_token_id = 0;
  auto m = GptModel::create(c, KernelContext{});
  ASSERT_TRUE(m.is_ok());
  (*m)->init_weights(42);
  auto stddev = [&](const std::string& name) {
    const ParamSpec* s = (*m)->find_param(name);
    double ss = 0;
    for (size_t i = 0; i < s->numel; ++i) ss += std::pow((*m)->params()[s->offset + i], 2);
    return std::sqrt(ss / s->numel);
  };
  EXPECT_NEAR(stddev("wte.weight"), 0.02, 0.002);
  EXPECT_NEAR(stddev("h.0.mlp.c_fc.weight"), 0.02, 0.002);
  EXPECT_NEAR(stddev("h.1.mlp.c_proj.weight"), 0.02 / std::sqrt(4.0), 0.002);
  EXPECT_EQ((*m)->params()[(*m)->find_param("h.0.ln_1.weight")->offset], 1.0f);
  EXPECT_EQ((*m)->params()[(*m)->find_param("h.0.attn.c_attn.bias")->offset], 0.0f);
}

TEST(GptModel, GradientsAccumulateAcrossMicroBatchesAndRunsAreDeterministic) {
  GptConfig c = micro_config();
  c.set_dropout(0.1f);
  ThreadPool pool(2);
  auto model = micro_model(c, KernelContext{&pool, kernels::best_isa()}, 5);
  std::vector<int32_t> in = {1, 5, 9, 2, 0, 10, 3, 3}, tg = {5, 9, 2, 4, 10, 3, 3, 7};
  // one batch of 2 == two batches of 1 with the same scale (no dropout rng)
  model->zero_grad();
  model->forward_backward(TokenBatch{in.data(), tg.data(), 2, 4}, 0.125f, nullptr);
  std::vector<float> whole(model->grads(), model->grads() + model->num_params());
  model->zero_grad();
  model->forward_backward(TokenBatch{in.data(), tg.data(), 1, 4}, 0.125f, nullptr);
  model->forward_backward(TokenBatch{in.data() + 4, tg.data() + 4, 1, 4}, 0.125f, nullptr);
  kernels::testing::expect_close("accumulated", model->grads(), whole.data(), whole.size(), 1e-4, 1e-6);
  // same seed + same threads = same bits; dropout changes the loss
  Rng r1(9), r2(9);
  model->zero_grad();
  const double a = model->forward_backward(TokenBatch{in.data(), tg.data(), 2, 4}, 1.f, &r1).sum;
  std::vector<float> g1(model->grads(), model->grads() + model->num_params());
  model->zero_grad();
  const double b = model->forward_backward(TokenBatch{in.data(), tg.data(), 2, 4}, 1.f, &r2).sum;
  EXPECT_EQ(a, b);
  EXPECT_EQ(0, std::memcmp(g1.data(), model->grads(), g1.size() * sizeof(float)));
  const double eval = model->forward_loss(TokenBatch{in.data(), tg.data(), 2, 4}).sum;
  EXPECT_NE(a, eval);
}

TEST(GptModel, PathsAgreeWithScalar) {
  GptConfig c = micro_config();
  c.n_embd = 32;
  c.n_head = 4;
  c.vocab_size = 300;  // more than one classifier column block
  c.n_ctx = 16;
  ThreadPool pool(2);
  std::vector<int32_t> in(2 * 16), tg(2 * 16);
  for (int i = 0; i < 32; ++i) {
    in[i] = (i * 37) % 300;
    tg[i] = i % 5 == 0 ? -1 : (i * 11) % 300;
  }
  TokenBatch batch{in.data(), tg.data(), 2, 16};
  auto ref = micro_model(c, KernelContext{}, 8);
  ref->zero_grad();
  const double ref_loss = ref->forward_backward(batch, 0.01f, nullptr).sum;
  for (Isa isa : kernels::testing::test_isas()) {
    auto m = micro_model(c, KernelContext{&pool, isa}, 8);
    m->zero_grad();
    EXPECT_NEAR(m->forward_backward(batch, 0.01f, nullptr).sum, ref_loss, 1e-3) << kernels::isa_name(isa);
    float max_ref = 0;
    for (size_t i = 0; i < m->num_params(); ++i) max_ref = std::max(max_ref, std::fabs(ref->grads()[i]));
    kernels::testing::expect_close(std::string("grads ") + kernels::isa_name(isa), m->grads(), ref->grads(),
                                   m->num_params(), 1e-3, 1e-4 * max_ref);
  }
}

TEST(GptModel, RejectsBadBatches) {
  auto model = micro_model(micro_config(), KernelContext{}, 1);
  std::vector<int32_t> in = {1, 2, 11}, tg = {1, 2, 3};
  EXPECT_EQ(model->validate_batch(TokenBatch{in.data(), tg.data(), 1, 3}).code(), StatusCode::kOutOfRange);
  std::vector<int32_t> longer(7, 1);
  Status s = model->validate_batch(TokenBatch{longer.data(), longer.data(), 1, 7});
  EXPECT_NE(s.message().find("exceeds n_ctx 6"), std::string::npos) << s.to_string();
  std::vector<float> logits(3 * 11);
  EXPECT_FALSE(model->forward_logits(in.data(), 1, 3, logits.data()).is_ok());
}

}  // namespace
}  // namespace marketlm
