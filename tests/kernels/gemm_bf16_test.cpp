// Mixed-precision gemm: every kernel against the scalar reference (inputs
// rounded to bf16, double accumulation) on shapes that are not multiples of
// the blocks, every transpose, beta 0 and 0.5, with and without a pool; and
// the model's matmuls routed through it.
#include "marketlm/kernels/gemm_bf16.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <tuple>

#include "kernels/kernel_test_util.h"
#include "marketlm/kernels/classifier.h"
#include "marketlm/kernels/matmul.h"

namespace marketlm::kernels {
namespace {
using namespace marketlm::kernels::testing;

std::vector<Bf16Kernel> fast_kernels() {
  std::vector<Bf16Kernel> out;
  for (Bf16Kernel k : {Bf16Kernel::kAvx512Bf16, Bf16Kernel::kAmx})
    if (bf16_kernel_supported(k)) out.push_back(k);
  return out;
}

uint32_t bits(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}

TEST(KernelGemmBf16, RoundingToNearestEvenFlushesDenormals) {
  EXPECT_EQ(float_to_bf16(1.0f), 0x3f80);
  EXPECT_EQ(float_to_bf16(-2.0f), 0xc000);
  // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties go to the even (1.0).
  EXPECT_EQ(float_to_bf16(1.0f + std::ldexp(1.0f, -8)), 0x3f80);
  // 1 + 3 * 2^-8 is halfway between 1 + 2^-7 (odd) and 1 + 2^-6: up to even.
  EXPECT_EQ(float_to_bf16(1.0f + 3 * std::ldexp(1.0f, -8)), 0x3f82);
  EXPECT_EQ(float_to_bf16(1.0f + std::ldexp(1.0f, -8) + std::ldexp(1.0f, -20)), 0x3f81);
  EXPECT_EQ(float_to_bf16(std::numeric_limits<float>::denorm_min()), 0x0000);
  EXPECT_EQ(float_to_bf16(-std::numeric_limits<float>::denorm_min()), 0x8000);
  EXPECT_EQ(float_to_bf16(std::numeric_limits<float>::infinity()), 0x7f80);
  EXPECT_TRUE(std::isnan(round_to_bf16(std::numeric_limits<float>::quiet_NaN())));
  // the largest float rounds up to infinity
  EXPECT_EQ(float_to_bf16(std::numeric_limits<float>::max()), 0x7f80);
  EXPECT_EQ(bits(round_to_bf16(3.14159265f)) & 0xffffu, 0u);
}

// The reference itself: against an independent double loop.
TEST(KernelGemmBf16, ReferenceIsTheProductOfRoundedInputs) {
  const int M = 5, N = 7, K = 9;
  auto A = randn(M * K, 1), B = randn(K * N, 2), C = randn(M * N, 3);
  auto want = C;
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) {
      double s = 0;
      for (int k = 0; k < K; ++k) s += static_cast<double>(round_to_bf16(A[i * K + k])) * round_to_bf16(B[k * N + j]);
      want[i * N + j] = static_cast<float>(s + 0.5 * C[i * N + j]);
    }
  gemm_bf16(Bf16Kernel::kScalar, nullptr, false, false, M, N, K, A.data(), K, B.data(), N, 0.5f, C.data(), N);
  expect_close("reference", C, want, 1e-6, 1e-7);
}

TEST(KernelGemmBf16, FastKernelsMatchReferenceOnRaggedShapes) {
  const auto kernels = fast_kernels();
  if (kernels.empty()) GTEST_SKIP() << "CPU lacks AVX512-BF16";
  ThreadPool pool(2);
  // Not multiples of the 32-wide tiles; the last three cross the k (512),
  // row (512) and column (2048) blocks.
  const std::tuple<int, int, int> shapes[] = {{1, 1, 1},     {9, 33, 7},    {33, 65, 67},  {70, 31, 130},
                                              {5, 40, 1100}, {530, 20, 45}, {3, 2100, 33}};
  for (Bf16Kernel kern : kernels) {
    for (auto [M, N, K] : shapes) {
      for (int ta = 0; ta < 2; ++ta)
        for (int tb = 0; tb < 2; ++tb)
          for (float beta : {0.0f, 0.5f}) {
            const int lda = ta ? M + 3 : K + 2, ldb = tb ? K + 1 : N + 5, ldc = N + 4;
            auto A = randn(static_cast<size_t>(ta ? K : M) * lda, 31);
            auto B = randn(static_cast<size_t>(tb ? N : K) * ldb, 32);
            auto C0 = randn(static_cast<size_t>(M) * ldc, 33);
            auto want = C0, got1 = C0, got2 = C0;
            gemm_bf16(Bf16Kernel::kScalar, nullptr, ta, tb, M, N, K, A.data(), lda, B.data(), ldb, beta, want.data(), ldc);
            gemm_bf16(kern, nullptr, ta, tb, M, N, K, A.data(), lda, B.data(), ldb, beta, got1.data(), ldc);
            gemm_bf16(kern, &pool, ta, tb, M, N, K, A.data(), lda, B.data(), ldb, beta, got2.data(), ldc);
            const std::string what = std::string(bf16_kernel_name(kern)) + " " + std::to_string(M) + "x" +
                                     std::to_string(N) + "x" + std::to_string(K) + " ta" + std::to_string(ta) +
                                     " tb" + std::to_string(tb) + " beta " + std::to_string(beta);
            // Same rounded inputs; only the fp32 accumulation order differs
            // (products of unit normals, sums of K terms of size ~1).
            expect_close(what, got1, want, 1e-5, 2e-6 * std::sqrt(static_cast<double>(K)));
            // Each element is summed by one thread in a fixed order: the bits
            // do not depend on the pool.
            EXPECT_EQ(0, std::memcmp(got1.data(), got2.data(), got1.size() * sizeof(float))) << what;
            // padding columns of C (ldc > N) are untouched
            for (int i = 0; i < M; ++i)
              for (int j = N; j < ldc; ++j) ASSERT_EQ(got1[i * ldc + j], C0[i * ldc + j]) << what;
          }
    }
  }
}

TEST(KernelGemmBf16, FastKernelsFlushDenormalInputsLikeTheReference) {
  const auto kernels = fast_kernels();
  if (kernels.empty()) GTEST_SKIP() << "CPU lacks AVX512-BF16";
  // 1e-39 is an fp32 denormal: rounded to bf16 it becomes 0, so the product
  // with 1e30 contributes nothing (1e-9 if it were kept).
  std::vector<float> A = {1e-39f, 1.0f}, B = {1e30f, 2.0f};
  for (Bf16Kernel kern : kernels) {
    float c = 0, r = 0;
    gemm_bf16(Bf16Kernel::kScalar, nullptr, false, false, 1, 1, 2, A.data(), 2, B.data(), 1, 0.0f, &r, 1);
    gemm_bf16(kern, nullptr, false, false, 1, 1, 2, A.data(), 2, B.data(), 1, 0.0f, &c, 1);
    EXPECT_EQ(r, 2.0f);
    EXPECT_EQ(c, r) << bf16_kernel_name(kern);
  }
}

// matmul_forward / matmul_backward / matmul_nt_forward and the classifier in
// bf16 mode with each fast kernel against the same calls with the reference.
TEST(KernelGemmBf16, ModelMatmulsRouteThroughTheBf16Kernel) {
  const auto kernels = fast_kernels();
  if (kernels.empty()) GTEST_SKIP() << "CPU lacks AVX512-BF16";
  ThreadPool pool(2);
  const int N = 37, C = 24, OC = 50;
  auto x = randn(N * C, 1), w = randn(C * OC, 2), b = randn(OC, 3), dy = randn(N * OC, 4);
  auto run = [&](const KernelContext& ctx) {
    std::vector<float> out(N * OC), dx(N * C, 0.0f), dw(C * OC, 0.0f), db(OC, 0.0f), nt(N * N);
    matmul_forward(out.data(), x.data(), w.data(), b.data(), N, C, OC, ctx);
    matmul_backward(dx.data(), dw.data(), db.data(), dy.data(), x.data(), w.data(), N, C, OC, ctx);
    // x @ x^T: the Linear-orientation product of the tied head
    matmul_nt_forward(nt.data(), x.data(), x.data(), N, C, N, ctx);
    std::vector<float> all;
    for (auto* v : {&out, &dx, &dw, &db, &nt}) all.insert(all.end(), v->begin(), v->end());
    return all;
  };
  const auto want = run(KernelContext{nullptr, Isa::kScalar, Bf16Kernel::kScalar});
  const auto fp32 = run(KernelContext{nullptr, Isa::kScalar, Bf16Kernel::kOff});
  for (Bf16Kernel kern : kernels) {
    const auto got = run(KernelContext{&pool, best_isa(), kern});
    expect_close(bf16_kernel_name(kern), got, want, 1e-5, 1e-5);
  }
  // and bf16 really rounds: it differs from fp32 (by ~2^-9 relative per input)
  double diff = 0;
  for (size_t i = 0; i < want.size(); ++i) diff = std::max(diff, std::fabs(static_cast<double>(want[i]) - fp32[i]));
  EXPECT_GT(diff, 1e-4);
  // each product carries ~2^-8 relative error; sums of up to 37 unit-normal
  // products: about 4 standard deviations of that over sqrt(37) terms
  expect_close("bf16 vs fp32", want, fp32, 1e-2, 4 * std::ldexp(1.0, -8) * std::sqrt(37.0));
}

TEST(KernelGemmBf16, ClassifierInBf16TracksFp32) {
  const auto kernels = fast_kernels();
  if (kernels.empty()) GTEST_SKIP() << "CPU lacks AVX512-BF16";
  ThreadPool pool(2);
  const int N = 20, C = 16, V = 300;
  auto x = randn(N * C, 5), wte = randn(V * C, 6, 0.1f);
  std::vector<int32_t> tg(N);
  for (int i = 0; i < N; ++i) tg[i] = (i * 37) % V;
  tg[3] = -1;
  auto run = [&](const KernelContext& ctx, double* loss) {
    std::vector<float> dx(N * C, 0.0f), dw(V * C, 0.0f), scratch(static_cast<size_t>(classifier_scratch_floats(8, V)));
    *loss = classifier_forward_backward(x.data(), wte.data(), tg.data(), N, C, V, 1.0f / N, dx.data(), dw.data(), nullptr,
                                        scratch.data(), 8, ctx).sum;
    dx.insert(dx.end(), dw.begin(), dw.end());
    return dx;
  };
  double l_ref = 0, l_fp32 = 0;
  const auto want = run(KernelContext{nullptr, Isa::kScalar, Bf16Kernel::kScalar}, &l_ref);
  const auto fp32 = run(KernelContext{nullptr, Isa::kScalar, Bf16Kernel::kOff}, &l_fp32);
  EXPECT_NEAR(l_ref, l_fp32, 1e-2 * std::fabs(l_fp32));
  for (Bf16Kernel kern : kernels) {
    double l = 0;
    const auto got = run(KernelContext{&pool, best_isa(), kern}, &l);
    EXPECT_NEAR(l, l_ref, 1e-5 * std::fabs(l_ref)) << bf16_kernel_name(kern);
    // The backward products take dlogits made from logits summed in another
    // order, so a dlogit near a bf16 rounding boundary can round one bf16 ulp
    // (2^-8 relative) apart between the two runs.
    expect_close(bf16_kernel_name(kern), got, want, 1e-2, 1e-5);
  }
}

TEST(KernelGemmBf16, ResolvePrecisionNamesWhatIsWrong) {
  EXPECT_EQ(*resolve_precision("", Isa::kScalar), Bf16Kernel::kOff);
  EXPECT_EQ(*resolve_precision("fp32", best_isa()), Bf16Kernel::kOff);
  EXPECT_EQ(*resolve_precision("bf16", Isa::kScalar), Bf16Kernel::kScalar);
  EXPECT_EQ(*resolve_precision("bf16-scalar", best_isa()), Bf16Kernel::kScalar);
  const auto bad = resolve_precision("fp16", best_isa());
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("fp16"), std::string::npos);
  EXPECT_NE(bad.status().message().find("bf16"), std::string::npos);
  const auto best = resolve_precision("bf16", best_isa());
  if (best_bf16_kernel() == Bf16Kernel::kOff) {
    ASSERT_FALSE(best.is_ok());
    EXPECT_NE(best.status().message().find("AVX512-BF16"), std::string::npos);
  } else {
    EXPECT_EQ(*best, best_bf16_kernel());
  }
}

}  // namespace
}  // namespace marketlm::kernels
