// Mixed-precision training of a small GPT (bf16 matmul inputs, fp32
// accumulation, fp32 master weights and AdamW) against the same run in fp32.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "marketlm/kernels/adamw.h"
#include "marketlm/kernels/gemm_bf16.h"
#include "marketlm/models/gpt/gpt_model.h"

namespace marketlm {
namespace {
using kernels::Bf16Kernel;
using kernels::KernelContext;

GptConfig small_config() {
  GptConfig c;
  c.n_layer = 2;
  c.n_head = 2;
  c.n_embd = 48;
  c.n_ctx = 24;
  c.vocab_size = 97;
  c.bos_token_id = c.eos_token_id = 96;
  c.set_dropout(0.0f);
  return c;
}

// Losses of `steps` AdamW steps on one fixed batch of a learnable pattern
// (each sequence counts up by a stride), and the first step's gradients.
std::vector<double> train(const KernelContext& ctx, int steps, std::vector<float>* first_grads) {
  const GptConfig c = small_config();
  auto m = GptModel::create(c, ctx);
  EXPECT_TRUE(m.is_ok()) << m.status().to_string();
  GptModel& model = **m;
  model.init_weights(7);
  const int B = 4, T = 20;
  std::vector<int32_t> in(B * T), tg(B * T);
  for (int b = 0; b < B; ++b)
    for (int t = 0; t < T; ++t) {
      in[b * T + t] = (b * 11 + t * (b + 2)) % 90;
      tg[b * T + t] = (b * 11 + (t + 1) * (b + 2)) % 90;
    }
  tg[5] = -1;  // an ignored target
  const size_t n = model.num_params();
  std::vector<float> mom(n, 0.0f), var(n, 0.0f);
  std::vector<double> losses;
  for (int s = 0; s < steps; ++s) {
    model.zero_grad();
    const LossSum l = model.forward_backward(TokenBatch{in.data(), tg.data(), B, T}, 1.0f / (B * T - 1), nullptr);
    losses.push_back(l.sum / static_cast<double>(l.count));
    if (s == 0 && first_grads != nullptr) first_grads->assign(model.grads(), model.grads() + n);
    AdamWHyper h;
    h.lr = 3e-3f;
    h.beta2 = 0.95f;
    h.step = s + 1;
    adamw_step(kernels::Isa::kScalar, nullptr, model.params(), model.grads(), mom.data(), var.data(), n, h);
  }
  return losses;
}

std::vector<Bf16Kernel> bf16_kernels() {
  std::vector<Bf16Kernel> out = {Bf16Kernel::kScalar};
  for (Bf16Kernel k : {Bf16Kernel::kAvx512Bf16, Bf16Kernel::kAmx})
    if (kernels::bf16_kernel_supported(k)) out.push_back(k);
  return out;
}

TEST(GptBf16, TrainingStepsTrackFp32Losses) {
  ThreadPool pool(2);
  const int steps = 12;
  std::vector<float> g32;
  const auto fp32 = train(KernelContext{&pool, kernels::best_isa(), Bf16Kernel::kOff}, steps, &g32);
  ASSERT_LT(fp32.back(), 0.8 * fp32.front()) << "the fp32 run should learn the pattern";
  for (Bf16Kernel k : bf16_kernels()) {
    const auto isa = k == Bf16Kernel::kScalar ? kernels::Isa::kScalar : kernels::best_isa();
    std::vector<float> g16;
    const auto bf16 = train(KernelContext{&pool, isa, k}, steps, &g16);
    const std::string what = kernels::bf16_kernel_name(k);
    // Tolerance: 2% of the loss per step. bf16 keeps 8 significant bits, so
    // each matmul output carries ~0.4% relative noise; the loss (a log of a
    // softmax over those logits) moves by far less, and 12 steps of AdamW
    // from the same start do not let the runs drift apart further.
    for (int s = 0; s < steps; ++s)
      EXPECT_NEAR(bf16[s], fp32[s], 2e-2 * fp32[s]) << what << " step " << s;
    EXPECT_LT(bf16.back(), 0.8 * bf16.front()) << what;
    // The first step's gradients point the same way (cosine similarity).
    double dot = 0, a2 = 0, b2 = 0;
    for (size_t i = 0; i < g32.size(); ++i) {
      dot += static_cast<double>(g32[i]) * g16[i];
      a2 += static_cast<double>(g32[i]) * g32[i];
      b2 += static_cast<double>(g16[i]) * g16[i];
    }
    EXPECT_GT(dot / std::sqrt(a2 * b2), 0.999) << what;
  }
}

TEST(GptBf16, SameThreadCountGivesIdenticalLosses) {
  const Bf16Kernel k = kernels::best_bf16_kernel();
  if (k == Bf16Kernel::kOff) GTEST_SKIP() << "CPU lacks AVX512-BF16";
  ThreadPool p1(2), p2(2);
  const auto a = train(KernelContext{&p1, kernels::best_isa(), k}, 3, nullptr);
  const auto b = train(KernelContext{&p2, kernels::best_isa(), k}, 3, nullptr);
  EXPECT_EQ(a, b);
}

}  // namespace
}  // namespace marketlm
