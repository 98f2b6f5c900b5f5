// The fused output layer + cross-entropy for a tied LM head. The 50257-wide
// head dominates small GPTs, so logits are made for a chunk of rows at a time,
// turned into loss and dlogits in place, and pushed straight back into d_x and
// d_wte: B*T*V floats are never stored.
#pragma once

#include <cstdint>

#include "marketlm/kernels/kernel_context.h"

namespace marketlm::kernels {

struct ClassifierLoss {
  double sum = 0;     // sum of token losses over counted targets
  int64_t count = 0;  // targets != -1
};

// Floats of scratch classifier_forward_backward needs.
inline int64_t classifier_scratch_floats(int chunk_rows, int V) {
  return static_cast<int64_t>(chunk_rows) * V;
}

// x [N,C] (final LayerNorm output), wte [V,C], targets [N] (-1 ignored).
// When d_x and d_wte are given, accumulates the gradients of
// grad_scale * (sum of losses) into them; otherwise forward only.
// row_losses [N] (optional) receives per-row losses.
ClassifierLoss classifier_forward_backward(const float* x, const float* wte, const int32_t* targets,
                                           int N, int C, int V, float grad_scale, float* d_x,
                                           float* d_wte, float* row_losses, float* scratch,
                                           int chunk_rows, const KernelContext& ctx);

}  // namespace marketlm::kernels
