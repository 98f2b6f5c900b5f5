// Padded causal attention: the (b, head, query) loop is shared; the work on
// one query row (scores against its keys, softmax, weighted sum of values,
// and the matching backward) is one function per instruction set. The scalar
// row functions are the reference the SIMD ones are tested against.
#include "marketlm/nn/padded_attention.h"

// GCC 12's AVX-512 headers trip -Wuninitialized inside the header.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace marketlm::nn {

namespace {

// Keys query t may see: [lo, t].
inline int first_key(const int32_t* key_start, int64_t b, int t) {
  const int s = key_start[b];
  return t < s ? t : s;
}

// One query row. q: the query (HS floats); key s at k0 + s*ld, value s at
// v0 + s*ld. row: T floats, set to the probabilities (0 outside [lo, t]);
// o: HS floats, set to sum_s p_s * keep_s * v_s.
struct RowFwd {
  const float* q;
  const float* k0;
  const float* v0;
  int64_t ld;
  int lo, t, T, HS;
  float scale;
  float* row;
  const float* mk;
  float* o;
};
// Backward of one row: dv_s += p_s keep_s g, dq += sum dpre_s k_s,
// dk_s += dpre_s q. da: T floats of scratch.
struct RowBwd {
  const float* q;
  const float* k0;
  const float* v0;
  float* dq;
  float* dk0;
  float* dv0;
  int64_t ld;
  int lo, t, HS;
  float scale;
  const float* p;
  const float* mk;
  const float* g;
  float* da;
};

// Softmax of row[lo..t] in place, everything else 0.
inline void softmax_row(float* row, int lo, int t, int T) {
  float m = -INFINITY;
  for (int s = lo; s <= t; ++s) m = std::max(m, row[s]);
  float sum = 0.0f;
  for (int s = lo; s <= t; ++s) {
    row[s] = std::exp(row[s] - m);
    sum += row[s];
  }
  for (int s = lo; s <= t; ++s) row[s] /= sum;
  std::fill(row, row + lo, 0.0f);
  std::fill(row + t + 1, row + T, 0.0f);
}

// ---- scalar reference -------------------------------------------------------

void row_fwd_scalar(const RowFwd& a) {
  for (int s = a.lo; s <= a.t; ++s) {
    const float* k = a.k0 + s * a.ld;
    float dot = 0.0f;
    for (int i = 0; i < a.HS; ++i) dot += a.q[i] * k[i];
    a.row[s] = dot * a.scale;
  }
  softmax_row(a.row, a.lo, a.t, a.T);
  std::fill(a.o, a.o + a.HS, 0.0f);
  for (int s = a.lo; s <= a.t; ++s) {
    const float p = a.mk != nullptr ? a.row[s] * a.mk[s] : a.row[s];
    const float* v = a.v0 + s * a.ld;
    for (int i = 0; i < a.HS; ++i) a.o[i] += p * v[i];
  }
}

void row_bwd_scalar(const RowBwd& a) {
  float pda = 0.0f;
  for (int s = a.lo; s <= a.t; ++s) {
    const float keep = a.mk != nullptr ? a.mk[s] : 1.0f;
    const float* v = a.v0 + s * a.ld;
    float* dv = a.dv0 + s * a.ld;
    float dot = 0.0f;
    for (int i = 0; i < a.HS; ++i) {
      dv[i] += a.p[s] * keep * a.g[i];
      dot += a.g[i] * v[i];
    }
    a.da[s] = dot * keep;
    pda += a.p[s] * a.da[s];
  }
  for (int s = a.lo; s <= a.t; ++s) {
    const float dpre = a.p[s] * (a.da[s] - pda) * a.scale;
    const float* k = a.k0 + s * a.ld;
    float* dk = a.dk0 + s * a.ld;
    for (int i = 0; i < a.HS; ++i) {
      a.dq[i] += dpre * k[i];
      dk[i] += dpre * a.q[i];
    }
  }
}

// ---- AVX2 + FMA --------------------------------------------------------------

#define ML_AVX2 __attribute__((target("avx2,fma")))

ML_AVX2 inline __m256i avx2_tail_mask(int n) {  // first n of 8 lanes on
  const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), idx);
}

ML_AVX2 inline float avx2_hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
  return _mm_cvtss_f32(s);
}

ML_AVX2 inline float avx2_dot(const float* a, const float* b, int n, __m256i tail) {
  __m256 acc = _mm256_setzero_ps();
  int i = 0;
  for (; i + 8 <= n; i += 8) acc = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc);
  if (i < n) acc = _mm256_fmadd_ps(_mm256_maskload_ps(a + i, tail), _mm256_maskload_ps(b + i, tail), acc);
  return avx2_hsum(acc);
}

// y += alpha * x
ML_AVX2 inline void avx2_axpy(float* y, float alpha, const float* x, int n, __m256i tail) {
  const __m256 al = _mm256_set1_ps(alpha);
  int i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_fmadd_ps(al, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
  if (i < n) {
    const __m256 r = _mm256_fmadd_ps(al, _mm256_maskload_ps(x + i, tail), _mm256_maskload_ps(y + i, tail));
    _mm256_maskstore_ps(y + i, tail, r);
  }
}

ML_AVX2 void row_fwd_avx2(const RowFwd& a) {
  const __m256i tail = avx2_tail_mask(a.HS % 8);
  for (int s = a.lo; s <= a.t; ++s) a.row[s] = avx2_dot(a.q, a.k0 + s * a.ld, a.HS, tail) * a.scale;
  softmax_row(a.row, a.lo, a.t, a.T);
  std::fill(a.o, a.o + a.HS, 0.0f);
  for (int s = a.lo; s <= a.t; ++s) {
    const float p = a.mk != nullptr ? a.row[s] * a.mk[s] : a.row[s];
    avx2_axpy(a.o, p, a.v0 + s * a.ld, a.HS, tail);
  }
}

ML_AVX2 void row_bwd_avx2(const RowBwd& a) {
  const __m256i tail = avx2_tail_mask(a.HS % 8);
  float pda = 0.0f;
  for (int s = a.lo; s <= a.t; ++s) {
    const float keep = a.mk != nullptr ? a.mk[s] : 1.0f;
    avx2_axpy(a.dv0 + s * a.ld, a.p[s] * keep, a.g, a.HS, tail);
    a.da[s] = avx2_dot(a.g, a.v0 + s * a.ld, a.HS, tail) * keep;
    pda += a.p[s] * a.da[s];
  }
  for (int s = a.lo; s <= a.t; ++s) {
    const float dpre = a.p[s] * (a.da[s] - pda) * a.scale;
    avx2_axpy(a.dq, dpre, a.k0 + s * a.ld, a.HS, tail);
    avx2_axpy(a.dk0 + s * a.ld, dpre, a.q, a.HS, tail);
  }
}

// ---- AVX-512 -----------------------------------------------------------------

#define ML_AVX512 __attribute__((target("avx512f")))

ML_AVX512 inline float avx512_dot(const float* a, const float* b, int n, __mmask16 tail) {
  __m512 acc = _mm512_setzero_ps();
  int i = 0;
  for (; i + 16 <= n; i += 16) acc = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), acc);
  if (i < n) acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(tail, a + i), _mm512_maskz_loadu_ps(tail, b + i), acc);
  return _mm512_reduce_add_ps(acc);
}

ML_AVX512 inline void avx512_axpy(float* y, float alpha, const float* x, int n, __mmask16 tail) {
  const __m512 al = _mm512_set1_ps(alpha);
  int i = 0;
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, _mm512_fmadd_ps(al, _mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i)));
  if (i < n) {
    const __m512 r = _mm512_fmadd_ps(al, _mm512_maskz_loadu_ps(tail, x + i), _mm512_maskz_loadu_ps(tail, y + i));
    _mm512_mask_storeu_ps(y + i, tail, r);
  }
}

ML_AVX512 void row_fwd_avx512(const RowFwd& a) {
  const __mmask16 tail = static_cast<__mmask16>((1u << (a.HS % 16)) - 1u);
  for (int s = a.lo; s <= a.t; ++s) a.row[s] = avx512_dot(a.q, a.k0 + s * a.ld, a.HS, tail) * a.scale;
  softmax_row(a.row, a.lo, a.t, a.T);
  std::fill(a.o, a.o + a.HS, 0.0f);
  for (int s = a.lo; s <= a.t; ++s) {
    const float p = a.mk != nullptr ? a.row[s] * a.mk[s] : a.row[s];
    avx512_axpy(a.o, p, a.v0 + s * a.ld, a.HS, tail);
  }
}

ML_AVX512 void row_bwd_avx512(const RowBwd& a) {
  const __mmask16 tail = static_cast<__mmask16>((1u << (a.HS % 16)) - 1u);
  float pda = 0.0f;
  for (int s = a.lo; s <= a.t; ++s) {
    const float keep = a.mk != nullptr ? a.mk[s] : 1.0f;
    avx512_axpy(a.dv0 + s * a.ld, a.p[s] * keep, a.g, a.HS, tail);
    a.da[s] = avx512_dot(a.g, a.v0 + s * a.ld, a.HS, tail) * keep;
    pda += a.p[s] * a.da[s];
  }
  for (int s = a.lo; s <= a.t; ++s) {
    const float dpre = a.p[s] * (a.da[s] - pda) * a.scale;
    avx512_axpy(a.dq, dpre, a.k0 + s * a.ld, a.HS, tail);
    avx512_axpy(a.dk0 + s * a.ld, dpre, a.q, a.HS, tail);
  }
}

using RowFwdFn = void (*)(const RowFwd&);
using RowBwdFn = void (*)(const RowBwd&);

RowFwdFn row_fwd_for(kernels::Isa isa) {
  if (isa == kernels::Isa::kAvx512) return row_fwd_avx512;
  if (isa == kernels::Isa::kAvx2) return row_fwd_avx2;
  return row_fwd_scalar;
}
RowBwdFn row_bwd_for(kernels::Isa isa) {
  if (isa == kernels::Isa::kAvx512) return row_bwd_avx512;
  if (isa == kernels::Isa::kAvx2) return row_bwd_avx2;
  return row_bwd_scalar;
}

}  // namespace

void padded_attention_forward(float* out, float* att, const float* qkv, const float* dropout_mask,
                              const int32_t* key_start, int B, int T, int C, int NH,
                              const kernels::KernelContext& ctx) {
  const int HS = C / NH;
  const float scale = 1.0f / std::sqrt(static_cast<float>(HS));
  const int64_t C3 = 3 * static_cast<int64_t>(C);
  const RowFwdFn fn = row_fwd_for(ctx.isa);
  kernels::parallel_for(ctx, static_cast<int64_t>(B) * NH, [&](int64_t begin, int64_t end, int) {
    for (int64_t bh = begin; bh < end; ++bh) {
      const int64_t b = bh / NH;
      const int h = static_cast<int>(bh % NH);
      const float* base = qkv + b * T * C3;
      for (int t = 0; t < T; ++t) {
        RowFwd r{base + t * C3 + h * HS, base + C + h * HS, base + 2 * C + h * HS, C3, first_key(key_start, b, t),
                 t, T, HS, scale, att + (bh * T + t) * T,
                 dropout_mask != nullptr ? dropout_mask + (bh * T + t) * T : nullptr, out + (b * T + t) * C + h * HS};
        fn(r);
      }
    }
  }, 1);
}

void padded_attention_last_forward(float* out, float* att, const float* qkv, const int32_t* key_start, int B,
                                   int T, int C, int NH, const kernels::KernelContext& ctx) {
  const int HS = C / NH;
  const float scale = 1.0f / std::sqrt(static_cast<float>(HS));
  const int64_t C3 = 3 * static_cast<int64_t>(C);
  const RowFwdFn fn = row_fwd_for(ctx.isa);
  kernels::parallel_for(ctx, static_cast<int64_t>(B) * NH, [&](int64_t begin, int64_t end, int) {
    for (int64_t bh = begin; bh < end; ++bh) {
      const int64_t b = bh / NH;
      const int h = static_cast<int>(bh % NH);
      const float* base = qkv + b * T * C3;
      const int t = T - 1;
      RowFwd r{base + t * C3 + h * HS, base + C + h * HS, base + 2 * C + h * HS, C3, first_key(key_start, b, t),
               t, T, HS, scale, att + bh * T, nullptr, out + b * C + h * HS};
      fn(r);
    }
  }, 1);
}

void padded_attention_backward(float* d_qkv, const float* d_out, const float* qkv, const float* att,
                               const float* dropout_mask, const int32_t* key_start, int B, int T, int C, int NH,
                               const kernels::KernelContext& ctx) {
  const int HS = C / NH;
  const float scale = 1.0f / std::sqrt(static_cast<float>(HS));
  const int64_t C3 = 3 * static_cast<int64_t>(C);
  const RowBwdFn fn = row_bwd_for(ctx.isa);
  kernels::parallel_for(ctx, static_cast<int64_t>(B) * NH, [&](int64_t begin, int64_t end, int) {
    std::vector<float> da(static_cast<size_t>(T));
    for (int64_t bh = begin; bh < end; ++bh) {
      const int64_t b = bh / NH;
      const int h = static_cast<int>(bh % NH);
      const float* base = qkv + b * T * C3;
      float* dbase = d_qkv + b * T * C3;
      for (int t = 0; t < T; ++t) {
        RowBwd r{base + t * C3 + h * HS,
                 base + C + h * HS,
                 base + 2 * C + h * HS,
                 dbase + t * C3 + h * HS,
                 dbase + C + h * HS,
                 dbase + 2 * C + h * HS,
                 C3,
                 first_key(key_start, b, t),
                 t,
                 HS,
                 scale,
                 att + (bh * T + t) * T,
                 dropout_mask != nullptr ? dropout_mask + (bh * T + t) * T : nullptr,
                 d_out + (b * T + t) * C + h * HS,
                 da.data()};
        fn(r);
      }
    }
  }, 1);
}

}  // namespace marketlm::nn
