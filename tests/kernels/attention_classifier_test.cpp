#include "marketlm/kernels/attention.h"
#include "marketlm/kernels/classifier.h"
#include "marketlm/kernels/matmul.h"
#include "marketlm/kernels/softmax.h"

#include "kernels/kernel_test_util.h"

namespace marketlm::kernels {
namespace {
using namespace marketlm::kernels::testing;

void check_attention(bool with_dropout) {
  const int B = 2, T = 5, C = 8, NH = 2;
  ThreadPool pool(2);
  auto qkv = randn(B * T * 3 * C, 21), g = randn(B * T * C, 22);
  std::vector<float> mask;
  if (with_dropout) {
    Rng rng(3);
    mask.resize(B * NH * T * T);
    for (auto& m : mask) m = rng.uniform_f32() < 0.3f ? 0.0f : 1.0f / 0.7f;
  }
  const float* mk = with_dropout ? mask.data() : nullptr;
  std::vector<float> ref_out(B * T * C), ref_att(B * NH * T * T);
  attention_forward(ref_out.data(), ref_att.data(), qkv.data(), mk, B, T, C, NH, KernelContext{});
  for (Isa isa : test_isas()) {
    KernelContext ctx{&pool, isa};
    std::vector<float> out(B * T * C), att(B * NH * T * T);
    auto loss = [&] {
      attention_forward(out.data(), att.data(), qkv.data(), mk, B, T, C, NH, ctx);
      return dot_d(out, g);
    };
    loss();
    expect_close(std::string("attn out ") + isa_name(isa), out, ref_out, 1e-5, 1e-6);
    // causal: probabilities of future positions are zero, rows sum to one
    for (int t = 0; t < T; ++t) {
      double s = 0;
      for (int t2 = 0; t2 < T; ++t2) {
        if (t2 > t) {
          EXPECT_EQ(att[t * T + t2], 0.0f);
        }
        s += att[t * T + t2];
      }
      EXPECT_NEAR(s, 1.0, 1e-5);
    }
    std::vector<float> dqkv(qkv.size(), 0.f);
    attention_backward(dqkv.data(), g.data(), qkv.data(), att.data(), mk, B, T, C, NH, ctx);
    expect_fd_grad(std::string("attn dqkv ") + isa_name(isa), qkv, dqkv, loss);
  }
}

TEST(KernelAttention, BackwardMatchesFiniteDifferences) { check_attention(false); }
TEST(KernelAttention, BackwardWithDropoutMaskMatchesFiniteDifferences) { check_attention(true); }

TEST(KernelAttention, CachedForwardEqualsFullForward) {
  const int T = 7, C = 12, NH = 3, Tq = 3;
  auto qkv = randn(T * 3 * C, 23);
  std::vector<float> full(T * C), att(NH * T * T);
  attention_forward(full.data(), att.data(), qkv.data(), nullptr, 1, T, C, NH, KernelContext{});
  std::vector<float> kc(T * C), vc(T * C);
  for (int t = 0; t < T; ++t)
    for (int c = 0; c < C; ++c) {
      kc[t * C + c] = qkv[t * 3 * C + C + c];
      vc[t * C + c] = qkv[t * 3 * C + 2 * C + c];
    }
  for (Isa isa : test_isas()) {
    std::vector<float> out(Tq * C);
    attention_cached_forward(out.data(), qkv.data() + (T - Tq) * 3 * C, 3 * C, kc.data(), vc.data(), Tq, T, C, NH,
                             KernelContext{nullptr, isa});
    expect_close(std::string("cached ") + isa_name(isa), out.data(), full.data() + (T - Tq) * C, Tq * C, 1e-5, 1e-6);
  }
}

TEST(KernelClassifier, FusedEqualsUnfusedAndMatchesFiniteDifferences) {
  const int N = 7, C = 6, V = 29, chunk = 3;
  ThreadPool pool(2);
  auto x = randn(N * C, 24), wte = randn(V * C, 25);
  std::vector<int32_t> targets = {1, kIgnoreIndex, 28, 5, 5, kIgnoreIndex, 0};
  const float scale = 0.37f;
  // unfused reference on the scalar path: logits, losses, gradients.
  KernelContext sc{};
  std::vector<float> logits(N * V), losses(N), dlog(N * V, 0.f), ones(N, scale);
  matmul_nt_forward(logits.data(), x.data(), wte.data(), N, C, V, sc);
  crossentropy_forward(losses.data(), logits.data(), targets.data(), N, V, sc);
  crossentropy_backward(dlog.data(), ones.data(), logits.data(), targets.data(), N, V, sc);
  std::vector<float> ref_dx(N * C, 0.f), ref_dw(V * C, 0.f);
  gemm(Isa::kScalar, false, false, N, C, V, dlog.data(), V, wte.data(), C, 0.f, ref_dx.data(), C);
  gemm(Isa::kScalar, true, false, V, C, N, dlog.data(), V, x.data(), C, 0.f, ref_dw.data(), C);
  double ref_sum = 0;
  for (float l : losses) ref_sum += l;
  for (Isa isa : test_isas()) {
    KernelContext ctx{&pool, isa};
    std::vector<float> scratch(classifier_scratch_floats(chunk, V)), dx(N * C, 0.f), dw(V * C, 0.f), rl(N);
    auto r = classifier_forward_backward(x.data(), wte.data(), targets.data(), N, C, V, scale, dx.data(), dw.data(),
                                         rl.data(), scratch.data(), chunk, ctx);
    EXPECT_EQ(r.count, 5);
    EXPECT_NEAR(r.sum, ref_sum, 1e-4) << isa_name(isa);
    expect_close(std::string("cls losses ") + isa_name(isa), rl, losses, 1e-5, 1e-5);
    expect_close("cls dx", dx, ref_dx, 1e-4, 1e-6);
    expect_close("cls dwte", dw, ref_dw, 1e-4, 1e-6);
    // forward-only gives the same loss
    auto f = classifier_forward_backward(x.data(), wte.data(), targets.data(), N, C, V, 1.f, nullptr, nullptr,
                                         nullptr, scratch.data(), chunk, ctx);
    EXPECT_NEAR(f.sum, r.sum, 1e-4);
  }
  // finite differences on the fused kernel itself (scalar path)
  std::vector<float> scratch(classifier_scratch_floats(chunk, V)), dx(N * C, 0.f), dw(V * C, 0.f);
  classifier_forward_backward(x.data(), wte.data(), targets.data(), N, C, V, 1.f, dx.data(), dw.data(), nullptr,
                              scratch.data(), chunk, sc);
  auto loss = [&] {
    return classifier_forward_backward(x.data(), wte.data(), targets.data(), N, C, V, 1.f, nullptr, nullptr,
                                       nullptr, scratch.data(), chunk, sc).sum;
  };
  expect_fd_grad("cls fd dx", x, dx, loss);
  expect_fd_grad("cls fd dwte", wte, dw, loss);
}

}  // namespace
}  // namespace marketlm::kernels
