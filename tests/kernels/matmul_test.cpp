#include "marketlm/kernels/matmul.h"

#include <cstring>
#include <tuple>

#include "kernels/kernel_test_util.h"

namespace marketlm::kernels {
namespace {
using namespace marketlm::kernels::testing;

TEST(KernelGemm, AllTransposesMatchDoubleReferenceOnEveryPath) {
  const int M = 7, N = 9, K = 13;
  for (Isa isa : test_isas()) {
    for (int ta = 0; ta < 2; ++ta) {
      for (int tb = 0; tb < 2; ++tb) {
        auto A = randn(static_cast<size_t>(M) * K, 1), B = randn(static_cast<size_t>(K) * N, 2);
        auto Cm = randn(static_cast<size_t>(M) * N, 3);
        const int lda = ta ? M : K, ldb = tb ? K : N;
        std::vector<float> ref(Cm.size());
        for (int i = 0; i < M; ++i)
          for (int j = 0; j < N; ++j) {
            double s = 0.5 * Cm[i * N + j];
            for (int k = 0; k < K; ++k)
              s += static_cast<double>(ta ? A[k * lda + i] : A[i * lda + k]) * (tb ? B[j * ldb + k] : B[k * ldb + j]);
            ref[i * N + j] = static_cast<float>(s);
          }
        gemm(isa, ta, tb, M, N, K, A.data(), lda, B.data(), ldb, 0.5f, Cm.data(), N);
        expect_close(std::string("gemm ") + isa_name(isa), Cm, ref, 1e-5, 1e-5);
      }
    }
  }
}

TEST(KernelMatmul, BackwardMatchesFiniteDifferences) {
  const int N = 5, C = 6, OC = 7;
  ThreadPool pool(2);
  for (Isa isa : test_isas()) {
    KernelContext ctx{&pool, isa};
    auto inp = randn(N * C, 4), w = randn(C * OC, 5), bias = randn(OC, 6), g = randn(N * OC, 7);
    std::vector<float> out(N * OC);
    auto loss = [&] {
      matmul_forward(out.data(), inp.data(), w.data(), bias.data(), N, C, OC, ctx);
      return dot_d(out, g);
    };
    std::vector<float> d_inp(N * C, 0.f), d_w(C * OC, 0.f), d_b(OC, 0.f);
    matmul_backward(d_inp.data(), d_w.data(), d_b.data(), g.data(), inp.data(), w.data(), N, C, OC, ctx);
    expect_fd_grad("d_inp", inp, d_inp, loss);
    expect_fd_grad("d_w", w, d_w, loss);
    expect_fd_grad("d_bias", bias, d_b, loss);
  }
}

TEST(KernelMatmul, PathsMatchScalarAndBackwardAccumulates) {
  const int N = 33, C = 40, OC = 24;
  ThreadPool pool(2);
  auto inp = randn(N * C, 8), w = randn(C * OC, 9), bias = randn(OC, 10), g = randn(N * OC, 11);
  auto run = [&](Isa isa, std::vector<float>& out, std::vector<float>& di, std::vector<float>& dw,
                 std::vector<float>& db) {
    KernelContext ctx{&pool, isa};
    out.assign(N * OC, 0.f);
    di.assign(N * C, 1.f);  // starts at 1: backward must add, not overwrite
    dw.assign(C * OC, 1.f);
    db.assign(OC, 1.f);
    matmul_forward(out.data(), inp.data(), w.data(), bias.data(), N, C, OC, ctx);
    matmul_backward(di.data(), dw.data(), db.data(), g.data(), inp.data(), w.data(), N, C, OC, ctx);
  };
  std::vector<float> o0, i0, w0, b0;
  run(Isa::kScalar, o0, i0, w0, b0);
  // scalar reference against a double computation of one entry each
  double s = bias[3];
  for (int c = 0; c < C; ++c) s += static_cast<double>(inp[2 * C + c]) * w[c * OC + 3];
  EXPECT_NEAR(o0[2 * OC + 3], s, 1e-4);
  double sb = 1.0;
  for (int n = 0; n < N; ++n) sb += g[n * OC + 5];
  EXPECT_NEAR(b0[5], sb, 1e-4);
  for (Isa isa : test_isas()) {
    std::vector<float> o, di, dw, db;
    run(isa, o, di, dw, db);
    expect_close(std::string("out ") + isa_name(isa), o, o0, 1e-5, 1e-5);
    expect_close(std::string("d_inp ") + isa_name(isa), di, i0, 1e-5, 1e-5);
    expect_close(std::string("d_w ") + isa_name(isa), dw, w0, 1e-5, 1e-5);
    expect_close(std::string("d_b ") + isa_name(isa), db, b0, 1e-5, 1e-5);
  }
}

TEST(KernelMatmul, NtForwardIsTransposedProduct) {
  const int N = 6, C = 8, OC = 70;
  ThreadPool pool(2);
  auto inp = randn(N * C, 12), w = randn(OC * C, 13);
  for (Isa isa : test_isas()) {
    KernelContext ctx{&pool, isa};
    std::vector<float> out(N * OC), ref(N * OC);
    matmul_nt_forward(out.data(), inp.data(), w.data(), N, C, OC, ctx);
    for (int n = 0; n < N; ++n)
      for (int o = 0; o < OC; ++o) {
        double s = 0;
        for (int c = 0; c < C; ++c) s += static_cast<double>(inp[n * C + c]) * w[o * C + c];
        ref[n * OC + o] = static_cast<float>(s);
      }
    expect_close(std::string("nt ") + isa_name(isa), out, ref, 1e-5, 1e-5);
  }
}

}  // namespace
}  // namespace marketlm::kernels

namespace marketlm::kernels {
namespace {

TEST(KernelIsa, ResolveNamesPathsAndRefusesUnknownOnes) {
  EXPECT_EQ(*resolve_isa("scalar"), Isa::kScalar);
  EXPECT_EQ(*resolve_isa(""), best_isa());
  EXPECT_EQ(*resolve_isa("auto"), best_isa());
  auto bad = resolve_isa("sse9");
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("'sse9'"), std::string::npos);
  EXPECT_EQ(supported_isas().front(), Isa::kScalar);
  for (Isa isa : supported_isas()) EXPECT_EQ(*resolve_isa(isa_name(isa)), isa);
}

}  // namespace
}  // namespace marketlm::kernels
