// Products for a few rows at a time (a decode step: one row per sequence),
// read straight from the weights without packing them. OpenBLAS's sgemm
// copies (packs) every weight panel before multiplying, which at one to eight
// rows costs more than the product: a decode step must stream each weight once.
//
// Both kernels split the weights' output units over ctx.pool, so every thread
// streams its own slice; each output element is one thread's sum in a fixed
// order (the same bits for any thread count). The scalar path is the
// reference; the AVX-512 path keeps one accumulator per output element and
// prefetches the next weight rows.
#pragma once

#include "marketlm/kernels/kernel_context.h"

namespace marketlm::kernels {

// The largest row count the decode kernels are meant for (callers use the
// packed gemm above it; smaller counts are correct at any size).
inline constexpr int kDecodeMaxRows = 16;

// out[M,OC] = inp[M,C] @ w[C,OC] + bias (Conv1D orientation; bias may be nullptr).
void matmul_decode_forward(float* out, const float* inp, const float* w, const float* bias, int M, int C,
                           int OC, const KernelContext& ctx);

// out[M,OC] = inp[M,C] @ w[OC,C]^T + bias (Linear orientation: the tied LM
// head, or a row-major copy of a Conv1D weight; bias may be nullptr). Rows
// of w are read contiguously, which streams faster than the column walk of
// matmul_decode_forward (~30 against ~19 GB/s on 2 threads, kernels_bench).
void matmul_nt_decode_forward(float* out, const float* inp, const float* w, const float* bias, int M, int C,
                              int OC, const KernelContext& ctx);

}  // namespace marketlm::kernels
