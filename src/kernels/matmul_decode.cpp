// Few-row products without packing (see matmul_decode.h): a scalar reference
// and an AVX-512 twin for each weight orientation.
#include "marketlm/kernels/matmul_decode.h"

// GCC 12's AVX-512 headers trip -Wuninitialized inside the header.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <algorithm>
#include <cstddef>

namespace marketlm::kernels {
namespace {

#define ML_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma")))

constexpr int kUnit = 128;     // output columns per work unit (Conv1D orientation)
constexpr int kNtRows = 4;     // weight rows per work unit (Linear orientation)
constexpr int kPrefetch = 16;   // weight rows ahead to prefetch

// ---------------------------------------------------------------- scalar
void decode_cn_scalar(float* out, const float* inp, const float* w, const float* bias, int M, int C, int OC,
                      int j0, int j1) {
  for (int m = 0; m < M; ++m) {
    float* o = out + static_cast<size_t>(m) * OC;
    for (int j = j0; j < j1; ++j) o[j] = 0.0f;
    const float* x = inp + static_cast<size_t>(m) * C;
    for (int c = 0; c < C; ++c) {
      const float* wr = w + static_cast<size_t>(c) * OC;
      for (int j = j0; j < j1; ++j) o[j] += x[c] * wr[j];
    }
    if (bias != nullptr)
      for (int j = j0; j < j1; ++j) o[j] += bias[j];
  }
}

void decode_nt_scalar(float* out, const float* inp, const float* w, const float* bias, int M, int C, int OC,
                      int n0, int n1) {
  for (int m = 0; m < M; ++m) {
    const float* x = inp + static_cast<size_t>(m) * C;
    for (int n = n0; n < n1; ++n) {
      const float* wr = w + static_cast<size_t>(n) * C;
      float s = 0.0f;
      for (int c = 0; c < C; ++c) s += x[c] * wr[c];
      out[static_cast<size_t>(m) * OC + n] = bias != nullptr ? s + bias[n] : s;
    }
  }
}

// ---------------------------------------------------------------- AVX-512
// One tile: MR rows of the input times NV x 16 columns of w starting at j,
// of which `valid` are inside the matrix.
template <int MR, int NV>
ML_AVX512 void tile_cn(float* out, const float* inp, const float* w, const float* bias, int C, int OC, int j,
                       int valid) {
  __mmask16 mask[NV];
#pragma GCC unroll 16
  for (int v = 0; v < NV; ++v) {
    const int n = std::clamp(valid - 16 * v, 0, 16);
    mask[v] = static_cast<__mmask16>((1u << n) - 1u);
  }
  __m512 acc[MR][NV];
#pragma GCC unroll 16
  for (int m = 0; m < MR; ++m)
#pragma GCC unroll 16
    for (int v = 0; v < NV; ++v) acc[m][v] = _mm512_setzero_ps();
  const float* wp = w + j;
  for (int c = 0; c < C; ++c, wp += OC) {
    if (c + kPrefetch < C)
#pragma GCC unroll 16
      for (int v = 0; v < NV; ++v)
        _mm_prefetch(reinterpret_cast<const char*>(wp + static_cast<size_t>(kPrefetch) * OC + 16 * v), _MM_HINT_T0);
    __m512 wv[NV];
#pragma GCC unroll 16
    for (int v = 0; v < NV; ++v) wv[v] = _mm512_maskz_loadu_ps(mask[v], wp + 16 * v);
#pragma GCC unroll 16
    for (int m = 0; m < MR; ++m) {
      const __m512 xb = _mm512_set1_ps(inp[static_cast<size_t>(m) * C + c]);
#pragma GCC unroll 16
      for (int v = 0; v < NV; ++v) acc[m][v] = _mm512_fmadd_ps(xb, wv[v], acc[m][v]);
    }
  }
#pragma GCC unroll 16
  for (int v = 0; v < NV; ++v) {
    const __m512 b = bias != nullptr ? _mm512_maskz_loadu_ps(mask[v], bias + j + 16 * v) : _mm512_setzero_ps();
#pragma GCC unroll 16
    for (int m = 0; m < MR; ++m)
      _mm512_mask_storeu_ps(out + static_cast<size_t>(m) * OC + j + 16 * v, mask[v], _mm512_add_ps(acc[m][v], b));
  }
}

// MR rows over columns [j0, j1) in tiles of NV x 16.
template <int MR, int NV>
ML_AVX512 void rows_cn(float* out, const float* inp, const float* w, const float* bias, int C, int OC, int j0,
                       int j1) {
  for (int j = j0; j < j1; j += 16 * NV) tile_cn<MR, NV>(out, inp, w, bias, C, OC, j, std::min(16 * NV, j1 - j));
}

ML_AVX512 void decode_cn_avx512(float* out, const float* inp, const float* w, const float* bias, int M, int C,
                                int OC, int j0, int j1) {
  // Row groups keep 16 accumulators: 8 rows x 2 vectors ... 1 row x 8 vectors.
  int m = 0;
  for (; M - m >= 8; m += 8) rows_cn<8, 2>(out + static_cast<size_t>(m) * OC, inp + static_cast<size_t>(m) * C, w, bias, C, OC, j0, j1);
  for (; M - m >= 4; m += 4) rows_cn<4, 4>(out + static_cast<size_t>(m) * OC, inp + static_cast<size_t>(m) * C, w, bias, C, OC, j0, j1);
  for (; M - m >= 2; m += 2) rows_cn<2, 8>(out + static_cast<size_t>(m) * OC, inp + static_cast<size_t>(m) * C, w, bias, C, OC, j0, j1);
  for (; m < M; ++m) rows_cn<1, 8>(out + static_cast<size_t>(m) * OC, inp + static_cast<size_t>(m) * C, w, bias, C, OC, j0, j1);
}

// Four weight rows [n, n + 4) (the last ones repeated when fewer remain)
// against MR input rows: 4 x MR dot products of length C.
template <int MR>
ML_AVX512 void block_nt(float* out, const float* inp, const float* w, const float* bias, int C, int OC, int n,
                        int valid) {
  const float* wr[kNtRows];
#pragma GCC unroll 16
  for (int r = 0; r < kNtRows; ++r) wr[r] = w + static_cast<size_t>(n + std::min(r, valid - 1)) * C;
  __m512 acc[MR][kNtRows];
#pragma GCC unroll 16
  for (int m = 0; m < MR; ++m)
#pragma GCC unroll 16
    for (int r = 0; r < kNtRows; ++r) acc[m][r] = _mm512_setzero_ps();
  int c = 0;
  for (; c + 16 <= C; c += 16) {
    __m512 wv[kNtRows];
#pragma GCC unroll 16
    for (int r = 0; r < kNtRows; ++r) {
      _mm_prefetch(reinterpret_cast<const char*>(wr[r] + c + static_cast<size_t>(kNtRows) * C), _MM_HINT_T0);
      wv[r] = _mm512_loadu_ps(wr[r] + c);
    }
#pragma GCC unroll 16
    for (int m = 0; m < MR; ++m) {
      const __m512 xv = _mm512_loadu_ps(inp + static_cast<size_t>(m) * C + c);
#pragma GCC unroll 16
      for (int r = 0; r < kNtRows; ++r) acc[m][r] = _mm512_fmadd_ps(xv, wv[r], acc[m][r]);
    }
  }
  if (c < C) {
    const __mmask16 k = static_cast<__mmask16>((1u << (C - c)) - 1u);
    __m512 wv[kNtRows];
#pragma GCC unroll 16
    for (int r = 0; r < kNtRows; ++r) wv[r] = _mm512_maskz_loadu_ps(k, wr[r] + c);
#pragma GCC unroll 16
    for (int m = 0; m < MR; ++m) {
      const __m512 xv = _mm512_maskz_loadu_ps(k, inp + static_cast<size_t>(m) * C + c);
#pragma GCC unroll 16
      for (int r = 0; r < kNtRows; ++r) acc[m][r] = _mm512_fmadd_ps(xv, wv[r], acc[m][r]);
    }
  }
#pragma GCC unroll 16
  for (int m = 0; m < MR; ++m) {
    float s[kNtRows];
#pragma GCC unroll 16
    for (int r = 0; r < kNtRows; ++r) s[r] = _mm512_reduce_add_ps(acc[m][r]);
    for (int r = 0; r < valid; ++r) out[static_cast<size_t>(m) * OC + n + r] = bias != nullptr ? s[r] + bias[n + r] : s[r];
  }
}

ML_AVX512 void decode_nt_avx512(float* out, const float* inp, const float* w, const float* bias, int M, int C,
                                int OC, int n0, int n1) {
  for (int n = n0; n < n1; n += kNtRows) {
    const int valid = std::min(kNtRows, n1 - n);
    int m = 0;
    for (; M - m >= 4; m += 4) block_nt<4>(out + static_cast<size_t>(m) * OC, inp + static_cast<size_t>(m) * C, w, bias, C, OC, n, valid);
    for (; M - m >= 2; m += 2) block_nt<2>(out + static_cast<size_t>(m) * OC, inp + static_cast<size_t>(m) * C, w, bias, C, OC, n, valid);
    for (; m < M; ++m) block_nt<1>(out + static_cast<size_t>(m) * OC, inp + static_cast<size_t>(m) * C, w, bias, C, OC, n, valid);
  }
}

// The output columns [a, b) of one orientation's product.
using DecodeSpan = void (*)(float*, const float*, const float*, const float*, int, int, int, int, int);

// Splits the OC outputs into units of `unit` over the pool and runs the
// AVX-512 kernel or its scalar twin on each thread's span.
void decode_over_units(float* out, const float* inp, const float* w, const float* bias, int M, int C, int OC,
                       int unit, int64_t grain, DecodeSpan avx512, DecodeSpan scalar, const KernelContext& ctx) {
  if (M <= 0 || OC <= 0) return;
  const DecodeSpan span = ctx.isa == Isa::kAvx512 ? avx512 : scalar;
  parallel_for(ctx, (OC + unit - 1) / unit, [&](int64_t b, int64_t e, int) {
    span(out, inp, w, bias, M, C, OC, static_cast<int>(b) * unit, std::min(OC, static_cast<int>(e) * unit));
  }, grain);
}

}  // namespace

void matmul_decode_forward(float* out, const float* inp, const float* w, const float* bias, int M, int C,
                           int OC, const KernelContext& ctx) {
  decode_over_units(out, inp, w, bias, M, C, OC, kUnit, 1, decode_cn_avx512, decode_cn_scalar, ctx);
}

void matmul_nt_decode_forward(float* out, const float* inp, const float* w, const float* bias, int M, int C,
                              int OC, const KernelContext& ctx) {
  decode_over_units(out, inp, w, bias, M, C, OC, kNtRows, 64, decode_nt_avx512, decode_nt_scalar, ctx);
}

}  // namespace marketlm::kernels
