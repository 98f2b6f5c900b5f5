// LayerNorm, GELU, residual, dropout, softmax, cross-entropy, encoder.
#include "marketlm/kernels/elementwise.h"
#include "marketlm/kernels/embedding.h"
#include "marketlm/kernels/layernorm.h"
#include "marketlm/kernels/softmax.h"

#include "kernels/kernel_test_util.h"

namespace marketlm::kernels {
namespace {
using namespace marketlm::kernels::testing;

TEST(KernelLayerNorm, BackwardMatchesFiniteDifferences) {
  const int N = 4, C = 19;
  ThreadPool pool(2);
  for (Isa isa : test_isas()) {
    KernelContext ctx{&pool, isa};
    auto x = randn(N * C, 1), w = randn(C, 2), b = randn(C, 3), g = randn(N * C, 4);
    std::vector<float> out(N * C), mean(N), rstd(N);
    auto loss = [&] {
      layernorm_forward(out.data(), mean.data(), rstd.data(), x.data(), w.data(), b.data(), N, C, 1e-5f, ctx);
      return dot_d(out, g);
    };
    loss();
    std::vector<float> dx(N * C, 0.f), dw(C, 0.f), db(C, 0.f);
    layernorm_backward(dx.data(), dw.data(), db.data(), g.data(), x.data(), w.data(), mean.data(), rstd.data(),
                       N, C, ctx);
    expect_fd_grad(std::string("ln dx ") + isa_name(isa), x, dx, loss, 1e-2f, 3e-2, 3e-3);
    expect_fd_grad("ln dw", w, dw, loss);
    expect_fd_grad("ln db", b, db, loss);
  }
}

TEST(KernelLayerNorm, PathsMatchScalar) {
  const int N = 9, C = 77;
  auto x = randn(N * C, 5, 3.0f), w = randn(C, 6), b = randn(C, 7), g = randn(N * C, 8);
  std::vector<float> o0(N * C), m0(N), r0(N), dx0(N * C, 0.f), dw0(C, 0.f), db0(C, 0.f);
  KernelContext sc{nullptr, Isa::kScalar};
  layernorm_forward(o0.data(), m0.data(), r0.data(), x.data(), w.data(), b.data(), N, C, 1e-5f, sc);
  layernorm_backward(dx0.data(), dw0.data(), db0.data(), g.data(), x.data(), w.data(), m0.data(), r0.data(), N, C, sc);
  // normalised rows have mean 0 and variance 1 before the affine part
  EXPECT_NEAR(m0[0], [&] { double s = 0; for (int c = 0; c < C; ++c) s += x[c]; return s / C; }(), 1e-5);
  ThreadPool pool(2);
  for (Isa isa : test_isas()) {
    KernelContext ctx{&pool, isa};
    std::vector<float> o(N * C), m(N), r(N), dx(N * C, 0.f), dw(C, 0.f), db(C, 0.f);
    layernorm_forward(o.data(), m.data(), r.data(), x.data(), w.data(), b.data(), N, C, 1e-5f, ctx);
    layernorm_backward(dx.data(), dw.data(), db.data(), g.data(), x.data(), w.data(), m.data(), r.data(), N, C, ctx);
    expect_close(std::string("ln out ") + isa_name(isa), o, o0, 1e-5, 1e-5);
    expect_close("ln dx", dx, dx0, 1e-4, 1e-5);
    expect_close("ln dw", dw, dw0, 1e-5, 1e-5);
  }
}

TEST(KernelGelu, ForwardMatchesFormulaAndBackwardMatchesFiniteDifferences) {
  const int n = 37;
  ThreadPool pool(2);
  for (Isa isa : test_isas()) {
    KernelContext ctx{&pool, isa};
    auto x = randn(n, 9, 2.0f), g = randn(n, 10);
    x[0] = 0.0f;
    x[1] = -12.0f;
    x[2] = 12.0f;
    std::vector<float> out(n);
    auto loss = [&] {
      gelu_forward(out.data(), x.data(), n, ctx);
      return dot_d(out, g);
    };
    loss();
    for (int i = 0; i < n; ++i) {
      const double xi = x[i];
      const double ref = 0.5 * xi * (1 + std::tanh(std::sqrt(2 / M_PI) * (xi + 0.044715 * xi * xi * xi)));
      EXPECT_NEAR(out[i], ref, 1e-6 + 1e-6 * std::fabs(ref)) << isa_name(isa) << " x=" << xi;
    }
    std::vector<float> dx(n, 0.f);
    gelu_backward(dx.data(), x.data(), g.data(), n, ctx);
    expect_fd_grad(std::string("gelu ") + isa_name(isa), x, dx, loss, 1e-3f, 2e-2, 2e-3);
  }
}

TEST(KernelResidualDropout, ForwardBackwardExact) {
  const int n = 50;
  ThreadPool pool(2);
  auto a = randn(n, 11), b = randn(n, 12), g = randn(n, 13);
  Rng rng(5);
  std::vector<float> mask(n);
  dropout_mask(mask.data(), n, 0.5f, &rng);
  int dropped = 0;
  for (float m : mask) {
    EXPECT_TRUE(m == 0.0f || m == 2.0f);
    dropped += m == 0.0f;
  }
  EXPECT_GT(dropped, 10);
  EXPECT_LT(dropped, 40);
  for (Isa isa : test_isas()) {
    KernelContext ctx{&pool, isa};
    std::vector<float> out(n), da(n, 1.f), db(n, 0.f), dd(n, 0.f), dout(n);
    residual_forward(out.data(), a.data(), b.data(), n, ctx);
    residual_backward(da.data(), db.data(), g.data(), n, ctx);
    dropout_forward(dout.data(), a.data(), mask.data(), n, ctx);
    dropout_backward(dd.data(), g.data(), mask.data(), n, ctx);
    for (int i = 0; i < n; ++i) {
      EXPECT_FLOAT_EQ(out[i], a[i] + b[i]);
      EXPECT_FLOAT_EQ(da[i], 1.f + g[i]);
      EXPECT_FLOAT_EQ(db[i], g[i]);
      EXPECT_FLOAT_EQ(dout[i], a[i] * mask[i]);
      EXPECT_FLOAT_EQ(dd[i], g[i] * mask[i]);
    }
  }
}

TEST(KernelSoftmax, BackwardMatchesFiniteDifferencesAndPathsAgree) {
  const int N = 3, V = 21;
  auto x = randn(N * V, 14, 3.0f), g = randn(N * V, 15);
  std::vector<float> ref(N * V);
  softmax_forward(ref.data(), x.data(), N, V, KernelContext{});
  for (Isa isa : test_isas()) {
    KernelContext ctx{nullptr, isa};
    std::vector<float> out(N * V);
    auto loss = [&] {
      softmax_forward(out.data(), x.data(), N, V, ctx);
      return dot_d(out, g);
    };
    loss();
    expect_close(std::string("softmax ") + isa_name(isa), out, ref, 1e-5, 1e-7);
    std::vector<float> dx(N * V, 0.f);
    softmax_backward(dx.data(), g.data(), out.data(), N, V, ctx);
    expect_fd_grad("softmax dx", x, dx, loss, 1e-3f);
  }
}

TEST(KernelCrossEntropy, LossValueIgnoreIndexAndGradient) {
  const int N = 4, V = 23;
  auto logits = randn(N * V, 16, 2.0f), dl = randn(N, 17);
  std::vector<int32_t> targets = {3, kIgnoreIndex, 22, 0};
  for (Isa isa : test_isas()) {
    KernelContext ctx{nullptr, isa};
    std::vector<float> losses(N);
    crossentropy_forward(losses.data(), logits.data(), targets.data(), N, V, ctx);
    for (int n = 0; n < N; ++n) {
      if (targets[n] < 0) {
        EXPECT_EQ(losses[n], 0.0f);
        continue;
      }
      double s = 0;
      for (int v = 0; v < V; ++v) s += std::exp(static_cast<double>(logits[n * V + v]));
      EXPECT_NEAR(losses[n], std::log(s) - logits[n * V + targets[n]], 1e-5) << isa_name(isa);
    }
    auto loss = [&] {
      crossentropy_forward(losses.data(), logits.data(), targets.data(), N, V, ctx);
      return dot_d(losses, dl);
    };
    std::vector<float> d(N * V, 0.f);
    crossentropy_backward(d.data(), dl.data(), logits.data(), targets.data(), N, V, ctx);
    for (int v = 0; v < V; ++v) EXPECT_EQ(d[V + v], 0.0f);  // ignored row
    expect_fd_grad(std::string("xent ") + isa_name(isa), logits, d, loss, 1e-2f);
  }
}

TEST(KernelEncoder, ForwardAndScatterBackwardWithRepeatedTokens) {
  const int B = 2, T = 3, C = 5, V = 4;
  std::vector<int32_t> tok = {1, 3, 1, 1, 0, 3};
  auto wte = randn(V * C, 18), wpe = randn(T * C, 19), g = randn(B * T * C, 20);
  ThreadPool pool(2);
  for (Isa isa : test_isas()) {
    KernelContext ctx{&pool, isa};
    std::vector<float> out(B * T * C);
    auto loss = [&] {
      encoder_forward(out.data(), tok.data(), wte.data(), wpe.data(), B, T, C, ctx);
      return dot_d(out, g);
    };
    loss();
    EXPECT_FLOAT_EQ(out[(1 * T + 2) * C + 4], wte[3 * C + 4] + wpe[2 * C + 4]);
    std::vector<float> dwte(V * C, 0.f), dwpe(T * C, 0.f);
    encoder_backward(dwte.data(), dwpe.data(), g.data(), tok.data(), B, T, C, ctx);
    expect_fd_grad("d_wte", wte, dwte, loss);
    expect_fd_grad("d_wpe", wpe, dwpe, loss);
    for (int c = 0; c < C; ++c) EXPECT_EQ(dwte[2 * C + c], 0.0f);  // token 2 unused
  }
}

}  // namespace
}  // namespace marketlm::kernels
