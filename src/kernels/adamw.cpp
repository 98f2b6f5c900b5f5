// AdamW update: scalar reference, AVX2 and AVX-512 paths with identical
// arithmetic order (no FMA), plus a dispatcher that splits the work over the
// thread pool. See include/marketlm/kernels/adamw.h for the update rule.
#include "marketlm/kernels/adamw.h"

#include <immintrin.h>

#include <cmath>
#include <string>

#include "marketlm/core/thread_pool.h"

namespace marketlm {

namespace {

// Scalars shared by every path, derived once per call in double precision
// (as PyTorch does with Python floats) and rounded to float.
struct Coeffs {
  float decay;       // 1 - lr * weight_decay
  float b1, om_b1;   // beta1, 1 - beta1
  float b2, om_b2;   // beta2, 1 - beta2
  float bc2_sqrt;    // sqrt(1 - beta2^t)
  float step_size;   // lr / (1 - beta1^t)
  float eps;
};

Coeffs coeffs(const AdamWHyper& h) {
  const double t = static_cast<double>(h.step < 1 ? 1 : h.step);
  const double bc1 = 1.0 - std::pow(static_cast<double>(h.beta1), t);
  const double bc2 = 1.0 - std::pow(static_cast<double>(h.beta2), t);
  Coeffs c;
  c.decay = static_cast<float>(1.0 - static_cast<double>(h.lr) * h.weight_decay);
  c.b1 = h.beta1;
  c.om_b1 = static_cast<float>(1.0 - static_cast<double>(h.beta1));
  c.b2 = h.beta2;
  c.om_b2 = static_cast<float>(1.0 - static_cast<double>(h.beta2));
  c.bc2_sqrt = static_cast<float>(std::sqrt(bc2));
  c.step_size = static_cast<float>(static_cast<double>(h.lr) / bc1);
  c.eps = h.eps;
  return c;
}

inline void scalar_range(float* p, const float* g, float* m, float* v, size_t begin, size_t end,
                         const Coeffs& c) {
  for (size_t i = begin; i < end; ++i) {
    const float gi = g[i];
    const float pi = p[i] * c.decay;
    const float mi = m[i] * c.b1 + c.om_b1 * gi;
    const float vi = v[i] * c.b2 + c.om_b2 * (gi * gi);
    const float denom = std::sqrt(vi) / c.bc2_sqrt + c.eps;
    m[i] = mi;
    v[i] = vi;
    p[i] = pi - c.step_size * (mi / denom);
  }
}

__attribute__((target("avx2"))) void avx2_range(float* p, const float* g, float* m, float* v,
                                                size_t n, const Coeffs& c) {
  const __m256 decay = _mm256_set1_ps(c.decay), b1 = _mm256_set1_ps(c.b1),
               om_b1 = _mm256_set1_ps(c.om_b1), b2 = _mm256_set1_ps(c.b2),
               om_b2 = _mm256_set1_ps(c.om_b2), bc2 = _mm256_set1_ps(c.bc2_sqrt),
               step = _mm256_set1_ps(c.step_size), eps = _mm256_set1_ps(c.eps);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 gi = _mm256_loadu_ps(g + i);
    const __m256 pi = _mm256_mul_ps(_mm256_loadu_ps(p + i), decay);
    const __m256 mi = _mm256_add_ps(_mm256_mul_ps(_mm256_loadu_ps(m + i), b1), _mm256_mul_ps(om_b1, gi));
    const __m256 vi = _mm256_add_ps(_mm256_mul_ps(_mm256_loadu_ps(v + i), b2),
                                    _mm256_mul_ps(om_b2, _mm256_mul_ps(gi, gi)));
    const __m256 denom = _mm256_add_ps(_mm256_div_ps(_mm256_sqrt_ps(vi), bc2), eps);
    _mm256_storeu_ps(m + i, mi);
    _mm256_storeu_ps(v + i, vi);
    _mm256_storeu_ps(p + i, _mm256_sub_ps(pi, _mm256_mul_ps(step, _mm256_div_ps(mi, denom))));
  }
  scalar_range(p, g, m, v, i, n, c);
}

__attribute__((target("avx512f"))) void avx512_range(float* p, const float* g, float* m, float* v,
                                                     size_t n, const Coeffs& c) {
  const __m512 decay = _mm512_set1_ps(c.decay), b1 = _mm512_set1_ps(c.b1),
               om_b1 = _mm512_set1_ps(c.om_b1), b2 = _mm512_set1_ps(c.b2),
               om_b2 = _mm512_set1_ps(c.om_b2), bc2 = _mm512_set1_ps(c.bc2_sqrt),
               step = _mm512_set1_ps(c.step_size), eps = _mm512_set1_ps(c.eps);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512 gi = _mm512_loadu_ps(g + i);
    const __m512 pi = _mm512_mul_ps(_mm512_loadu_ps(p + i), decay);
    const __m512 mi = _mm512_add_ps(_mm512_mul_ps(_mm512_loadu_ps(m + i), b1), _mm512_mul_ps(om_b1, gi));
    const __m512 vi = _mm512_add_ps(_mm512_mul_ps(_mm512_loadu_ps(v + i), b2),
                                    _mm512_mul_ps(om_b2, _mm512_mul_ps(gi, gi)));
    // maskz form: the plain one trips a false -Wmaybe-uninitialized in GCC 12 headers
    const __m512 denom = _mm512_add_ps(_mm512_div_ps(_mm512_maskz_sqrt_ps(0xFFFF, vi), bc2), eps);
    _mm512_storeu_ps(m + i, mi);
    _mm512_storeu_ps(v + i, vi);
    _mm512_storeu_ps(p + i, _mm512_sub_ps(pi, _mm512_mul_ps(step, _mm512_div_ps(mi, denom))));
  }
  scalar_range(p, g, m, v, i, n, c);
}

void run_path(kernels::Isa path, float* p, const float* g, float* m, float* v, size_t n, const Coeffs& c) {
  switch (path) {
    case kernels::Isa::kAvx512: avx512_range(p, g, m, v, n, c); return;
    case kernels::Isa::kAvx2: avx2_range(p, g, m, v, n, c); return;
    case kernels::Isa::kScalar: scalar_range(p, g, m, v, 0, n, c); return;
  }
}

}  // namespace

void adamw_step_scalar(float* p, const float* g, float* m, float* v, size_t n, const AdamWHyper& h) {
  scalar_range(p, g, m, v, 0, n, coeffs(h));
}
void adamw_step_avx2(float* p, const float* g, float* m, float* v, size_t n, const AdamWHyper& h) {
  avx2_range(p, g, m, v, n, coeffs(h));
}
void adamw_step_avx512(float* p, const float* g, float* m, float* v, size_t n, const AdamWHyper& h) {
  avx512_range(p, g, m, v, n, coeffs(h));
}

void adamw_step(kernels::Isa path, ThreadPool* pool, float* p, const float* g, float* m, float* v,
                size_t n, const AdamWHyper& h) {
  const Coeffs c = coeffs(h);
  constexpr int64_t kGrain = 1 << 14;  // below this, threading costs more than it saves
  if (!pool || pool->size() <= 1 || static_cast<int64_t>(n) < 2 * kGrain) {
    run_path(path, p, g, m, v, n, c);
    return;
  }
  pool->parallel_for(
      static_cast<int64_t>(n),
      [&](int64_t b, int64_t e, int) {
        run_path(path, p + b, g + b, m + b, v + b, static_cast<size_t>(e - b), c);
      },
      kGrain);
}

}  // namespace marketlm
