// Mixed-precision gemm: inputs rounded to bfloat16 (nearest even), products
// accumulated in fp32 with AVX512-BF16 (vdpbf16ps: two bf16 products per
// 32-bit lane per instruction). Used by the matmuls when
// KernelContext::bf16_matmul is set; parameters and gradients stay fp32.
//
// Layout: A is packed as rows of k-pairs [M][K/2] (one 32-bit pair each); B
// is packed per panel of 32 columns as [K/2][32] pairs, so one k-pair step
// of the 8x32 micro-kernel is 2 loads of B, 8 broadcasts of A, 16 vdpbf16ps.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "marketlm/kernels/matmul.h"

#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

namespace marketlm::kernels {
namespace {

#define ML_BF16 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512bf16,fma")))

constexpr int kNr = 32;  // columns per B panel (2 zmm)
constexpr int kMr = 8;   // rows per micro-kernel

inline uint32_t to_bf16(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  if ((bits & 0x7fffffffu) > 0x7f800000u) return (bits >> 16) | 0x40u;  // NaN stays NaN
  bits += 0x7fffu + ((bits >> 16) & 1u);
  return bits >> 16;
}
inline uint32_t pair(float lo, float hi) { return to_bf16(lo) | (to_bf16(hi) << 16); }

// Ap[i * KP + p] = (a(i, 2p), a(i, 2p + 1)).
void pack_a(bool ta, int M, int K, const float* A, int lda, uint32_t* Ap, int KP) {
  for (int i = 0; i < M; ++i) {
    for (int p = 0; p < KP; ++p) {
      const int k0 = 2 * p, k1 = 2 * p + 1;
      const float lo = ta ? A[static_cast<size_t>(k0) * lda + i] : A[static_cast<size_t>(i) * lda + k0];
      const float hi = k1 < K ? (ta ? A[static_cast<size_t>(k1) * lda + i] : A[static_cast<size_t>(i) * lda + k1]) : 0.0f;
      Ap[static_cast<size_t>(i) * KP + p] = pair(lo, hi);
    }
  }
}

// Bp[p * kNr + jj] = (b(2p, j0 + jj), b(2p + 1, j0 + jj)), zero past N or K.
void pack_b(bool tb, int K, int N, const float* B, int ldb, int j0, uint32_t* Bp, int KP) {
  const int nb = std::min(kNr, N - j0);
  auto b_at = [&](int k, int j) {
    return tb ? B[static_cast<size_t>(j) * ldb + k] : B[static_cast<size_t>(k) * ldb + j];
  };
  for (int p = 0; p < KP; ++p) {
    uint32_t* dst = Bp + static_cast<size_t>(p) * kNr;
    const int k0 = 2 * p, k1 = 2 * p + 1;
    for (int jj = 0; jj < nb; ++jj) dst[jj] = pair(b_at(k0, j0 + jj), k1 < K ? b_at(k1, j0 + jj) : 0.0f);
    for (int jj = nb; jj < kNr; ++jj) dst[jj] = 0;
  }
}

template <int MB>
ML_BF16 void micro_kernel(const uint32_t* Ap, int KP, const uint32_t* Bp, float* C, int ldc, int nb, float beta) {
  __m512 acc[MB][2];
  for (int r = 0; r < MB; ++r) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
  for (int p = 0; p < KP; ++p) {
    const __m512bh b0 = (__m512bh)_mm512_loadu_si512(Bp + static_cast<size_t>(p) * kNr);
    const __m512bh b1 = (__m512bh)_mm512_loadu_si512(Bp + static_cast<size_t>(p) * kNr + 16);
    for (int r = 0; r < MB; ++r) {
      const __m512bh a = (__m512bh)_mm512_set1_epi32(static_cast<int>(Ap[static_cast<size_t>(r) * KP + p]));
      acc[r][0] = _mm512_dpbf16_ps(acc[r][0], a, b0);
      acc[r][1] = _mm512_dpbf16_ps(acc[r][1], a, b1);
    }
  }
  const __mmask16 m0 = nb >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << nb) - 1u);
  const __mmask16 m1 = nb >= 32 ? static_cast<__mmask16>(0xFFFF)
                                : (nb > 16 ? static_cast<__mmask16>((1u << (nb - 16)) - 1u) : static_cast<__mmask16>(0));
  const __m512 vb = _mm512_set1_ps(beta);
  for (int r = 0; r < MB; ++r) {
    float* c = C + static_cast<size_t>(r) * ldc;
    __m512 v0 = acc[r][0], v1 = acc[r][1];
    if (beta != 0.0f) {
      v0 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m0, c), v0);
      v1 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m1, c + 16), v1);
    }
    _mm512_mask_storeu_ps(c, m0, v0);
    _mm512_mask_storeu_ps(c + 16, m1, v1);
  }
}

ML_BF16 void run_block(int mb, const uint32_t* Ap, int KP, const uint32_t* Bp, float* C, int ldc, int nb, float beta) {
  switch (mb) {
    case 8: return micro_kernel<8>(Ap, KP, Bp, C, ldc, nb, beta);
    case 7: return micro_kernel<7>(Ap, KP, Bp, C, ldc, nb, beta);
    case 6: return micro_kernel<6>(Ap, KP, Bp, C, ldc, nb, beta);
    case 5: return micro_kernel<5>(Ap, KP, Bp, C, ldc, nb, beta);
    case 4: return micro_kernel<4>(Ap, KP, Bp, C, ldc, nb, beta);
    case 3: return micro_kernel<3>(Ap, KP, Bp, C, ldc, nb, beta);
    case 2: return micro_kernel<2>(Ap, KP, Bp, C, ldc, nb, beta);
    default: return micro_kernel<1>(Ap, KP, Bp, C, ldc, nb, beta);
  }
}

}  // namespace

bool bf16_gemm_supported() {
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512bf16");
}

void gemm_bf16(bool ta, bool tb, int M, int N, int K, const float* A, int lda, const float* B, int ldb,
               float beta, float* C, int ldc) {
  if (M <= 0 || N <= 0) return;
  const int KP = (K + 1) / 2;
  std::vector<uint32_t> Ap(static_cast<size_t>(M) * KP), Bp(static_cast<size_t>(KP) * kNr);
  pack_a(ta, M, K, A, lda, Ap.data(), KP);
  for (int j0 = 0; j0 < N; j0 += kNr) {
    pack_b(tb, K, N, B, ldb, j0, Bp.data(), KP);
    const int nb = std::min(kNr, N - j0);
    for (int i0 = 0; i0 < M; i0 += kMr)
      run_block(std::min(kMr, M - i0), Ap.data() + static_cast<size_t>(i0) * KP, KP, Bp.data(),
                C + static_cast<size_t>(i0) * ldc + j0, ldc, nb, beta);
  }
}

}  // namespace marketlm::kernels
