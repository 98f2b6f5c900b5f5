#include "marketlm/kernels/adamw.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "marketlm/core/rng.h"
#include "marketlm/core/thread_pool.h"

namespace marketlm {
namespace {

// torch.optim.AdamW written out in double, one parameter at a time.
struct RefAdamW {
  double lr, b1, b2, eps, wd;
  std::vector<double> p, m, v;
  int t = 0;
  void step(const std::vector<double>& g) {
    ++t;
    for (size_t i = 0; i < p.size(); ++i) {
      p[i] *= 1 - lr * wd;
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      const double mhat = m[i] / (1 - std::pow(b1, t));
      const double vhat = v[i] / (1 - std::pow(b2, t));
      p[i] -= lr * mhat / (std::sqrt(vhat) + eps);
    }
  }
};

TEST(AdamWKernel, MatchesHandComputedThreeSteps) {
  // Step 1 by hand for p=1, g=0.5, lr=0.1, wd=0.01: p = 1*(1-0.001) = 0.999;
  // m = 0.05, v = 0.00025; mhat = 0.5, vhat = 0.25; p = 0.999 - 0.1*0.5/0.5 = 0.899.
  std::vector<float> p = {1.0f, -2.0f, 0.5f}, m(3, 0.0f), v(3, 0.0f);
  AdamWHyper h;
  h.lr = 0.1f;
  h.beta1 = 0.9f;
  h.beta2 = 0.999f;
  h.eps = 1e-8f;
  h.weight_decay = 0.01f;
  const std::vector<std::vector<float>> grads = {{0.5f, -1.0f, 0.0f}, {0.25f, 2.0f, 1.0f}, {-0.5f, 0.1f, 0.0f}};
  RefAdamW ref{0.1, 0.9, 0.999, 1e-8, 0.01, {1.0, -2.0, 0.5}, {0, 0, 0}, {0, 0, 0}};
  for (int s = 0; s < 3; ++s) {
    h.step = s + 1;
    adamw_step_scalar(p.data(), grads[s].data(), m.data(), v.data(), 3, h);
    ref.step({grads[s].begin(), grads[s].end()});
    if (s == 0) {
      EXPECT_NEAR(p[0], 0.899f, 1e-6);
      EXPECT_NEAR(p[1], -2.0 * 0.999 + 0.1, 1e-6);  // g<0: mhat/sqrt(vhat) = -1
      EXPECT_NEAR(p[2], 0.5 * 0.999, 1e-7);          // g=0: decay only
    }
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(p[i], ref.p[i], 2e-6) << "step " << s + 1 << " param " << i;
  }
}

TEST(AdamWKernel, SimdPathsMatchScalarBitForBit) {
  const size_t n = 1000 + 13;  // not a multiple of 8 or 16: exercises the tails
  Rng rng(7);
  std::vector<float> p0(n), g(n);
  for (size_t i = 0; i < n; ++i) {
    p0[i] = static_cast<float>(rng.normal());
    g[i] = static_cast<float>(rng.normal() * 0.1);
  }
  for (kernels::Isa path : {kernels::Isa::kAvx2, kernels::Isa::kAvx512}) {
    if (!kernels::isa_supported(path)) {
      GTEST_LOG_(INFO) << kernels::isa_name(path) << " not supported here; skipped";
      continue;
    }
    std::vector<float> ps = p0, ms(n), vs(n), pv = p0, mv(n), vv(n);
    AdamWHyper h;
    h.lr = 3e-3f;
    h.weight_decay = 0.1f;
    for (int s = 1; s <= 4; ++s) {
      h.step = s;
      adamw_step_scalar(ps.data(), g.data(), ms.data(), vs.data(), n, h);
      if (path == kernels::Isa::kAvx2) adamw_step_avx2(pv.data(), g.data(), mv.data(), vv.data(), n, h);
      else adamw_step_avx512(pv.data(), g.data(), mv.data(), vv.data(), n, h);
    }
    for (size_t i = 0; i < n; ++i) {
      ASSERT_EQ(ps[i], pv[i]) << kernels::isa_name(path) << " i=" << i;
      ASSERT_EQ(ms[i], mv[i]);
      ASSERT_EQ(vs[i], vv[i]);
    }
  }
}

TEST(AdamWKernel, ThreadedDispatchEqualsSerial) {
  const size_t n = 100000;
  Rng rng(3);
  std::vector<float> p(n), g(n);
  for (size_t i = 0; i < n; ++i) {
    p[i] = static_cast<float>(rng.normal());
    g[i] = static_cast<float>(rng.normal());
  }
  std::vector<float> p1 = p, m1(n), v1(n), p2 = p, m2(n), v2(n);
  ThreadPool pool(3);
  AdamWHyper h;
  h.weight_decay = 0.05f;
  adamw_step(kernels::Isa::kScalar, nullptr, p1.data(), g.data(), m1.data(), v1.data(), n, h);
  adamw_step(kernels::best_isa(), &pool, p2.data(), g.data(), m2.data(), v2.data(), n, h);
  EXPECT_EQ(p1, p2);
  EXPECT_EQ(m1, m2);
  EXPECT_EQ(v1, v2);
}

TEST(AdamWKernel, PathNamesParseAndRefuseUnknown) {
  EXPECT_EQ(*kernels::resolve_isa("scalar"), kernels::Isa::kScalar);
  auto bad = kernels::resolve_isa("neon");
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("neon"), std::string::npos);
}

}  // namespace
}  // namespace marketlm
