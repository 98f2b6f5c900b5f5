#include "marketlm/kernels/attention.h"

// GCC 12's AVX-512 headers trip -Wuninitialized inside the header.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/simd.h"
#include "marketlm/kernels/matmul.h"

namespace marketlm::kernels {
namespace {

#define ML_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma")))

// Query rows from which cached attention runs as two gemms per head.
constexpr int kCachedGemmRows = 16;

// One head of one cached query row, head size 16 * NV: the query and the
// output stay in registers while the keys and values stream past (the
// generic path below makes a dot and an axpy call per position).
template <int NV>
ML_AVX512 void cached_head_avx512(float* o, const float* qi, const float* k, const float* v, int C, int T,
                                  float scale, float* row) {
  __m512 q[NV];
#pragma GCC unroll 8
  for (int j = 0; j < NV; ++j) q[j] = _mm512_loadu_ps(qi + 16 * j);
  float m = -INFINITY;
  for (int t = 0; t < T; ++t) {
    const float* kt = k + static_cast<int64_t>(t) * C;
    __m512 acc = _mm512_mul_ps(q[0], _mm512_loadu_ps(kt));
#pragma GCC unroll 8
    for (int j = 1; j < NV; ++j) acc = _mm512_fmadd_ps(q[j], _mm512_loadu_ps(kt + 16 * j), acc);
    row[t] = _mm512_reduce_add_ps(acc) * scale;
    m = std::max(m, row[t]);
  }
  const float inv = 1.0f / simd::exp_sub_sum(Isa::kAvx512, row, row, m, T);
  __m512 out[NV];
#pragma GCC unroll 8
  for (int j = 0; j < NV; ++j) out[j] = _mm512_setzero_ps();
  for (int t = 0; t < T; ++t) {
    const float* vt = v + static_cast<int64_t>(t) * C;
    const __m512 p = _mm512_set1_ps(row[t]);
#pragma GCC unroll 8
    for (int j = 0; j < NV; ++j) out[j] = _mm512_fmadd_ps(p, _mm512_loadu_ps(vt + 16 * j), out[j]);
  }
  const __m512 s = _mm512_set1_ps(inv);
#pragma GCC unroll 8
  for (int j = 0; j < NV; ++j) _mm512_storeu_ps(o + 16 * j, _mm512_mul_ps(out[j], s));
}

// The AVX-512 head kernel for head size HS, or nullptr when HS is not 16 x 1..8.
using CachedHeadFn = void (*)(float*, const float*, const float*, const float*, int, int, float, float*);
CachedHeadFn cached_head_kernel(int HS) {
  switch (HS) {
    case 16: return cached_head_avx512<1>;
    case 32: return cached_head_avx512<2>;
    case 48: return cached_head_avx512<3>;
    case 64: return cached_head_avx512<4>;
    case 80: return cached_head_avx512<5>;
    case 96: return cached_head_avx512<6>;
    case 112: return cached_head_avx512<7>;
    case 128: return cached_head_avx512<8>;
    default: return nullptr;
  }
}

}  // namespace

// Per (batch, head): S = Q K^T as one gemm over strided views of qkv, a
// causal softmax per row, then O = P V as a second gemm (the upper triangle
// of P is zero, so it adds nothing). The scalar path runs the same steps with
// the scalar gemm.
void attention_forward(float* out, float* att, const float* qkv, const float* dropout_mask, int B, int T,
                       int C, int NH, const KernelContext& ctx) {
  const int HS = C / NH;
  const float scale = 1.0f / std::sqrt(static_cast<float>(HS));
  const int64_t C3 = 3 * static_cast<int64_t>(C);
  const int ld3 = static_cast<int>(C3);
  parallel_for(ctx, static_cast<int64_t>(B) * NH, [&](int64_t begin, int64_t end, int) {
    std::vector<float> used(dropout_mask != nullptr ? static_cast<size_t>(T) * T : 0);
    for (int64_t bh = begin; bh < end; ++bh) {
      const int64_t b = bh / NH;
      const int h = static_cast<int>(bh % NH);
      const float* base = qkv + b * T * C3;
      float* P = att + bh * T * T;
      gemm(ctx.isa, false, true, T, T, HS, base + h * HS, ld3, base + C + h * HS, ld3, 0.0f, P, T);
      for (int t = 0; t < T; ++t) {
        float* row = P + static_cast<int64_t>(t) * T;
        simd::scale(ctx.isa, row, scale, t + 1);
        const float m = simd::max(ctx.isa, row, t + 1);
        const float s = simd::exp_sub_sum(ctx.isa, row, row, m, t + 1);
        simd::scale(ctx.isa, row, 1.0f / s, t + 1);
        std::fill(row + t + 1, row + T, 0.0f);
      }
      const float* Pu = P;
      if (dropout_mask != nullptr) {
        simd::mul(ctx.isa, used.data(), P, dropout_mask + bh * T * T, T * T);
        Pu = used.data();
      }
      gemm(ctx.isa, false, false, T, HS, T, Pu, T, base + 2 * C + h * HS, ld3, 0.0f, out + b * T * C + h * HS, C);
    }
  }, 1);
}

void attention_backward(float* d_qkv, const float* d_out, const float* qkv, const float* att,
                        const float* dropout_mask, int B, int T, int C, int NH, const KernelContext& ctx) {
  const int HS = C / NH;
  const float scale = 1.0f / std::sqrt(static_cast<float>(HS));
  const int64_t C3 = 3 * static_cast<int64_t>(C);
  const int ld3 = static_cast<int>(C3);
  parallel_for(ctx, static_cast<int64_t>(B) * NH, [&](int64_t begin, int64_t end, int) {
    const size_t tt = static_cast<size_t>(T) * T;
    std::vector<float> dP(tt), used(dropout_mask != nullptr ? tt : 0);
    for (int64_t bh = begin; bh < end; ++bh) {
      const int64_t b = bh / NH;
      const int h = static_cast<int>(bh % NH);
      const float* base = qkv + b * T * C3;
      float* dbase = d_qkv + b * T * C3;
      const float* P = att + bh * T * T;
      const float* mk = dropout_mask != nullptr ? dropout_mask + bh * T * T : nullptr;
      const float* Pu = P;
      if (mk != nullptr) {
        simd::mul(ctx.isa, used.data(), P, mk, T * T);
        Pu = used.data();
      }
      const float* dO = d_out + b * T * C + h * HS;
      // dP_used = dO V^T; dV += P_used^T dO
      gemm(ctx.isa, false, true, T, T, HS, dO, C, base + 2 * C + h * HS, ld3, 0.0f, dP.data(), T);
      gemm(ctx.isa, true, false, T, HS, T, Pu, T, dO, C, 1.0f, dbase + 2 * C + h * HS, ld3);
      // through the dropout mask and the softmax: dS = P * (dP - <P, dP>) * scale
      for (int t = 0; t < T; ++t) {
        float* d = dP.data() + static_cast<size_t>(t) * T;
        const float* p = P + static_cast<int64_t>(t) * T;
        if (mk != nullptr) simd::mul(ctx.isa, d, d, mk + static_cast<int64_t>(t) * T, t + 1);
        const float pd = simd::dot(ctx.isa, p, d, t + 1);
        for (int t2 = 0; t2 <= t; ++t2) d[t2] = p[t2] * (d[t2] - pd) * scale;
        std::fill(d + t + 1, d + T, 0.0f);
      }
      // dQ += dS K; dK += dS^T Q
      gemm(ctx.isa, false, false, T, HS, T, dP.data(), T, base + C + h * HS, ld3, 1.0f, dbase + h * HS, ld3);
      gemm(ctx.isa, true, false, T, HS, T, dP.data(), T, base + h * HS, ld3, 1.0f, dbase + C + h * HS, ld3);
    }
  }, 1);
}

void attention_cached_forward(float* out, const float* q, int ld_q, const float* k_cache,
                              const float* v_cache, int Tq, int T_total, int C, int NH,
                              const KernelContext& ctx) {
  const int HS = C / NH;
  const float scale = 1.0f / std::sqrt(static_cast<float>(HS));
  if (ctx.isa != Isa::kScalar && Tq >= kCachedGemmRows) {
    // A prompt: per head, S = Q K^T and O = P V as two gemms over strided
    // views of the cache (the per-row path below is the reference).
    parallel_for(ctx, NH, [&](int64_t begin, int64_t end, int) {
      std::vector<float> S(static_cast<size_t>(Tq) * T_total);
      for (int64_t h = begin; h < end; ++h) {
        gemm(ctx.isa, false, true, Tq, T_total, HS, q + h * HS, ld_q, k_cache + h * HS, C, 0.0f, S.data(), T_total);
        for (int i = 0; i < Tq; ++i) {
          float* row = S.data() + static_cast<size_t>(i) * T_total;
          const int n = T_total - Tq + i + 1;  // the causal prefix this query sees
          simd::scale(ctx.isa, row, scale, n);
          const float m = simd::max(ctx.isa, row, n);
          const float sum = simd::exp_sub_sum(ctx.isa, row, row, m, n);
          simd::scale(ctx.isa, row, 1.0f / sum, n);
          std::fill(row + n, row + T_total, 0.0f);
        }
        gemm(ctx.isa, false, false, Tq, HS, T_total, S.data(), T_total, v_cache + h * HS, C, 0.0f, out + h * HS, C);
      }
    }, 1);
    return;
  }
  parallel_for(ctx, static_cast<int64_t>(Tq) * NH, [&](int64_t begin, int64_t end, int) {
    std::vector<float> row(static_cast<size_t>(T_total));
    const CachedHeadFn fast = ctx.isa == Isa::kAvx512 ? cached_head_kernel(HS) : nullptr;
    for (int64_t ih = begin; ih < end; ++ih) {
      const int i = static_cast<int>(ih / NH);
      const int h = static_cast<int>(ih % NH);
      const int pos = T_total - Tq + i;
      const float* qi = q + static_cast<int64_t>(i) * ld_q + h * HS;
      if (fast != nullptr) {
        fast(out + static_cast<int64_t>(i) * C + h * HS, qi, k_cache + h * HS, v_cache + h * HS, C, pos + 1, scale,
             row.data());
        continue;
      }
      for (int t2 = 0; t2 <= pos; ++t2)
        row[t2] = simd::dot(ctx.isa, qi, k_cache + static_cast<int64_t>(t2) * C + h * HS, HS) * scale;
      const float m = simd::max(ctx.isa, row.data(), pos + 1);
      const float s = simd::exp_sub_sum(ctx.isa, row.data(), row.data(), m, pos + 1);
      simd::scale(ctx.isa, row.data(), 1.0f / s, pos + 1);
      float* o = out + static_cast<int64_t>(i) * C + h * HS;
      std::fill(o, o + HS, 0.0f);
      for (int t2 = 0; t2 <= pos; ++t2)
        simd::axpy(ctx.isa, o, row[t2], v_cache + static_cast<int64_t>(t2) * C + h * HS, HS);
    }
  }, 1);
}

}  // namespace marketlm::kernels
