// Row softmax and cross-entropy over [N, V] logits. Targets equal to -1 are
// ignored (zero loss, zero gradient). Forward and backward side by side.
#pragma once

#include <cstdint>

#include "marketlm/kernels/kernel_context.h"

namespace marketlm::kernels {

inline constexpr int32_t kIgnoreIndex = -1;

void softmax_forward(float* out, const float* inp, int N, int V, const KernelContext& ctx);
// d_inp += out * (d_out - <d_out, out>) per row.
void softmax_backward(float* d_inp, const float* d_out, const float* out, int N, int V,
                      const KernelContext& ctx);

// losses[n] = logsumexp(logits[n]) - logits[n, targets[n]]; 0 where target is -1.
void crossentropy_forward(float* losses, const float* logits, const int32_t* targets, int N, int V,
                          const KernelContext& ctx);
// d_logits[n] += d_losses[n] * (softmax(logits[n]) - onehot(targets[n])).
void crossentropy_backward(float* d_logits, const float* d_losses, const float* logits,
                           const int32_t* targets, int N, int V, const KernelContext& ctx);

// Loss of one row of logits for `target` (0 when ignored).
float crossentropy_row_loss(Isa isa, const float* row, int V, int32_t target);
// One row in place: returns the loss and overwrites row (logits) with
// scale * (softmax - onehot); an ignored target gives loss 0 and a zero row.
float crossentropy_row_inplace(Isa isa, float* row, int V, int32_t target, float scale);

}  // namespace marketlm::kernels
