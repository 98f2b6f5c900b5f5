// Matrix products: a scalar reference gemm and an OpenBLAS one, and the
// Conv1D-orientation matmul built from them, split over the thread pool by
// output rows (or columns) so no two threads write the same memory.
#include "marketlm/kernels/matmul.h"

#include "marketlm/kernels/gemm_bf16.h"
#include "marketlm/kernels/matmul_decode.h"

#include <cblas.h>

#include <algorithm>
#include <vector>

namespace marketlm::kernels {
namespace {

void gemm_scalar(bool ta, bool tb, int M, int N, int K, const float* A, int lda, const float* B,
                 int ldb, float beta, float* C, int ldc) {
  auto a_at = [&](int i, int k) { return ta ? A[static_cast<size_t>(k) * lda + i] : A[static_cast<size_t>(i) * lda + k]; };
  std::vector<float> acc(static_cast<size_t>(N));
  for (int i = 0; i < M; ++i) {
    if (tb) {
      // B^T: row j of op(B) is row j of B, so each output is a dot over k.
      for (int j = 0; j < N; ++j) {
        const float* brow = B + static_cast<size_t>(j) * ldb;
        float s = 0.0f;
        for (int k = 0; k < K; ++k) s += a_at(i, k) * brow[k];
        acc[j] = s;
      }
    } else {
      std::fill(acc.begin(), acc.end(), 0.0f);
      for (int k = 0; k < K; ++k) {
        const float a = a_at(i, k);
        const float* brow = B + static_cast<size_t>(k) * ldb;
        for (int j = 0; j < N; ++j) acc[j] += a * brow[j];
      }
    }
    float* crow = C + static_cast<size_t>(i) * ldc;
    if (beta == 0.0f) {
      for (int j = 0; j < N; ++j) crow[j] = acc[j];
    } else {
      for (int j = 0; j < N; ++j) crow[j] = beta * crow[j] + acc[j];
    }
  }
}

}  // namespace

void gemm(Isa isa, bool ta, bool tb, int M, int N, int K, const float* A, int lda, const float* B,
          int ldb, float beta, float* C, int ldc) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    for (int i = 0; i < M; ++i)
      for (int j = 0; j < N; ++j) {
        float& c = C[static_cast<size_t>(i) * ldc + j];
        c = beta == 0.0f ? 0.0f : beta * c;
      }
    return;
  }
  if (isa == Isa::kScalar) {
    gemm_scalar(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc);
    return;
  }
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, M, N, K,
              1.0f, A, lda, B, ldb, beta, C, ldc);
}

void gemm_ctx(const KernelContext& ctx, bool ta, bool tb, int M, int N, int K, const float* A, int lda,
              const float* B, int ldb, float beta, float* C, int ldc) {
  if (ctx.bf16 != Bf16Kernel::kOff) {
    gemm_bf16(ctx.bf16, ctx.pool, ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc);
    return;
  }
  parallel_for(ctx, M, [&](int64_t b, int64_t e, int) {
    const float* a = ta ? A + b : A + b * lda;
    gemm(ctx.isa, ta, tb, static_cast<int>(e - b), N, K, a, lda, B, ldb, beta, C + b * ldc, ldc);
  }, 4);
}

void matmul_forward(float* out, const float* inp, const float* w, const float* bias, int N, int C,
                    int OC, const KernelContext& ctx) {
  if (ctx.bf16 != Bf16Kernel::kOff) {
    float beta = 0.0f;
    if (bias != nullptr) {
      parallel_for(ctx, N, [&](int64_t b, int64_t e, int) {
        for (int64_t r = b; r < e; ++r) std::copy(bias, bias + OC, out + r * OC);
      }, 16);
      beta = 1.0f;
    }
    gemm_bf16(ctx.bf16, ctx.pool, false, false, N, OC, C, inp, C, w, OC, beta, out, OC);
    return;
  }
  if (N <= kDecodeMaxRows && ctx.isa == Isa::kAvx512) {
    // Few rows (a decode step): stream the weights once, unpacked.
    matmul_decode_forward(out, inp, w, bias, N, C, OC, ctx);
    return;
  }
  if (N < 16 && ctx.pool != nullptr) {
    // Few rows (a decode step): split over output columns instead, so every
    // thread streams its share of the weights.
    parallel_for(ctx, OC, [&](int64_t b, int64_t e, int) {
      const int cols = static_cast<int>(e - b);
      float beta = 0.0f;
      if (bias != nullptr) {
        for (int r = 0; r < N; ++r) std::copy(bias + b, bias + e, out + static_cast<size_t>(r) * OC + b);
        beta = 1.0f;
      }
      gemm(ctx.isa, false, false, N, cols, C, inp, C, w + b, OC, beta, out + b, OC);
    }, 64);
    return;
  }
  parallel_for(ctx, N, [&](int64_t b, int64_t e, int) {
    const int rows = static_cast<int>(e - b);
    float* o = out + b * OC;
    float beta = 0.0f;
    if (bias != nullptr) {
      for (int r = 0; r < rows; ++r) std::copy(bias, bias + OC, o + static_cast<size_t>(r) * OC);
      beta = 1.0f;
    }
    gemm(ctx.isa, false, false, rows, OC, C, inp + b * C, C, w, OC, beta, o, OC);
  }, 4);
}

void matmul_backward(float* d_inp, float* d_w, float* d_bias, const float* d_out, const float* inp,
                     const float* w, int N, int C, int OC, const KernelContext& ctx) {
  if (ctx.bf16 != Bf16Kernel::kOff) {
    if (d_inp != nullptr) gemm_bf16(ctx.bf16, ctx.pool, false, true, N, C, OC, d_out, OC, w, OC, 1.0f, d_inp, C);
    if (d_w != nullptr) gemm_bf16(ctx.bf16, ctx.pool, true, false, C, OC, N, inp, C, d_out, OC, 1.0f, d_w, OC);
  } else if (d_inp != nullptr) {
    // d_inp rows: split over n.
    parallel_for(ctx, N, [&](int64_t b, int64_t e, int) {
      gemm(ctx.isa, false, true, static_cast<int>(e - b), C, OC, d_out + b * OC, OC, w, OC, 1.0f,
           d_inp + b * C, C);
    }, 4);
  }
  if (d_w != nullptr && ctx.bf16 == Bf16Kernel::kOff) {
    // d_w rows (input channels): split over c; A = inp^T restricted to rows [b, e).
    parallel_for(ctx, C, [&](int64_t b, int64_t e, int) {
      gemm(ctx.isa, true, false, static_cast<int>(e - b), OC, N, inp + b, C, d_out, OC, 1.0f,
           d_w + b * OC, OC);
    }, 8);
  }
  if (d_bias != nullptr) {
    parallel_for(ctx, OC, [&](int64_t b, int64_t e, int) {
      for (int n = 0; n < N; ++n) {
        const float* row = d_out + static_cast<size_t>(n) * OC;
        for (int64_t o = b; o < e; ++o) d_bias[o] += row[o];
      }
    }, 16);
  }
}

void matmul_nt_forward(float* out, const float* inp, const float* w, int N, int C, int OC,
                       const KernelContext& ctx) {
  if (ctx.bf16 != Bf16Kernel::kOff) {
    gemm_bf16(ctx.bf16, ctx.pool, false, true, N, OC, C, inp, C, w, C, 0.0f, out, OC);
    return;
  }
  if (N <= kDecodeMaxRows && ctx.isa == Isa::kAvx512) {
    matmul_nt_decode_forward(out, inp, w, nullptr, N, C, OC, ctx);
    return;
  }
  // Split over output columns: each thread reads all rows, writes its columns.
  parallel_for(ctx, OC, [&](int64_t b, int64_t e, int) {
    gemm(ctx.isa, false, true, N, static_cast<int>(e - b), C, inp, C, w + b * C, C, 0.0f, out + b, OC);
  }, 64);
}

}  // namespace marketlm::kernels
