// AMX twin of the int8 row-dot product (internal to kernels/): the weights
// [N, Kp] are the A tiles as stored (16 rows x 64 k per tile), the quantised
// activations the B tile (k in groups of four per column), so nothing is
// repacked; tdpbssd sums signed x signed exactly in int32.
#pragma once

#include <cstdint>

#include "marketlm/kernels/kernel_context.h"
#include "marketlm/kernels/quant.h"

namespace marketlm::kernels {

// One output of a per-row int8 product: the exact int32 dot, rescaled by
// the activation row's and the weight row's scales, plus the bias. Every
// int8 path ends here, so equal dots give equal bits.
inline float int8_output(int32_t dot, float act_scale, float weight_scale, const float* bias, int n) {
  return static_cast<float>(dot) * (act_scale * weight_scale) + (bias ? bias[n] : 0.0f);
}

// out[M, N] = (qa[M, Kp] . w.q^T) * sa[m] * w.scale[n] + bias[n] for the
// rows n < N / 16 * 16 (the caller does the rest); per-row scales only
// (w.group == 0). Same integers and the same float epilogue as the scalar
// twin, so the same bits.
void int8_forward_amx(float* out, const int8_t* qa, const float* sa, const QuantMatrix& w, const float* bias, int M,
                      const KernelContext& ctx);

}  // namespace marketlm::kernels
