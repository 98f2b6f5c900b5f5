// Scalar, AVX2 and AVX-512 row primitives. SIMD code uses per-function target
// attributes; callers pick the path at run time (KernelContext::isa).
#include "kernels/simd.h"

// GCC 12's AVX-512 headers build masked loads from _mm512_undefined_ps(),
// which trips -Wuninitialized inside the header; the values are never read.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <cmath>

namespace marketlm::kernels::simd {
namespace {

constexpr float kGeluK = 0.7978845608028654f;  // sqrt(2 / pi)
constexpr float kGeluC = 0.044715f;

// ---------------------------------------------------------------- scalar
float sum_s(const float* x, int n) {
  float s = 0.0f;
  for (int i = 0; i < n; ++i) s += x[i];
  return s;
}
float ssd_s(const float* x, float m, int n) {
  float s = 0.0f;
  for (int i = 0; i < n; ++i) s += (x[i] - m) * (x[i] - m);
  return s;
}
float dot_s(const float* a, const float* b, int n) {
  float s = 0.0f;
  for (int i = 0; i < n; ++i) s += a[i] * b[i];
  return s;
}
float max_s(const float* x, int n) {
  float m = -INFINITY;
  for (int i = 0; i < n; ++i) m = x[i] > m ? x[i] : m;
  return m;
}
float exp_sub_sum_s(float* out, const float* x, float m, int n) {
  float s = 0.0f;
  for (int i = 0; i < n; ++i) {
    out[i] = std::exp(x[i] - m);
    s += out[i];
  }
  return s;
}
inline float gelu_s(float x) {
  const float u = kGeluK * (x + kGeluC * x * x * x);
  return 0.5f * x * (1.0f + std::tanh(u));
}
inline float gelu_grad_s(float x) {
  const float u = kGeluK * (x + kGeluC * x * x * x);
  const float t = std::tanh(u);
  const float sech2 = 1.0f - t * t;
  return 0.5f * (1.0f + t) + 0.5f * x * sech2 * kGeluK * (1.0f + 3.0f * kGeluC * x * x);
}

// ---------------------------------------------------------------- AVX2
#define ML_AVX2 __attribute__((target("avx2,fma")))
#define ML_AVX512 __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,fma")))

ML_AVX2 inline float hsum8(__m256 v) {
  __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
  lo = _mm_add_ps(lo, hi);
  lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
  lo = _mm_add_ss(lo, _mm_movehdup_ps(lo));
  return _mm_cvtss_f32(lo);
}
ML_AVX2 inline float hmax8(__m256 v) {
  __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
  lo = _mm_max_ps(lo, hi);
  lo = _mm_max_ps(lo, _mm_movehl_ps(lo, lo));
  lo = _mm_max_ss(lo, _mm_movehdup_ps(lo));
  return _mm_cvtss_f32(lo);
}
// exp(x) for x in float range: 2^k * p(r), r = x - k ln2, |r| <= ln2/2,
// degree-6 Taylor-like polynomial; relative error about 2e-7.
ML_AVX2 inline __m256 exp8(__m256 x) {
  x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.3f)), _mm256_set1_ps(88.3f));
  const __m256 k = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.4426950408889634f)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(k, _mm256_set1_ps(0.693145751953125f), x);
  r = _mm256_fnmadd_ps(k, _mm256_set1_ps(1.428606765330187e-06f), r);
  __m256 p = _mm256_set1_ps(1.0f / 720.0f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
  const __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(k), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}
// tanh(u) = 1 - 2 / (exp(2u) + 1)
ML_AVX2 inline __m256 tanh8(__m256 u) {
  const __m256 e = exp8(_mm256_add_ps(u, u));
  return _mm256_sub_ps(_mm256_set1_ps(1.0f),
                       _mm256_div_ps(_mm256_set1_ps(2.0f), _mm256_add_ps(e, _mm256_set1_ps(1.0f))));
}

ML_AVX2 float sum_a2(const float* x, int n) {
  __m256 acc = _mm256_setzero_ps();
  int i = 0;
  for (; i + 8 <= n; i += 8) acc = _mm256_add_ps(acc, _mm256_loadu_ps(x + i));
  float s = hsum8(acc);
  for (; i < n; ++i) s += x[i];
  return s;
}
ML_AVX2 float ssd_a2(const float* x, float m, int n) {
  __m256 acc = _mm256_setzero_ps();
  const __m256 vm = _mm256_set1_ps(m);
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 d = _mm256_sub_ps(_mm256_loadu_ps(x + i), vm);
    acc = _mm256_fmadd_ps(d, d, acc);
  }
  float s = hsum8(acc);
  for (; i < n; ++i) s += (x[i] - m) * (x[i] - m);
  return s;
}
ML_AVX2 void norm_affine_a2(float* out, const float* x, float m, float s, const float* w,
                            const float* b, int n) {
  const __m256 vm = _mm256_set1_ps(m), vs = _mm256_set1_ps(s);
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 xh = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(x + i), vm), vs);
    _mm256_storeu_ps(out + i, _mm256_fmadd_ps(xh, _mm256_loadu_ps(w + i), _mm256_loadu_ps(b + i)));
  }
  for (; i < n; ++i) out[i] = (x[i] - m) * s * w[i] + b[i];
}
ML_AVX2 float dot_a2(const float* a, const float* b, int n) {
  __m256 acc = _mm256_setzero_ps();
  int i = 0;
  for (; i + 8 <= n; i += 8) acc = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc);
  float s = hsum8(acc);
  for (; i < n; ++i) s += a[i] * b[i];
  return s;
}
ML_AVX2 void axpy_a2(float* y, float a, const float* x, int n) {
  const __m256 va = _mm256_set1_ps(a);
  int i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(y + i, _mm256_fmadd_ps(va, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
  for (; i < n; ++i) y[i] += a * x[i];
}
ML_AVX2 void add_a2(float* out, const float* a, const float* b, int n) {
  int i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(out + i, _mm256_add_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i)));
  for (; i < n; ++i) out[i] = a[i] + b[i];
}
ML_AVX2 void mul_acc_a2(float* y, const float* a, const float* b, int n) {
  int i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(y + i, _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i),
                                            _mm256_loadu_ps(y + i)));
  for (; i < n; ++i) y[i] += a[i] * b[i];
}
ML_AVX2 void mul_a2(float* out, const float* a, const float* b, int n) {
  int i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(out + i, _mm256_mul_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i)));
  for (; i < n; ++i) out[i] = a[i] * b[i];
}
ML_AVX2 float max_a2(const float* x, int n) {
  __m256 acc = _mm256_set1_ps(-INFINITY);
  int i = 0;
  for (; i + 8 <= n; i += 8) acc = _mm256_max_ps(acc, _mm256_loadu_ps(x + i));
  float m = hmax8(acc);
  for (; i < n; ++i) m = x[i] > m ? x[i] : m;
  return m;
}
ML_AVX2 float exp_sub_sum_a2(float* out, const float* x, float m, int n) {
  const __m256 vm = _mm256_set1_ps(m);
  __m256 acc = _mm256_setzero_ps();
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 e = exp8(_mm256_sub_ps(_mm256_loadu_ps(x + i), vm));
    _mm256_storeu_ps(out + i, e);
    acc = _mm256_add_ps(acc, e);
  }
  float s = hsum8(acc);
  for (; i < n; ++i) {
    out[i] = std::exp(x[i] - m);
    s += out[i];
  }
  return s;
}
ML_AVX2 void scale_a2(float* out, float s, int n) {
  const __m256 vs = _mm256_set1_ps(s);
  int i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, _mm256_mul_ps(_mm256_loadu_ps(out + i), vs));
  for (; i < n; ++i) out[i] *= s;
}
ML_AVX2 void gelu_fwd_a2(float* out, const float* x, int n) {
  const __m256 k = _mm256_set1_ps(kGeluK), c = _mm256_set1_ps(kGeluC), half = _mm256_set1_ps(0.5f),
               one = _mm256_set1_ps(1.0f);
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    const __m256 v3 = _mm256_mul_ps(_mm256_mul_ps(v, v), v);
    const __m256 t = tanh8(_mm256_mul_ps(k, _mm256_fmadd_ps(c, v3, v)));
    _mm256_storeu_ps(out + i, _mm256_mul_ps(_mm256_mul_ps(half, v), _mm256_add_ps(one, t)));
  }
  for (; i < n; ++i) out[i] = gelu_s(x[i]);
}
ML_AVX2 void gelu_bwd_a2(float* dx, const float* x, const float* dout, int n) {
  const __m256 k = _mm256_set1_ps(kGeluK), c = _mm256_set1_ps(kGeluC), half = _mm256_set1_ps(0.5f),
               one = _mm256_set1_ps(1.0f), c3 = _mm256_set1_ps(3.0f * kGeluC);
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    const __m256 v2 = _mm256_mul_ps(v, v);
    const __m256 t = tanh8(_mm256_mul_ps(k, _mm256_fmadd_ps(c, _mm256_mul_ps(v2, v), v)));
    const __m256 sech2 = _mm256_fnmadd_ps(t, t, one);
    const __m256 inner = _mm256_mul_ps(k, _mm256_fmadd_ps(c3, v2, one));
    const __m256 g = _mm256_fmadd_ps(_mm256_mul_ps(_mm256_mul_ps(half, v), sech2), inner,
                                     _mm256_mul_ps(half, _mm256_add_ps(one, t)));
    _mm256_storeu_ps(dx + i, _mm256_fmadd_ps(g, _mm256_loadu_ps(dout + i), _mm256_loadu_ps(dx + i)));
  }
  for (; i < n; ++i) dx[i] += gelu_grad_s(x[i]) * dout[i];
}

// ---------------------------------------------------------------- AVX-512
ML_AVX512 inline __m512 exp16(__m512 x) {
  x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-87.3f)), _mm512_set1_ps(88.3f));
  const __m512 k = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.4426950408889634f)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(k, _mm512_set1_ps(0.693145751953125f), x);
  r = _mm512_fnmadd_ps(k, _mm512_set1_ps(1.428606765330187e-06f), r);
  __m512 p = _mm512_set1_ps(1.0f / 720.0f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
  return _mm512_scalef_ps(p, k);
}
ML_AVX512 inline __m512 tanh16(__m512 u) {
  const __m512 e = exp16(_mm512_add_ps(u, u));
  return _mm512_sub_ps(_mm512_set1_ps(1.0f),
                       _mm512_div_ps(_mm512_set1_ps(2.0f), _mm512_add_ps(e, _mm512_set1_ps(1.0f))));
}
ML_AVX512 inline __mmask16 tail(int left) {
  return left >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << left) - 1u);
}

ML_AVX512 float sum_a5(const float* x, int n) {
  __m512 acc = _mm512_setzero_ps();
  for (int i = 0; i < n; i += 16) acc = _mm512_add_ps(acc, _mm512_maskz_loadu_ps(tail(n - i), x + i));
  return _mm512_reduce_add_ps(acc);
}
ML_AVX512 float ssd_a5(const float* x, float m, int n) {
  __m512 acc = _mm512_setzero_ps();
  const __m512 vm = _mm512_set1_ps(m);
  for (int i = 0; i < n; i += 16) {
    const __mmask16 k = tail(n - i);
    const __m512 d = _mm512_maskz_sub_ps(k, _mm512_maskz_loadu_ps(k, x + i), vm);
    acc = _mm512_fmadd_ps(d, d, acc);
  }
  return _mm512_reduce_add_ps(acc);
}
ML_AVX512 void norm_affine_a5(float* out, const float* x, float m, float s, const float* w,
                              const float* b, int n) {
  const __m512 vm = _mm512_set1_ps(m), vs = _mm512_set1_ps(s);
  for (int i = 0; i < n; i += 16) {
    const __mmask16 k = tail(n - i);
    const __m512 xh = _mm512_mul_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(k, x + i), vm), vs);
    _mm512_mask_storeu_ps(out + i, k,
                          _mm512_fmadd_ps(xh, _mm512_maskz_loadu_ps(k, w + i), _mm512_maskz_loadu_ps(k, b + i)));
  }
}
ML_AVX512 float dot_a5(const float* a, const float* b, int n) {
  __m512 acc = _mm512_setzero_ps();
  for (int i = 0; i < n; i += 16) {
    const __mmask16 k = tail(n - i);
    acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(k, a + i), _mm512_maskz_loadu_ps(k, b + i), acc);
  }
  return _mm512_reduce_add_ps(acc);
}
ML_AVX512 void axpy_a5(float* y, float a, const float* x, int n) {
  const __m512 va = _mm512_set1_ps(a);
  for (int i = 0; i < n; i += 16) {
    const __mmask16 k = tail(n - i);
    _mm512_mask_storeu_ps(y + i, k, _mm512_fmadd_ps(va, _mm512_maskz_loadu_ps(k, x + i), _mm512_maskz_loadu_ps(k, y + i)));
  }
}
ML_AVX512 void add_a5(float* out, const float* a, const float* b, int n) {
  for (int i = 0; i < n; i += 16) {
    const __mmask16 k = tail(n - i);
    _mm512_mask_storeu_ps(out + i, k, _mm512_add_ps(_mm512_maskz_loadu_ps(k, a + i), _mm512_maskz_loadu_ps(k, b + i)));
  }
}
ML_AVX512 void mul_acc_a5(float* y, const float* a, const float* b, int n) {
  for (int i = 0; i < n; i += 16) {
    const __mmask16 k = tail(n - i);
    _mm512_mask_storeu_ps(y + i, k, _mm512_fmadd_ps(_mm512_maskz_loadu_ps(k, a + i), _mm512_maskz_loadu_ps(k, b + i),
                                                    _mm512_maskz_loadu_ps(k, y + i)));
  }
}
ML_AVX512 void mul_a5(float* out, const float* a, const float* b, int n) {
  for (int i = 0; i < n; i += 16) {
    const __mmask16 k = tail(n - i);
    _mm512_mask_storeu_ps(out + i, k, _mm512_mul_ps(_mm512_maskz_loadu_ps(k, a + i), _mm512_maskz_loadu_ps(k, b + i)));
  }
}
ML_AVX512 float max_a5(const float* x, int n) {
  __m512 acc = _mm512_set1_ps(-INFINITY);
  for (int i = 0; i < n; i += 16) {
    const __mmask16 k = tail(n - i);
    acc = _mm512_mask_max_ps(acc, k, acc, _mm512_maskz_loadu_ps(k, x + i));
  }
  return _mm512_reduce_max_ps(acc);
}
ML_AVX512 float exp_sub_sum_a5(float* out, const float* x, float m, int n) {
  const __m512 vm = _mm512_set1_ps(m);
  __m512 acc = _mm512_setzero_ps();
  for (int i = 0; i < n; i += 16) {
    const __mmask16 k = tail(n - i);
    const __m512 e = exp16(_mm512_sub_ps(_mm512_maskz_loadu_ps(k, x + i), vm));
    _mm512_mask_storeu_ps(out + i, k, e);
    acc = _mm512_mask_add_ps(acc, k, acc, e);
  }
  return _mm512_reduce_add_ps(acc);
}
ML_AVX512 void scale_a5(float* out, float s, int n) {
  const __m512 vs = _mm512_set1_ps(s);
  for (int i = 0; i < n; i += 16) {
    const __mmask16 k = tail(n - i);
    _mm512_mask_storeu_ps(out + i, k, _mm512_mul_ps(_mm512_maskz_loadu_ps(k, out + i), vs));
  }
}
ML_AVX512 void gelu_fwd_a5(float* out, const float* x, int n) {
  const __m512 kk = _mm512_set1_ps(kGeluK), c = _mm512_set1_ps(kGeluC), half = _mm512_set1_ps(0.5f),
               one = _mm512_set1_ps(1.0f);
  for (int i = 0; i < n; i += 16) {
    const __mmask16 k = tail(n - i);
    const __m512 v = _mm512_maskz_loadu_ps(k, x + i);
    const __m512 v3 = _mm512_mul_ps(_mm512_mul_ps(v, v), v);
    const __m512 t = tanh16(_mm512_mul_ps(kk, _mm512_fmadd_ps(c, v3, v)));
    _mm512_mask_storeu_ps(out + i, k, _mm512_mul_ps(_mm512_mul_ps(half, v), _mm512_add_ps(one, t)));
  }
}
ML_AVX512 void gelu_bwd_a5(float* dx, const float* x, const float* dout, int n) {
  const __m512 kk = _mm512_set1_ps(kGeluK), c = _mm512_set1_ps(kGeluC), half = _mm512_set1_ps(0.5f),
               one = _mm512_set1_ps(1.0f), c3 = _mm512_set1_ps(3.0f * kGeluC);
  for (int i = 0; i < n; i += 16) {
    const __mmask16 k = tail(n - i);
    const __m512 v = _mm512_maskz_loadu_ps(k, x + i);
    const __m512 v2 = _mm512_mul_ps(v, v);
    const __m512 t = tanh16(_mm512_mul_ps(kk, _mm512_fmadd_ps(c, _mm512_mul_ps(v2, v), v)));
    const __m512 sech2 = _mm512_fnmadd_ps(t, t, one);
    const __m512 inner = _mm512_mul_ps(kk, _mm512_fmadd_ps(c3, v2, one));
    const __m512 g = _mm512_fmadd_ps(_mm512_mul_ps(_mm512_mul_ps(half, v), sech2), inner,
                                     _mm512_mul_ps(half, _mm512_add_ps(one, t)));
    _mm512_mask_storeu_ps(dx + i, k, _mm512_fmadd_ps(g, _mm512_maskz_loadu_ps(k, dout + i), _mm512_maskz_loadu_ps(k, dx + i)));
  }
}

}  // namespace

#define ML_DISPATCH(scalar_call, avx2_call, avx512_call) \
  switch (isa) {                                       \
    case Isa::kAvx512: return avx512_call;             \
    case Isa::kAvx2: return avx2_call;                 \
    default: return scalar_call;                       \
  }

float sum(Isa isa, const float* x, int n) { ML_DISPATCH(sum_s(x, n), sum_a2(x, n), sum_a5(x, n)) }
float sum_sq_dev(Isa isa, const float* x, float m, int n) {
  ML_DISPATCH(ssd_s(x, m, n), ssd_a2(x, m, n), ssd_a5(x, m, n))
}
void norm_affine(Isa isa, float* out, const float* x, float m, float s, const float* w, const float* b,
                 int n) {
  if (isa == Isa::kAvx512) return norm_affine_a5(out, x, m, s, w, b, n);
  if (isa == Isa::kAvx2) return norm_affine_a2(out, x, m, s, w, b, n);
  for (int i = 0; i < n; ++i) out[i] = (x[i] - m) * s * w[i] + b[i];
}
float dot(Isa isa, const float* a, const float* b, int n) {
  ML_DISPATCH(dot_s(a, b, n), dot_a2(a, b, n), dot_a5(a, b, n))
}
void axpy(Isa isa, float* y, float a, const float* x, int n) {
  if (isa == Isa::kAvx512) return axpy_a5(y, a, x, n);
  if (isa == Isa::kAvx2) return axpy_a2(y, a, x, n);
  for (int i = 0; i < n; ++i) y[i] += a * x[i];
}
void add(Isa isa, float* out, const float* a, const float* b, int n) {
  if (isa == Isa::kAvx512) return add_a5(out, a, b, n);
  if (isa == Isa::kAvx2) return add_a2(out, a, b, n);
  for (int i = 0; i < n; ++i) out[i] = a[i] + b[i];
}
void mul_acc(Isa isa, float* y, const float* a, const float* b, int n) {
  if (isa == Isa::kAvx512) return mul_acc_a5(y, a, b, n);
  if (isa == Isa::kAvx2) return mul_acc_a2(y, a, b, n);
  for (int i = 0; i < n; ++i) y[i] += a[i] * b[i];
}
void mul(Isa isa, float* out, const float* a, const float* b, int n) {
  if (isa == Isa::kAvx512) return mul_a5(out, a, b, n);
  if (isa == Isa::kAvx2) return mul_a2(out, a, b, n);
  for (int i = 0; i < n; ++i) out[i] = a[i] * b[i];
}
float max(Isa isa, const float* x, int n) { ML_DISPATCH(max_s(x, n), max_a2(x, n), max_a5(x, n)) }
float exp_sub_sum(Isa isa, float* out, const float* x, float m, int n) {
  ML_DISPATCH(exp_sub_sum_s(out, x, m, n), exp_sub_sum_a2(out, x, m, n), exp_sub_sum_a5(out, x, m, n))
}
void scale(Isa isa, float* out, float s, int n) {
  if (isa == Isa::kAvx512) return scale_a5(out, s, n);
  if (isa == Isa::kAvx2) return scale_a2(out, s, n);
  for (int i = 0; i < n; ++i) out[i] *= s;
}
void gelu_forward(Isa isa, float* out, const float* x, int n) {
  if (isa == Isa::kAvx512) return gelu_fwd_a5(out, x, n);
  if (isa == Isa::kAvx2) return gelu_fwd_a2(out, x, n);
  for (int i = 0; i < n; ++i) out[i] = gelu_s(x[i]);
}
void gelu_backward(Isa isa, float* dx, const float* x, const float* dout, int n) {
  if (isa == Isa::kAvx512) return gelu_bwd_a5(dx, x, dout, n);
  if (isa == Isa::kAvx2) return gelu_bwd_a2(dx, x, dout, n);
  for (int i = 0; i < n; ++i) dx[i] += gelu_grad_s(x[i]) * dout[i];
}

}  // namespace marketlm::kernels::simd
