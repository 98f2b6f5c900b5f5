// The encoder: out[b,t,:] = wte[token[b,t], :] + wpe[t, :]. Backward scatters
// into d_wte / d_wpe (+=); threads split channels, so tokens repeated in a
// batch never race and the sum order is fixed.
#pragma once

#include <cstdint>

#include "marketlm/kernels/kernel_context.h"

namespace marketlm::kernels {

// pos_offset shifts positions (for a KV-cached continuation): row t uses wpe[pos_offset + t].
void encoder_forward(float* out, const int32_t* tokens, const float* wte, const float* wpe, int B, int T,
                     int C, const KernelContext& ctx, int pos_offset = 0);
void encoder_backward(float* d_wte, float* d_wpe, const float* d_out, const int32_t* tokens, int B, int T,
                      int C, const KernelContext& ctx);

}  // namespace marketlm::kernels
