// Matrix products. Weights use GPT-2's Conv1D orientation: w is [C, OC]
// (input-major), out = inp @ w + bias. Forward and backward side by side;
// backward accumulates (+=) into every d_ buffer it is given (nullptr skips).
#pragma once

#include "marketlm/kernels/kernel_context.h"

namespace marketlm::kernels {

// Single-threaded C[M,N] = op(A)[M,K] @ op(B)[K,N] + beta * C, row-major, where
// op transposes when ta / tb. Scalar loops or OpenBLAS sgemm by ctx isa.
// beta == 0 overwrites C without reading it.
void gemm(Isa isa, bool ta, bool tb, int M, int N, int K, const float* A, int lda, const float* B,
          int ldb, float beta, float* C, int ldc);

// The whole product over ctx.pool: when ctx.bf16 is set, one mixed-precision
// gemm_bf16 (kernels/gemm_bf16.h); otherwise fp32 gemm by ctx.isa with the
// rows of C split over the pool.
void gemm_ctx(const KernelContext& ctx, bool ta, bool tb, int M, int N, int K, const float* A, int lda,
              const float* B, int ldb, float beta, float* C, int ldc);

// The three products below run in mixed precision when ctx.bf16 is set (the
// bias and its gradient stay fp32).
// out[N,OC] = inp[N,C] @ w[C,OC] + bias[OC] (bias may be nullptr).
void matmul_forward(float* out, const float* inp, const float* w, const float* bias, int N, int C,
                    int OC, const KernelContext& ctx);
// d_inp[N,C] += d_out @ w^T; d_w[C,OC] += inp^T @ d_out; d_bias[OC] += sum_n d_out.
void matmul_backward(float* d_inp, float* d_w, float* d_bias, const float* d_out, const float* inp,
                     const float* w, int N, int C, int OC, const KernelContext& ctx);

// out[N,OC] = inp[N,C] @ w[OC,C]^T (Linear orientation, e.g. the tied LM head).
void matmul_nt_forward(float* out, const float* inp, const float* w, int N, int C, int OC,
                       const KernelContext& ctx);

}  // namespace marketlm::kernels
