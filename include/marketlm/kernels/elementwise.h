// Elementwise kernels: GELU (tanh approximation, as GPT-2's "gelu_new"),
// residual add and dropout. Forward and backward side by side; backward
// accumulates (+=).
#pragma once

#include <cstdint>

#include "marketlm/core/rng.h"
#include "marketlm/kernels/kernel_context.h"

namespace marketlm::kernels {

// out = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
void gelu_forward(float* out, const float* inp, int64_t n, const KernelContext& ctx);
void gelu_backward(float* d_inp, const float* inp, const float* d_out, int64_t n,
                   const KernelContext& ctx);

// out = a + b (out may alias a).
void residual_forward(float* out, const float* a, const float* b, int64_t n, const KernelContext& ctx);
// d_a += d_out; d_b += d_out (either may be nullptr).
void residual_backward(float* d_a, float* d_b, const float* d_out, int64_t n, const KernelContext& ctx);

// Fills mask with 0 (dropped, probability p) or 1/(1-p) (kept), drawing from
// rng serially so the same seed gives the same mask for any thread count.
void dropout_mask(float* mask, int64_t n, float p, Rng* rng);
// out = inp * mask (out may alias inp).
void dropout_forward(float* out, const float* inp, const float* mask, int64_t n, const KernelContext& ctx);
// d_inp += d_out * mask.
void dropout_backward(float* d_inp, const float* d_out, const float* mask, int64_t n,
                      const KernelContext& ctx);

}  // namespace marketlm::kernels
