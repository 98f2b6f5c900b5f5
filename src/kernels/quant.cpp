// bf16 / int8 inference weights: quantise, dequantise, and the products that
// read them, with a scalar reference and AVX2 / AVX-512 twins (see quant.h).
#include "marketlm/kernels/quant.h"

#include "kernels/quant_amx.h"

// GCC 12's AVX-512 headers trip -Wuninitialized inside the header.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace marketlm::kernels {
namespace {

#define ML_AVX2 __attribute__((target("avx2,fma")))
#define ML_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,fma")))
#define ML_VNNI __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,fma")))

inline uint16_t to_bf16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((u >> 16) | 0x40);  // NaN stays NaN
  u += 0x7fffu + ((u >> 16) & 1u);  // round to nearest even
  return static_cast<uint16_t>(u >> 16);
}
inline float from_bf16(uint16_t h) {
  const uint32_t u = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

// Every dot kernel computes up to four rows of W against one activation row.
constexpr int kRows = 4;

// ---------------------------------------------------------------- scalar
void dot4_i8_scalar(const int8_t* a, const int8_t* const* w, int Kp, int32_t* out) {
  for (int r = 0; r < kRows; ++r) {
    int32_t s = 0;
    for (int k = 0; k < Kp; ++k) s += static_cast<int32_t>(a[k]) * w[r][k];
    out[r] = s;
  }
}
// Grouped int8: exact int32 dot per group, then acc = fma(dot, scale, acc)
// group by group. sc[r] / gs[r]: row r's group scales / group code sums.
void dot4_i8g_scalar(const int8_t* a, const int8_t* const* w, int group, int G, const float* const* sc,
                     float* out) {
  for (int r = 0; r < kRows; ++r) {
    float acc = 0.0f;
    for (int g = 0; g < G; ++g) {
      int32_t d = 0;
      for (int k = g * group; k < (g + 1) * group; ++k) d += static_cast<int32_t>(a[k]) * w[r][k];
      acc = std::fma(static_cast<float>(d), sc[r][g], acc);
    }
    out[r] = acc;
  }
}
void dot4_bf16_scalar(const float* a, const uint16_t* const* w, int Kp, float* out) {
  for (int r = 0; r < kRows; ++r) {
    float s = 0.0f;
    for (int k = 0; k < Kp; ++k) s += a[k] * from_bf16(w[r][k]);
    out[r] = s;
  }
}

// ---------------------------------------------------------------- AVX2
ML_AVX2 inline int32_t hsum_epi32_256(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
  return _mm_cvtsi128_si32(s);
}
ML_AVX2 inline float hsum_ps_256(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}
ML_AVX2 void dot4_i8_avx2(const int8_t* a, const int8_t* const* w, int Kp, int32_t* out) {
  const __m256i ones = _mm256_set1_epi16(1);
  __m256i acc[kRows];
  for (auto& x : acc) x = _mm256_setzero_si256();
  for (int k = 0; k < Kp; k += 32) {
    const __m256i av = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + k));
    const __m256i ax = _mm256_sign_epi8(av, av);  // |a| as u8 (a >= -127)
    for (int r = 0; r < kRows; ++r) {
      const __m256i wv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[r] + k));
      const __m256i p = _mm256_maddubs_epi16(ax, _mm256_sign_epi8(wv, av));  // |p| <= 2*127*127
      acc[r] = _mm256_add_epi32(acc[r], _mm256_madd_epi16(p, ones));
    }
  }
  for (int r = 0; r < kRows; ++r) out[r] = hsum_epi32_256(acc[r]);
}
// Four 8-lane int32 accumulators -> their four totals (exact).
ML_AVX2 inline __m128i reduce4_epi32(const __m256i* acc) {
  const __m256i h = _mm256_hadd_epi32(_mm256_hadd_epi32(acc[0], acc[1]), _mm256_hadd_epi32(acc[2], acc[3]));
  return _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
}
ML_AVX2 void dot4_i8g_avx2(const int8_t* a, const int8_t* const* w, int group, int G, const float* const* sc,
                           float* out) {
  const __m256i ones = _mm256_set1_epi16(1);
  __m128 facc = _mm_setzero_ps();
  for (int g = 0; g < G; ++g) {
    __m256i acc[kRows];
    for (auto& x : acc) x = _mm256_setzero_si256();
    for (int k = g * group; k < (g + 1) * group; k += 32) {
      const __m256i av = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + k));
      const __m256i ax = _mm256_sign_epi8(av, av);
      for (int r = 0; r < kRows; ++r) {
        const __m256i wv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[r] + k));
        acc[r] = _mm256_add_epi32(acc[r], _mm256_madd_epi16(_mm256_maddubs_epi16(ax, _mm256_sign_epi8(wv, av)), ones));
      }
    }
    const __m128 d = _mm_cvtepi32_ps(reduce4_epi32(acc));
    facc = _mm_fmadd_ps(d, _mm_set_ps(sc[3][g], sc[2][g], sc[1][g], sc[0][g]), facc);
  }
  _mm_storeu_ps(out, facc);
}
ML_AVX2 void dot4_bf16_avx2(const float* a, const uint16_t* const* w, int Kp, float* out) {
  __m256 acc[kRows];
  for (auto& x : acc) x = _mm256_setzero_ps();
  for (int k = 0; k < Kp; k += 8) {
    const __m256 av = _mm256_loadu_ps(a + k);
    for (int r = 0; r < kRows; ++r) {
      const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w[r] + k));
      const __m256 wv = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
      acc[r] = _mm256_fmadd_ps(av, wv, acc[r]);
    }
  }
  for (int r = 0; r < kRows; ++r) out[r] = hsum_ps_256(acc[r]);
}

// ---------------------------------------------------------------- AVX-512
ML_VNNI void dot4_i8_vnni(const int8_t* a, const int8_t* const* w, int Kp, const int32_t* row_sum,
                          int32_t* out) {
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
  __m512i acc[kRows];
  for (auto& x : acc) x = _mm512_setzero_si512();
  for (int k = 0; k < Kp; k += 64) {
    // a + 128 as u8: flipping the sign bit of a two's-complement byte.
    const __m512i au = _mm512_xor_si512(_mm512_loadu_si512(a + k), flip);
    for (int r = 0; r < kRows; ++r) {
      // The next block's rows follow these four (rows are Kp apart).
      _mm_prefetch(reinterpret_cast<const char*>(w[r] + k + kRows * static_cast<size_t>(Kp)), _MM_HINT_T0);
      acc[r] = _mm512_dpbusd_epi32(acc[r], au, _mm512_loadu_si512(w[r] + k));
    }
  }
  for (int r = 0; r < kRows; ++r) out[r] = _mm512_reduce_add_epi32(acc[r]) - 128 * row_sum[r];
}
// Sums of each of four vectors, as the four lanes of one: interleave pairs,
// add, interleave again, add, then fold the four 128-bit quarters.
ML_VNNI inline __m128i reduce4_epi32_512(__m512i a0, __m512i a1, __m512i a2, __m512i a3) {
  const __m512i t0 = _mm512_add_epi32(_mm512_unpacklo_epi32(a0, a1), _mm512_unpackhi_epi32(a0, a1));
  const __m512i t1 = _mm512_add_epi32(_mm512_unpacklo_epi32(a2, a3), _mm512_unpackhi_epi32(a2, a3));
  const __m512i u = _mm512_add_epi32(_mm512_unpacklo_epi64(t0, t1), _mm512_unpackhi_epi64(t0, t1));
  const __m256i h = _mm256_add_epi32(_mm512_castsi512_si256(u), _mm512_extracti64x4_epi64(u, 1));
  return _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
}
// Four activation rows against the same four weight rows (a prompt): each
// weight load feeds four rows, each activation load four weight rows.
ML_VNNI void dot4x4_i8_vnni(const int8_t* const* a, const int8_t* const* w, int Kp, const int32_t* row_sum,
                            int32_t out[4][kRows]) {
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
  __m512i acc[4][kRows];
#pragma GCC unroll 4
  for (int m = 0; m < 4; ++m)
#pragma GCC unroll 4
    for (int r = 0; r < kRows; ++r) acc[m][r] = _mm512_setzero_si512();
  for (int k = 0; k < Kp; k += 64) {
    __m512i wv[kRows];
#pragma GCC unroll 4
    for (int r = 0; r < kRows; ++r) wv[r] = _mm512_loadu_si512(w[r] + k);
#pragma GCC unroll 4
    for (int m = 0; m < 4; ++m) {
      const __m512i au = _mm512_xor_si512(_mm512_loadu_si512(a[m] + k), flip);
#pragma GCC unroll 4
      for (int r = 0; r < kRows; ++r) acc[m][r] = _mm512_dpbusd_epi32(acc[m][r], au, wv[r]);
    }
  }
  const __m128i sums = _mm_slli_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(row_sum)), 7);
#pragma GCC unroll 4
  for (int m = 0; m < 4; ++m)
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out[m]),
                     _mm_sub_epi32(reduce4_epi32_512(acc[m][0], acc[m][1], acc[m][2], acc[m][3]), sums));
}
// Grouped VNNI: groups of 64+ use 512-bit vpdpbusd, groups of 32 the
// 256-bit form; each group's dot is corrected by 128 * its code sum.
ML_VNNI void dot4_i8g_vnni(const int8_t* a, const int8_t* const* w, int group, int G, int Kp,
                           const float* const* sc, const int32_t* const* gs, float* out) {
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
  const __m256i flip256 = _mm256_set1_epi8(static_cast<char>(0x80));
  __m128 facc = _mm_setzero_ps();
  for (int g = 0; g < G; ++g) {
    __m256i acc[kRows];
    const int k0 = g * group, k1 = k0 + group;
    if (group % 64 == 0) {
      __m512i acc512[kRows];
      for (auto& x : acc512) x = _mm512_setzero_si512();
      for (int k = k0; k < k1; k += 64) {
        const __m512i au = _mm512_xor_si512(_mm512_loadu_si512(a + k), flip);
        for (int r = 0; r < kRows; ++r) {
          _mm_prefetch(reinterpret_cast<const char*>(w[r] + k + kRows * static_cast<size_t>(Kp)), _MM_HINT_T0);
          acc512[r] = _mm512_dpbusd_epi32(acc512[r], au, _mm512_loadu_si512(w[r] + k));
        }
      }
      for (int r = 0; r < kRows; ++r)
        acc[r] = _mm256_add_epi32(_mm512_castsi512_si256(acc512[r]), _mm512_extracti64x4_epi64(acc512[r], 1));
    } else {
      for (auto& x : acc) x = _mm256_setzero_si256();
      for (int k = k0; k < k1; k += 32) {
        const __m256i au =
            _mm256_xor_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + k)), flip256);
        for (int r = 0; r < kRows; ++r) {
          if ((k & 63) == 0)
            _mm_prefetch(reinterpret_cast<const char*>(w[r] + k + kRows * static_cast<size_t>(Kp)), _MM_HINT_T0);
          acc[r] = _mm256_dpbusd_epi32(acc[r], au, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[r] + k)));
        }
      }
    }
    const __m256i h = _mm256_hadd_epi32(_mm256_hadd_epi32(acc[0], acc[1]), _mm256_hadd_epi32(acc[2], acc[3]));
    __m128i d = _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
    d = _mm_sub_epi32(d, _mm_slli_epi32(_mm_set_epi32(gs[3][g], gs[2][g], gs[1][g], gs[0][g]), 7));
    facc = _mm_fmadd_ps(_mm_cvtepi32_ps(d), _mm_set_ps(sc[3][g], sc[2][g], sc[1][g], sc[0][g]), facc);
  }
  _mm_storeu_ps(out, facc);
}
// The activations come deinterleaved per 32 inputs (16 even, then 16 odd;
// bf16_forward does it once per row): a 64-byte load of 32 bf16 weights then
// widens with one shift (even inputs: the low halves) and one mask (odd: the
// high halves), instead of a cross-lane widening per 16 weights. Two
// accumulators per row keep the FMA chains short.
ML_AVX512 void dot4_bf16_avx512(const float* a, const uint16_t* const* w, int Kp, float* out) {
  const __m512i high = _mm512_set1_epi32(static_cast<int>(0xffff0000u));
  __m512 acc_e[kRows], acc_o[kRows];
#pragma GCC unroll 4
  for (int r = 0; r < kRows; ++r) acc_e[r] = acc_o[r] = _mm512_setzero_ps();
  for (int k = 0; k < Kp; k += 32) {
    const __m512 ae = _mm512_loadu_ps(a + k), ao = _mm512_loadu_ps(a + k + 16);
#pragma GCC unroll 4
    for (int r = 0; r < kRows; ++r) {
      _mm_prefetch(reinterpret_cast<const char*>(w[r] + k + kRows * static_cast<size_t>(Kp)), _MM_HINT_T0);
      const __m512i x = _mm512_loadu_si512(w[r] + k);
      acc_e[r] = _mm512_fmadd_ps(ae, _mm512_castsi512_ps(_mm512_slli_epi32(x, 16)), acc_e[r]);
      acc_o[r] = _mm512_fmadd_ps(ao, _mm512_castsi512_ps(_mm512_and_si512(x, high)), acc_o[r]);
    }
  }
#pragma GCC unroll 4
  for (int r = 0; r < kRows; ++r) out[r] = _mm512_reduce_add_ps(_mm512_add_ps(acc_e[r], acc_o[r]));
}

// dot4_bf16_avx512 for two activation rows at once: each weight block is
// loaded and widened once for both. The same per-row accumulators in the same
// order, so each row's result is bit-identical to dot4_bf16_avx512's.
ML_AVX512 void dot4x2_bf16_avx512(const float* a0, const float* a1, const uint16_t* const* w, int Kp, float* out0,
                                  float* out1) {
  const __m512i high = _mm512_set1_epi32(static_cast<int>(0xffff0000u));
  __m512 e0[kRows], o0[kRows], e1[kRows], o1[kRows];
#pragma GCC unroll 4
  for (int r = 0; r < kRows; ++r) e0[r] = o0[r] = e1[r] = o1[r] = _mm512_setzero_ps();
  for (int k = 0; k < Kp; k += 32) {
    const __m512 ae0 = _mm512_loadu_ps(a0 + k), ao0 = _mm512_loadu_ps(a0 + k + 16);
    const __m512 ae1 = _mm512_loadu_ps(a1 + k), ao1 = _mm512_loadu_ps(a1 + k + 16);
#pragma GCC unroll 4
    for (int r = 0; r < kRows; ++r) {
      _mm_prefetch(reinterpret_cast<const char*>(w[r] + k + kRows * static_cast<size_t>(Kp)), _MM_HINT_T0);
      const __m512i x = _mm512_loadu_si512(w[r] + k);
      const __m512 we = _mm512_castsi512_ps(_mm512_slli_epi32(x, 16));
      const __m512 wo = _mm512_castsi512_ps(_mm512_and_si512(x, high));
      e0[r] = _mm512_fmadd_ps(ae0, we, e0[r]);
      o0[r] = _mm512_fmadd_ps(ao0, wo, o0[r]);
      e1[r] = _mm512_fmadd_ps(ae1, we, e1[r]);
      o1[r] = _mm512_fmadd_ps(ao1, wo, o1[r]);
    }
  }
#pragma GCC unroll 4
  for (int r = 0; r < kRows; ++r) {
    out0[r] = _mm512_reduce_add_ps(_mm512_add_ps(e0[r], o0[r]));
    out1[r] = _mm512_reduce_add_ps(_mm512_add_ps(e1[r], o1[r]));
  }
}

// quantize_rows_int8 for one row with AVX-512: the same max, the same
// float multiply and round-to-nearest-even (vrndscaleps, as nearbyint in
// the default rounding mode) and the same clamp, so the same bytes; the
// scalar loop calls nearbyintf through the PLT for every activation.
ML_AVX512 void quantize_row_int8_avx512(const float* x, int K, int8_t* q, int ldq, float* scale) {
  __m512 mx = _mm512_setzero_ps();
  for (int k = 0; k < K; k += 16) {
    const __mmask16 m = static_cast<__mmask16>(K - k >= 16 ? 0xffffu : (1u << (K - k)) - 1u);
    mx = _mm512_max_ps(mx, _mm512_abs_ps(_mm512_maskz_loadu_ps(m, x + k)));
  }
  const float amax = _mm512_reduce_max_ps(mx);
  const float inv = amax > 0.0f ? 127.0f / amax : 0.0f;
  const __m512 vinv = _mm512_set1_ps(inv), lo = _mm512_set1_ps(-127.0f), hi = _mm512_set1_ps(127.0f);
  for (int k = 0; k < K; k += 16) {
    const __mmask16 m = static_cast<__mmask16>(K - k >= 16 ? 0xffffu : (1u << (K - k)) - 1u);
    __m512 v = _mm512_roundscale_ps(_mm512_mul_ps(_mm512_maskz_loadu_ps(m, x + k), vinv),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    v = _mm512_min_ps(_mm512_max_ps(v, lo), hi);
    _mm_mask_storeu_epi8(q + k, m, _mm512_cvtepi32_epi8(_mm512_cvtps_epi32(v)));
  }
  for (int k = K; k < ldq; ++k) q[k] = 0;
  *scale = amax / 127.0f;
}

void int8_grouped_forward(float* out, const int8_t* qa, const float* sa, const QuantMatrix& w, const float* bias,
                          int M, const KernelContext& ctx) {
  const int N = w.N, Kp = w.Kp, G = w.groups(), group = w.group;
  const bool vnni = ctx.isa == Isa::kAvx512 && int8_vnni_supported();
  const Isa isa = ctx.isa;
  parallel_for(ctx, (N + kRows - 1) / kRows, [&](int64_t b, int64_t e, int) {
    for (int64_t blk = b; blk < e; ++blk) {
      const int n0 = static_cast<int>(blk) * kRows;
      const int nr = std::min(kRows, N - n0);
      const int8_t* rows[kRows];
      const float* sc[kRows];
      const int32_t* gs[kRows];
      for (int r = 0; r < kRows; ++r) {
        const size_t n = static_cast<size_t>(n0 + std::min(r, nr - 1));
        rows[r] = w.q.data() + n * Kp;
        sc[r] = w.scale.data() + n * G;
        gs[r] = w.row_sum.data() + n * G;
      }
      for (int m = 0; m < M; ++m) {
        float d[kRows];
        const int8_t* a = qa + static_cast<size_t>(m) * Kp;
        if (vnni) {
          dot4_i8g_vnni(a, rows, group, G, Kp, sc, gs, d);
        } else if (isa != Isa::kScalar) {
          dot4_i8g_avx2(a, rows, group, G, sc, d);
        } else {
          dot4_i8g_scalar(a, rows, group, G, sc, d);
        }
        float* o = out + static_cast<size_t>(m) * N + n0;
        for (int r = 0; r < nr; ++r) o[r] = d[r] * sa[m] + (bias ? bias[n0 + r] : 0.0f);
      }
    }
  }, 8);
}

void int8_forward(float* out, const float* inp, const QuantMatrix& w, const float* bias, int M,
                  const KernelContext& ctx) {
  const int N = w.N, K = w.K, Kp = w.Kp;
  AlignedBuffer<int8_t> qa(static_cast<size_t>(M) * Kp);
  std::vector<float> sa(static_cast<size_t>(M));
  if (ctx.isa == Isa::kAvx512) {
    for (int m = 0; m < M; ++m)
      quantize_row_int8_avx512(inp + static_cast<size_t>(m) * K, K, qa.data() + static_cast<size_t>(m) * Kp, Kp, &sa[m]);
  } else {
    quantize_rows_int8(inp, M, K, K, qa.data(), Kp, sa.data());
  }
  const bool vnni = ctx.isa == Isa::kAvx512 && int8_vnni_supported();
  const Isa isa = ctx.isa;
  if (w.group > 0) {
    int8_grouped_forward(out, qa.data(), sa.data(), w, bias, M, ctx);
    return;
  }
  // AMX takes whole tiles of 16 weight rows; the row dots below do the rest.
  int64_t first_block = 0;
  if (ctx.int8_amx && M >= 2) {
    int8_forward_amx(out, qa.data(), sa.data(), w, bias, M, ctx);
    first_block = N / 16 * 16 / kRows;
  }
  parallel_for(ctx, (N + kRows - 1) / kRows - first_block, [&](int64_t b, int64_t e, int) {
    for (int64_t blk = b + first_block; blk < e + first_block; ++blk) {
      const int n0 = static_cast<int>(blk) * kRows;
      const int nr = std::min(kRows, N - n0);
      const int8_t* rows[kRows];
      int32_t sums[kRows];
      for (int r = 0; r < kRows; ++r) {
        const int n = n0 + std::min(r, nr - 1);  // a short last block repeats its last row
        rows[r] = w.q.data() + static_cast<size_t>(n) * Kp;
        sums[r] = w.row_sum[n];
      }
      int m = 0;
      for (; vnni && M - m >= 4; m += 4) {
        int32_t d4[4][kRows];
        const int8_t* a4[4];
        for (int i = 0; i < 4; ++i) a4[i] = qa.data() + static_cast<size_t>(m + i) * Kp;
        dot4x4_i8_vnni(a4, rows, Kp, sums, d4);
        for (int i = 0; i < 4; ++i) {
          float* o = out + static_cast<size_t>(m + i) * N + n0;
          for (int r = 0; r < nr; ++r)
            o[r] = int8_output(d4[i][r], sa[m + i], w.scale[n0 + r], bias, n0 + r);
        }
      }
      for (; m < M; ++m) {
        int32_t d[kRows];
        const int8_t* a = qa.data() + static_cast<size_t>(m) * Kp;
        if (vnni) {
          dot4_i8_vnni(a, rows, Kp, sums, d);
        } else if (isa != Isa::kScalar) {
          dot4_i8_avx2(a, rows, Kp, d);
        } else {
          dot4_i8_scalar(a, rows, Kp, d);
        }
        float* o = out + static_cast<size_t>(m) * N + n0;
        for (int r = 0; r < nr; ++r)
          o[r] = int8_output(d[r], sa[m], w.scale[n0 + r], bias, n0 + r);
      }
    }
  }, 8);
}

void bf16_forward(float* out, const float* inp, const QuantMatrix& w, const float* bias, int M,
                  const KernelContext& ctx) {
  const int N = w.N, K = w.K, Kp = w.Kp;
  const Isa isa = ctx.isa;
  AlignedBuffer<float> xa(static_cast<size_t>(M) * Kp);  // zero padded
  for (int m = 0; m < M; ++m) {
    const float* x = inp + static_cast<size_t>(m) * K;
    float* dst = xa.data() + static_cast<size_t>(m) * Kp;
    if (isa != Isa::kAvx512) {
      std::memcpy(dst, x, K * sizeof(float));
      continue;
    }
    // dot4_bf16_avx512's layout: per 32 inputs, the even ones then the odd.
    for (int k = 0; k < K; ++k) dst[(k & ~31) + ((k & 1) << 4) + ((k & 31) >> 1)] = x[k];
  }
  parallel_for(ctx, (N + kRows - 1) / kRows, [&](int64_t b, int64_t e, int) {
    for (int64_t blk = b; blk < e; ++blk) {
      const int n0 = static_cast<int>(blk) * kRows;
      const int nr = std::min(kRows, N - n0);
      const uint16_t* rows[kRows];
      for (int r = 0; r < kRows; ++r) rows[r] = w.bf16.data() + static_cast<size_t>(n0 + std::min(r, nr - 1)) * Kp;
      auto store = [&](int m, const float* d) {
        float* o = out + static_cast<size_t>(m) * N + n0;
        for (int r = 0; r < nr; ++r) o[r] = d[r] + (bias ? bias[n0 + r] : 0.0f);
      };
      int m = 0;
      if (isa == Isa::kAvx512) {
        for (; M - m >= 2; m += 2) {
          float d0[kRows], d1[kRows];
          dot4x2_bf16_avx512(xa.data() + static_cast<size_t>(m) * Kp, xa.data() + static_cast<size_t>(m + 1) * Kp,
                             rows, Kp, d0, d1);
          store(m, d0);
          store(m + 1, d1);
        }
      }
      for (; m < M; ++m) {
        float d[kRows];
        const float* a = xa.data() + static_cast<size_t>(m) * Kp;
        if (isa == Isa::kAvx512) {
          dot4_bf16_avx512(a, rows, Kp, d);
        } else if (isa == Isa::kAvx2) {
          dot4_bf16_avx2(a, rows, Kp, d);
        } else {
          dot4_bf16_scalar(a, rows, Kp, d);
        }
        store(m, d);
      }
    }
  }, 8);
}

}  // namespace

const char* weight_format_name(WeightFormat f) {
  switch (f) {
    case WeightFormat::kF32: return "f32";
    case WeightFormat::kBF16: return "bf16";
    case WeightFormat::kInt8: return "int8";
  }
  return "unknown";
}

Result<WeightFormat> parse_weight_format(std::string_view name) {
  if (name == "f32" || name == "fp32" || name == "float32") return WeightFormat::kF32;
  if (name == "bf16" || name == "bfloat16") return WeightFormat::kBF16;
  if (name == "int8" || name == "i8") return WeightFormat::kInt8;
  return invalid_argument("weight format '" + std::string(name) + "': expected f32, bf16 or int8");
}

bool int8_vnni_supported() {
  return isa_supported(Isa::kAvx512) && __builtin_cpu_supports("avx512vnni");
}

size_t QuantMatrix::bytes() const {
  return bf16.size() * sizeof(uint16_t) + q.size() + scale.size() * sizeof(float);
}

void quantize_rows_int8(const float* x, int rows, int K, int ldx, int8_t* q, int ldq, float* scale) {
  for (int r = 0; r < rows; ++r) {
    const float* xr = x + static_cast<size_t>(r) * ldx;
    int8_t* qr = q + static_cast<size_t>(r) * ldq;
    float amax = 0.0f;
    for (int k = 0; k < K; ++k) amax = std::max(amax, std::fabs(xr[k]));
    const float s = amax / 127.0f;
    const float inv = amax > 0.0f ? 127.0f / amax : 0.0f;
    for (int k = 0; k < K; ++k) {
      const float v = std::nearbyint(xr[k] * inv);
      qr[k] = static_cast<int8_t>(std::clamp(v, -127.0f, 127.0f));
    }
    for (int k = K; k < ldq; ++k) qr[k] = 0;
    scale[r] = s;
  }
}

Status check_int8_group_size(int group) {
  if (group == 0 || (group >= 32 && group <= 4096 && (group & (group - 1)) == 0)) return Status::ok();
  return invalid_argument("int8 group size " + std::to_string(group) +
                          ": expected 0 (one scale per row) or a power of two from 32 to 4096 (e.g. 32, 64, 128)");
}

QuantMatrix quantize_matrix(const float* w, int N, int K, bool conv1d, WeightFormat format, int group) {
  QuantMatrix m;
  m.format = format;
  m.N = N;
  m.K = K;
  m.Kp = quant_padded_k(K);
  if (format == WeightFormat::kInt8 && group > 0) {
    // Whole groups inside the padded row: Kp a multiple of max(64, group).
    const int unit = std::max(64, group);
    m.group = group;
    m.Kp = (K + unit - 1) / unit * unit;
  }
  // Gather one row (output channel) at a time into Linear orientation.
  std::vector<float> row(static_cast<size_t>(K));
  auto gather = [&](int n) {
    for (int k = 0; k < K; ++k)
      row[k] = conv1d ? w[static_cast<size_t>(k) * N + n] : w[static_cast<size_t>(n) * K + k];
  };
  if (format == WeightFormat::kBF16) {
    m.bf16.resize(static_cast<size_t>(N) * m.Kp);
    for (int n = 0; n < N; ++n) {
      gather(n);
      for (int k = 0; k < K; ++k) m.bf16[static_cast<size_t>(n) * m.Kp + k] = to_bf16(row[k]);
    }
  } else {
    m.format = WeightFormat::kInt8;
    m.q.resize(static_cast<size_t>(N) * m.Kp);
    const int G = m.groups();
    m.scale.resize(static_cast<size_t>(N) * G);
    m.row_sum.resize(static_cast<size_t>(N) * G);
    for (int n = 0; n < N && m.group > 0; ++n) {
      gather(n);
      int8_t* qr = m.q.data() + static_cast<size_t>(n) * m.Kp;
      std::fill(qr, qr + m.Kp, int8_t{0});
      for (int g = 0; g < G; ++g) {
        const int k0 = g * m.group, len = std::min(m.group, K - k0);
        const size_t at = static_cast<size_t>(n) * G + g;
        quantize_rows_int8(row.data() + k0, 1, len, len, qr + k0, len, &m.scale[at]);
        int32_t s = 0;
        for (int k = k0; k < k0 + len; ++k) s += qr[k];
        m.row_sum[at] = s;
      }
    }
    for (int n = 0; n < N && m.group == 0; ++n) {
      gather(n);
      int8_t* qr = m.q.data() + static_cast<size_t>(n) * m.Kp;
      quantize_rows_int8(row.data(), 1, K, K, qr, m.Kp, &m.scale[n]);
      int32_t s = 0;
      for (int k = 0; k < K; ++k) s += qr[k];
      m.row_sum[n] = s;
    }
  }
  return m;
}

void dequantize_matrix(const QuantMatrix& m, bool conv1d, float* w) {
  for (int n = 0; n < m.N; ++n)
    for (int k = 0; k < m.K; ++k) {
      const size_t i = static_cast<size_t>(n) * m.Kp + k;
      const float v = m.format == WeightFormat::kBF16
                          ? from_bf16(m.bf16[i])
                          : m.q[i] * m.scale[static_cast<size_t>(n) * m.groups() + (m.group > 0 ? k / m.group : 0)];
      w[conv1d ? static_cast<size_t>(k) * m.N + n : static_cast<size_t>(n) * m.K + k] = v;
    }
}

void quant_linear_forward(float* out, const float* inp, const QuantMatrix& w, const float* bias, int M,
                          const KernelContext& ctx) {
  if (M <= 0 || w.N <= 0) return;
  if (w.format == WeightFormat::kInt8) {
    int8_forward(out, inp, w, bias, M, ctx);
  } else {
    bf16_forward(out, inp, w, bias, M, ctx);
  }
}

}  // namespace marketlm::kernels
