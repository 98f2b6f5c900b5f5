// Helpers for kernel tests: random tensors, the instruction-set paths to run
// (all the CPU supports, or only MARKETLM_ISA when set), and a central
// finite-difference gradient check.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "marketlm/core/rng.h"
#include "marketlm/kernels/kernel_context.h"

namespace marketlm::kernels::testing {

inline std::vector<float> randn(size_t n, uint64_t seed, float scale = 1.0f) {
  Rng rng(seed);
  std::vector<float> v(n);
  for (auto& x : v) x = static_cast<float>(rng.normal()) * scale;
  return v;
}

// The SIMD paths to compare against scalar.
inline std::vector<Isa> test_isas() {
  const char* env = std::getenv("MARKETLM_ISA");
  if (env != nullptr && *env != '\0' && std::string(env) != "auto") {
    auto r = resolve_isa(env);
    if (r.is_ok()) return {*r};
    return {};
  }
  return supported_isas();
}

inline double dot_d(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += static_cast<double>(a[i]) * b[i];
  return s;
}

// Compares analytic[i] with (L(x+eps e_i) - L(x-eps e_i)) / 2eps for every i
// (or every `stride`-th). loss() must read x.
inline void expect_fd_grad(const std::string& what, std::vector<float>& x, const std::vector<float>& analytic,
                           const std::function<double()>& loss, float eps = 1e-2f, double rtol = 2e-2,
                           double atol = 2e-3, size_t stride = 1) {
  ASSERT_EQ(x.size(), analytic.size()) << what;
  int bad = 0;
  for (size_t i = 0; i < x.size(); i += stride) {
    const float orig = x[i];
    x[i] = orig + eps;
    const double lp = loss();
    x[i] = orig - eps;
    const double lm = loss();
    x[i] = orig;
    const double fd = (lp - lm) / (2.0 * eps);
    const double tol = atol + rtol * std::max(std::fabs(fd), std::fabs(static_cast<double>(analytic[i])));
    if (std::fabs(fd - analytic[i]) > tol && bad++ < 5)
      ADD_FAILURE() << what << "[" << i << "]: analytic " << analytic[i] << " vs finite difference " << fd;
  }
  EXPECT_EQ(bad, 0) << what << ": " << bad << " gradient entries off";
}

inline void expect_close(const std::string& what, const float* a, const float* b, size_t n, double rtol,
                         double atol) {
  int bad = 0;
  for (size_t i = 0; i < n; ++i) {
    const double tol = atol + rtol * std::fabs(static_cast<double>(b[i]));
    if (!(std::fabs(static_cast<double>(a[i]) - b[i]) <= tol) && bad++ < 5)
      ADD_FAILURE() << what << "[" << i << "]: " << a[i] << " vs reference " << b[i];
  }
  EXPECT_EQ(bad, 0) << what;
}
inline void expect_close(const std::string& what, const std::vector<float>& a, const std::vector<float>& b,
                         double rtol, double atol) {
  ASSERT_EQ(a.size(), b.size()) << what;
  expect_close(what, a.data(), b.data(), a.size(), rtol, atol);
}

}  // namespace marketlm::kernels::testing
