// Mixed-precision gemm (see include/marketlm/kernels/gemm_bf16.h).
//
// Blocking, for both optimised kernels:
//   for each block of kNc output columns:
//     for each block of kKc k values:
//       pack B[kc, jc] once into panels of 32 columns, each [kc/2][32] bf16
//         pairs (the VNNI layout: pair p of column j = B(2p, j), B(2p+1, j));
//       for each block of kMc rows:
//         pack A[ic, kc] once as bf16 rows [rows][kc + pad], zero-padded to
//           whole 32-row tiles and 32-wide k steps;
//         every (column panel, 32-row tile) pair is one task: a 32x32 fp32
//           accumulator over the block's k, then added into C.
// Packing rounds fp32 to bf16 with vcvtne(2)ps2bf16, 16 or 32 values at a time.
// The AVX512-BF16 micro-kernel runs 8 rows x 32 columns (16 zmm accumulators,
// 2 B loads and 8 broadcast A pairs per k pair); the AMX one holds the 32x32
// tile in four 16x16 tile registers and issues 4 tdpbf16ps per 32 k.
#include "marketlm/kernels/gemm_bf16.h"

#include "kernels/amx.h"


#include <algorithm>
#include <cstdlib>
#include <new>
#include <cstring>
#include <string>


#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

namespace marketlm::kernels {
namespace {

#define ML_BF16 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512bf16,fma")))
#define ML_AMX __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512bf16,fma,amx-tile,amx-bf16")))

constexpr int kTile = 32;   // output tile: 32 rows x 32 columns; also the k step
constexpr int kKc = 512;    // k per block (multiple of 32)
constexpr int kMc = 512;    // rows per packed A block (multiple of 32)
constexpr int kNc = 2048;   // columns per packed B block (multiple of 32)
constexpr int kAPad = 32;   // extra bf16 per packed A row: rows 1 KiB apart would share L1 sets

int round_up(int x, int m) { return (x + m - 1) / m * m; }

// ---- reference ------------------------------------------------------------

void gemm_reference(ThreadPool* pool, bool ta, bool tb, int M, int N, int K, const float* A, int lda,
                    const float* B, int ldb, float beta, float* C, int ldc) {
  parallel_for(KernelContext{pool, Isa::kScalar}, M, [&](int64_t b, int64_t e, int) {
    for (int64_t i = b; i < e; ++i)
      for (int j = 0; j < N; ++j) {
        double s = 0;
        for (int k = 0; k < K; ++k) {
          const float a = ta ? A[static_cast<size_t>(k) * lda + i] : A[static_cast<size_t>(i) * lda + k];
          const float v = tb ? B[static_cast<size_t>(j) * ldb + k] : B[static_cast<size_t>(k) * ldb + j];
          s += static_cast<double>(round_to_bf16(a)) * round_to_bf16(v);
        }
        float& c = C[static_cast<size_t>(i) * ldc + j];
        c = beta == 0.0f ? static_cast<float>(s) : static_cast<float>(s + static_cast<double>(beta) * c);
      }
  }, 1);
}

// ---- packing --------------------------------------------------------------

inline __mmask16 lanes(int n) {
  return n >= 16 ? static_cast<__mmask16>(0xFFFF) : n <= 0 ? 0 : static_cast<__mmask16>((1u << n) - 1u);
}

// 16 pairs (lo[i], hi[i]) as 32-bit lanes.
ML_BF16 inline __m512i pairs16(__m512 lo, __m512 hi) {
  const __m512i l = _mm512_cvtepu16_epi32((__m256i)_mm512_cvtneps_pbh(lo));
  const __m512i h = _mm512_cvtepu16_epi32((__m256i)_mm512_cvtneps_pbh(hi));
  return _mm512_or_si512(l, _mm512_slli_epi32(h, 16));
}

// In place: r[i] lane j <- r[j] lane i, for 16 vectors of 16 32-bit lanes
// (unpack 32-bit, unpack 64-bit, then two rounds of 128-bit lane shuffles).
ML_BF16 inline void transpose16(__m512i r[16]) {
  __m512i t[16];
  for (int i = 0; i < 8; ++i) {
    t[2 * i] = _mm512_unpacklo_epi32(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_epi32(r[2 * i], r[2 * i + 1]);
  }
  for (int i = 0; i < 4; ++i) {
    r[4 * i] = _mm512_unpacklo_epi64(t[4 * i], t[4 * i + 2]);
    r[4 * i + 1] = _mm512_unpackhi_epi64(t[4 * i], t[4 * i + 2]);
    r[4 * i + 2] = _mm512_unpacklo_epi64(t[4 * i + 1], t[4 * i + 3]);
    r[4 * i + 3] = _mm512_unpackhi_epi64(t[4 * i + 1], t[4 * i + 3]);
  }
  // r[4g + c], 128-bit lane L: column 4L + c of rows 4g .. 4g + 3.
  for (int c = 0; c < 4; ++c) {
    const __m512i a = _mm512_shuffle_i32x4(r[c], r[4 + c], 0x88), b = _mm512_shuffle_i32x4(r[c], r[4 + c], 0xdd);
    const __m512i d = _mm512_shuffle_i32x4(r[8 + c], r[12 + c], 0x88),
                  e = _mm512_shuffle_i32x4(r[8 + c], r[12 + c], 0xdd);
    t[c] = _mm512_shuffle_i32x4(a, d, 0x88);
    t[8 + c] = _mm512_shuffle_i32x4(a, d, 0xdd);
    t[4 + c] = _mm512_shuffle_i32x4(b, e, 0x88);
    t[12 + c] = _mm512_shuffle_i32x4(b, e, 0xdd);
  }
  for (int i = 0; i < 16; ++i) r[i] = t[i];
}

// Ap rows r < Mpad, stride `as` bf16: Ap[r][k] = A(i0 + r, k0 + k), zero
// outside mc x kc. Rows [r0, r1) only (r0, r1 multiples of 16).
ML_BF16 void pack_a(bool ta, const float* A, int lda, int i0, int mc, int k0, int kc, int kcp, int r0, int r1,
                    uint16_t* Ap, int as) {
  if (!ta) {
    for (int r = r0; r < r1; ++r) {
      uint16_t* dst = Ap + static_cast<size_t>(r) * as;
      if (r >= mc) {
        std::memset(dst, 0, static_cast<size_t>(kcp) * 2);
        continue;
      }
      const float* src = A + static_cast<size_t>(i0 + r) * lda + k0;
      for (int k = 0; k < kcp; k += 16) {
        const __m512 v = _mm512_maskz_loadu_ps(lanes(kc - k), src + k);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + k), (__m256i)_mm512_cvtneps_pbh(v));
      }
    }
    return;
  }
  // A(i, k) = A[k][i]: two source rows give 16 pairs for 16 rows i; 16 such
  // (32 k) are transposed in registers into 16 pairs for each of the rows.
  const int as32 = as / 2;
  uint32_t* Ap32 = reinterpret_cast<uint32_t*>(Ap);
  __m512i v[16];
  for (int p0 = 0; p0 < kcp / 2; p0 += 16) {
    for (int r = r0; r < r1; r += 16) {
      const __mmask16 m = lanes(mc - r);
      for (int q = 0; q < 16; ++q) {
        const int ka = 2 * (p0 + q), kb = ka + 1;
        const __m512 lo = ka < kc ? _mm512_maskz_loadu_ps(m, A + static_cast<size_t>(k0 + ka) * lda + i0 + r)
                                  : _mm512_setzero_ps();
        const __m512 hi = kb < kc ? _mm512_maskz_loadu_ps(m, A + static_cast<size_t>(k0 + kb) * lda + i0 + r)
                                  : _mm512_setzero_ps();
        v[q] = pairs16(lo, hi);
      }
      transpose16(v);
      for (int q = 0; q < 16; ++q) _mm512_storeu_si512(Ap32 + static_cast<size_t>(r + q) * as32 + p0, v[q]);
    }
  }
}

// Panel q of the B block (columns j0 + 32q ..): Bp[p][jj] pairs, zero outside.
ML_BF16 void pack_b_panel(bool tb, const float* B, int ldb, int j0, int nc, int k0, int kc, int kcp, int q,
                          uint32_t* Bp) {
  const int jb = 32 * q;
  if (!tb) {
    for (int p = 0; p < kcp / 2; ++p) {
      const int ka = 2 * p, kb = 2 * p + 1;
      for (int h = 0; h < 32; h += 16) {
        const __mmask16 m = lanes(nc - jb - h);
        const __m512 lo = ka < kc ? _mm512_maskz_loadu_ps(m, B + static_cast<size_t>(k0 + ka) * ldb + j0 + jb + h)
                                  : _mm512_setzero_ps();
        const __m512 hi = kb < kc ? _mm512_maskz_loadu_ps(m, B + static_cast<size_t>(k0 + kb) * ldb + j0 + jb + h)
                                  : _mm512_setzero_ps();
        _mm512_storeu_si512(Bp + static_cast<size_t>(p) * 32 + h, pairs16(lo, hi));
      }
    }
    return;
  }
  // B(k, j) = B[j][k]: a source row holds 16 consecutive pairs of column j;
  // 16 columns of them are transposed in registers into 16 rows of pairs.
  __m512i v[16];
  for (int h = 0; h < 32; h += 16) {
    for (int k = 0; k < kcp; k += 32) {
      for (int jj = 0; jj < 16; ++jj) {
        if (jb + h + jj >= nc) {
          v[jj] = _mm512_setzero_si512();
          continue;
        }
        const float* src = B + static_cast<size_t>(j0 + jb + h + jj) * ldb + k0;
        const __m512 lo = _mm512_maskz_loadu_ps(lanes(kc - k), src + k);
        const __m512 hi = _mm512_maskz_loadu_ps(lanes(kc - k - 16), src + k + 16);
        v[jj] = (__m512i)_mm512_cvtne2ps_pbh(hi, lo);
      }
      transpose16(v);
      for (int t = 0; t < 16; ++t) _mm512_storeu_si512(Bp + static_cast<size_t>(k / 2 + t) * 32 + h, v[t]);
    }
  }
}

// ---- micro-kernels: acc[32][32] = Ap tile (32 x kcp) . Bp panel -------------

ML_BF16 void tile_avx512bf16(const uint16_t* Ap, int as, const uint32_t* Bp, int kcp, float* acc) {
  const uint32_t* A32 = reinterpret_cast<const uint32_t*>(Ap);
  const int as32 = as / 2, kp = kcp / 2;
  for (int r0 = 0; r0 < kTile; r0 += 8) {
    __m512 c[8][2];
    for (int r = 0; r < 8; ++r) c[r][0] = c[r][1] = _mm512_setzero_ps();
    const uint32_t* a = A32 + static_cast<size_t>(r0) * as32;
    for (int p = 0; p < kp; ++p) {
      const __m512bh b0 = (__m512bh)_mm512_loadu_si512(Bp + static_cast<size_t>(p) * 32);
      const __m512bh b1 = (__m512bh)_mm512_loadu_si512(Bp + static_cast<size_t>(p) * 32 + 16);
#pragma GCC unroll 8
      for (int r = 0; r < 8; ++r) {
        const __m512bh av = (__m512bh)_mm512_set1_epi32(static_cast<int>(a[static_cast<size_t>(r) * as32 + p]));
        c[r][0] = _mm512_dpbf16_ps(c[r][0], av, b0);
        c[r][1] = _mm512_dpbf16_ps(c[r][1], av, b1);
      }
    }
    for (int r = 0; r < 8; ++r) {
      _mm512_storeu_ps(acc + (r0 + r) * kTile, c[r][0]);
      _mm512_storeu_ps(acc + (r0 + r) * kTile + 16, c[r][1]);
    }
  }
}

// Tiles 0-3: C (16 x 16 fp32); 4, 5: A (16 rows x 32 bf16); 6, 7: B (16 pairs x 16 columns).
ML_AMX void amx_configure() {
  AmxTileConfig cfg = amx_tiles_16x64(8);
  // GCC does not see ldtilecfg read the struct and drops the stores above
  // without this barrier.
  __asm__ volatile("" : : "r"(&cfg) : "memory");
  _tile_loadconfig(&cfg);
}

// cin: nullptr starts from zero, else the 32x32 fp32 start values (stride
// ldin floats); the result goes to cout (stride ldout floats).
ML_AMX void tile_amx(const uint16_t* Ap, int as, const uint32_t* Bp, int kcp, const float* cin, long ldin,
                     float* cout, long ldout) {
  if (cin == nullptr) {
    _tile_zero(0);
    _tile_zero(1);
    _tile_zero(2);
    _tile_zero(3);
  } else {
    _tile_loadd(0, cin, ldin * 4);
    _tile_loadd(1, cin + 16, ldin * 4);
    _tile_loadd(2, cin + 16 * ldin, ldin * 4);
    _tile_loadd(3, cin + 16 * ldin + 16, ldin * 4);
  }
  const long sa = static_cast<long>(as) * 2;
  for (int k = 0; k < kcp; k += 32) {
    _tile_loadd(4, Ap + k, sa);
    _tile_loadd(5, Ap + static_cast<size_t>(16) * as + k, sa);
    _tile_loadd(6, Bp + static_cast<size_t>(k / 2) * 32, 128);
    _tile_loadd(7, Bp + static_cast<size_t>(k / 2) * 32 + 16, 128);
    _tile_dpbf16ps(0, 4, 6);
    _tile_dpbf16ps(1, 4, 7);
    _tile_dpbf16ps(2, 5, 6);
    _tile_dpbf16ps(3, 5, 7);
  }
  _tile_stored(0, cout, ldout * 4);
  _tile_stored(1, cout + 16, ldout * 4);
  _tile_stored(2, cout + 16 * ldout, ldout * 4);
  _tile_stored(3, cout + 16 * ldout + 16, ldout * 4);
}

ML_AMX void amx_release() { _tile_release(); }

// C[rows, cols] = acc + (first ? beta * C : C).
ML_BF16 void add_tile(const float* acc, float* C, int ldc, int rows, int cols, bool first, float beta) {
  const __mmask16 m0 = lanes(cols), m1 = lanes(cols - 16);
  const __m512 vb = _mm512_set1_ps(first ? beta : 1.0f);
  const bool read = !first || beta != 0.0f;
  for (int r = 0; r < rows; ++r) {
    float* c = C + static_cast<size_t>(r) * ldc;
    __m512 v0 = _mm512_loadu_ps(acc + r * kTile), v1 = _mm512_loadu_ps(acc + r * kTile + 16);
    if (read) {
      v0 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m0, c), v0);
      v1 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m1, c + 16), v1);
    }
    _mm512_mask_storeu_ps(c, m0, v0);
    _mm512_mask_storeu_ps(c + 16, m1, v1);
  }
}

// 64-byte aligned, uninitialised packing space for one product.
template <typename T>
class Scratch {
 public:
  explicit Scratch(size_t n)
      : p_(static_cast<T*>(std::aligned_alloc(64, (n * sizeof(T) + 63) / 64 * 64))) {
    if (p_ == nullptr) throw std::bad_alloc();
  }
  ~Scratch() { std::free(p_); }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  T* data() { return p_; }

 private:
  T* p_;
};

void gemm_packed(Bf16Kernel kernel, ThreadPool* pool, bool ta, bool tb, int M, int N, int K, const float* A,
                 int lda, const float* B, int ldb, float beta, float* C, int ldc) {
  const KernelContext ctx{pool, Isa::kAvx512};
  const int kcp_max = round_up(std::min(K, kKc), kTile);
  const int as = kcp_max + kAPad;
  const int mc_max = round_up(std::min(M, kMc), kTile);
  const int panels_max = round_up(std::min(N, kNc), kTile) / kTile;
  // Packing writes every element a tile reads, so the buffers are not zeroed.
  Scratch<uint16_t> abuf(static_cast<size_t>(mc_max) * as);
  Scratch<uint32_t> bbuf(static_cast<size_t>(panels_max) * (kcp_max / 2) * 32);
  const bool amx = kernel == Bf16Kernel::kAmx;
  for (int j0 = 0; j0 < N; j0 += kNc) {
    const int nc = std::min(kNc, N - j0);
    const int panels = round_up(nc, kTile) / kTile;
    for (int k0 = 0; k0 < K; k0 += kKc) {
      const int kc = std::min(kKc, K - k0);
      const int kcp = round_up(kc, kTile);
      const size_t panel_u32 = static_cast<size_t>(kcp / 2) * 32;
      parallel_for(ctx, panels, [&](int64_t b, int64_t e, int) {
        for (int64_t q = b; q < e; ++q)
          pack_b_panel(tb, B, ldb, j0, nc, k0, kc, kcp, static_cast<int>(q), bbuf.data() + q * panel_u32);
      }, 1);
      for (int i0 = 0; i0 < M; i0 += kMc) {
        const int mc = std::min(kMc, M - i0);
        const int tiles = round_up(mc, kTile) / kTile;
        parallel_for(ctx, 2 * tiles, [&](int64_t b, int64_t e, int) {
          pack_a(ta, A, lda, i0, mc, k0, kc, kcp, static_cast<int>(16 * b), static_cast<int>(16 * e),
                 abuf.data(), as);
        }, 1);
        parallel_for(ctx, static_cast<int64_t>(panels) * tiles, [&](int64_t b, int64_t e, int) {
          alignas(64) float acc[kTile * kTile];
          if (amx) amx_configure();
          for (int64_t t = b; t < e; ++t) {
            const int q = static_cast<int>(t / tiles), it = static_cast<int>(t % tiles);
            const uint16_t* ap = abuf.data() + static_cast<size_t>(it) * kTile * as;
            const uint32_t* bp = bbuf.data() + q * panel_u32;
            const int r = i0 + it * kTile, c = j0 + q * kTile;
            const int rows = std::min(kTile, M - r), cols = std::min(kTile, N - c);
            float* cp = C + static_cast<size_t>(r) * ldc + c;
            const bool first = k0 == 0;
            if (amx && rows == kTile && cols == kTile && (!first || beta == 0.0f || beta == 1.0f)) {
              // A whole tile: accumulate on top of C in the tile registers.
              tile_amx(ap, as, bp, kcp, first && beta == 0.0f ? nullptr : cp, ldc, cp, ldc);
              continue;
            }
            if (amx) {
              tile_amx(ap, as, bp, kcp, nullptr, 0, acc, kTile);
            } else {
              tile_avx512bf16(ap, as, bp, kcp, acc);
            }
            add_tile(acc, cp, ldc, rows, cols, first, beta);
          }
          if (amx) amx_release();
        }, 1);
      }
    }
  }
}

}  // namespace

uint16_t float_to_bf16(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  if ((bits & 0x7f800000u) == 0) return static_cast<uint16_t>((bits >> 16) & 0x8000u);  // zero, denormal
  if ((bits & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((bits >> 16) | 0x40u);  // quiet NaN
  if ((bits & 0x7fffffffu) == 0x7f800000u) return static_cast<uint16_t>(bits >> 16);           // inf
  bits += 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>(bits >> 16);
}

float bf16_to_float(uint16_t h) {
  const uint32_t bits = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

const char* bf16_kernel_name(Bf16Kernel k) {
  switch (k) {
    case Bf16Kernel::kOff: return "fp32";
    case Bf16Kernel::kScalar: return "bf16-scalar";
    case Bf16Kernel::kAvx512Bf16: return "bf16-avx512";
    case Bf16Kernel::kAmx: return "bf16-amx";
  }
  return "unknown";
}

bool bf16_kernel_supported(Bf16Kernel k) {
  const bool avx512bf16 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                          __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
                          __builtin_cpu_supports("avx512bf16");
  switch (k) {
    case Bf16Kernel::kOff:
    case Bf16Kernel::kScalar: return true;
    case Bf16Kernel::kAvx512Bf16: return avx512bf16;
    case Bf16Kernel::kAmx: return avx512bf16 && amx_usable(22);  // AMX-BF16
  }
  return false;
}

Bf16Kernel best_bf16_kernel() {
  if (bf16_kernel_supported(Bf16Kernel::kAmx)) return Bf16Kernel::kAmx;
  if (bf16_kernel_supported(Bf16Kernel::kAvx512Bf16)) return Bf16Kernel::kAvx512Bf16;
  return Bf16Kernel::kOff;
}

Result<Bf16Kernel> resolve_precision(std::string_view precision, Isa isa) {
  if (precision.empty() || precision == "fp32") return Bf16Kernel::kOff;
  if (precision == "bf16") {
    if (isa == Isa::kScalar) return Bf16Kernel::kScalar;
    const Bf16Kernel k = best_bf16_kernel();
    if (k == Bf16Kernel::kOff)
      return invalid_argument(
          "precision \"bf16\": this CPU has no AVX512-BF16 (or AMX-BF16), so bf16 training would run the slow "
          "scalar reference; use precision \"fp32\", or \"bf16-scalar\" to run the reference anyway");
    return k;
  }
  for (Bf16Kernel k : {Bf16Kernel::kScalar, Bf16Kernel::kAvx512Bf16, Bf16Kernel::kAmx}) {
    if (precision != bf16_kernel_name(k)) continue;
    if (!bf16_kernel_supported(k))
      return invalid_argument("precision \"" + std::string(precision) + "\": this CPU (or the OS) does not support it; " +
                              "best available is \"" + bf16_kernel_name(best_bf16_kernel()) + "\"");
    return k;
  }
  return invalid_argument("precision \"" + std::string(precision) +
                          "\" is not known; expected fp32, bf16, bf16-scalar, bf16-avx512 or bf16-amx");
}

void gemm_bf16(Bf16Kernel kernel, ThreadPool* pool, bool ta, bool tb, int M, int N, int K, const float* A,
               int lda, const float* B, int ldb, float beta, float* C, int ldc) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0 || kernel == Bf16Kernel::kScalar || kernel == Bf16Kernel::kOff) {
    gemm_reference(pool, ta, tb, M, N, std::max(K, 0), A, lda, B, ldb, beta, C, ldc);
    return;
  }
  gemm_packed(kernel, pool, ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc);
}

}  // namespace marketlm::kernels
