// LayerNorm over the last dimension C of [N, C]:
// out = (x - mean) * rstd * weight + bias, rstd = 1 / sqrt(var + eps).
// Forward saves mean and rstd per row for the backward.
#pragma once

#include "marketlm/kernels/kernel_context.h"

namespace marketlm::kernels {

void layernorm_forward(float* out, float* mean, float* rstd, const float* inp, const float* weight,
                       const float* bias, int N, int C, float eps, const KernelContext& ctx);
// d_inp, d_weight, d_bias accumulate (+=).
void layernorm_backward(float* d_inp, float* d_weight, float* d_bias, const float* d_out,
                        const float* inp, const float* weight, const float* mean, const float* rstd,
                        int N, int C, const KernelContext& ctx);

}  // namespace marketlm::kernels
