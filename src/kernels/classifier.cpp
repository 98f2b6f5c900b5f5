#include "marketlm/kernels/classifier.h"

#include <algorithm>
#include <vector>

#include "marketlm/kernels/matmul.h"
#include "marketlm/kernels/softmax.h"

namespace marketlm::kernels {

ClassifierLoss classifier_forward_backward(const float* x, const float* wte, const int32_t* targets,
                                           int N, int C, int V, float grad_scale, float* d_x,
                                           float* d_wte, float* row_losses, float* scratch,
                                           int chunk_rows, const KernelContext& ctx) {
  const bool backward = d_x != nullptr || d_wte != nullptr;
  ClassifierLoss total;
  std::vector<float> losses(static_cast<size_t>(std::max(chunk_rows, 1)));
  for (int r0 = 0; r0 < N; r0 += chunk_rows) {
    const int R = std::min(chunk_rows, N - r0);
    const float* xc = x + static_cast<int64_t>(r0) * C;
    const int32_t* tc = targets + r0;
    // Skip chunks with nothing to count.
    bool any = false;
    for (int r = 0; r < R; ++r) any = any || tc[r] != kIgnoreIndex;
    if (!any) {
      if (row_losses != nullptr) std::fill(row_losses + r0, row_losses + r0 + R, 0.0f);
      continue;
    }
    // logits [R,V] = xc @ wte^T, split over vocabulary columns.
    matmul_nt_forward(scratch, xc, wte, R, C, V, ctx);
    // loss and, for the backward, dlogits in place; split over rows.
    parallel_for(ctx, R, [&](int64_t b, int64_t e, int) {
      for (int64_t r = b; r < e; ++r) {
        float* row = scratch + r * V;
        losses[r] = backward ? crossentropy_row_inplace(ctx.isa, row, V, tc[r], grad_scale)
                             : crossentropy_row_loss(ctx.isa, row, V, tc[r]);
      }
    }, 1);
    for (int r = 0; r < R; ++r) {
      if (tc[r] == kIgnoreIndex) continue;
      total.sum += losses[r];
      total.count += 1;
    }
    if (row_losses != nullptr) std::copy(losses.begin(), losses.begin() + R, row_losses + r0);
    if (!backward) continue;
    if (d_x != nullptr) {
      // d_x[R,C] += dlogits[R,V] @ wte[V,C], split over rows.
      gemm_ctx(ctx, false, false, R, C, V, scratch, V, wte, C, 1.0f, d_x + static_cast<int64_t>(r0) * C, C);
    }
    if (d_wte != nullptr) {
      // d_wte[V,C] += dlogits^T[V,R] @ xc[R,C], split over vocabulary rows.
      if (ctx.bf16 != Bf16Kernel::kOff) {
        gemm_ctx(ctx, true, false, V, C, R, scratch, V, xc, C, 1.0f, d_wte, C);
      } else {
        parallel_for(ctx, V, [&](int64_t b, int64_t e, int) {
          gemm(ctx.isa, true, false, static_cast<int>(e - b), C, R, scratch + b, V, xc, C, 1.0f,
               d_wte + b * C, C);
        }, 64);
      }
    }
  }
  return total;
}

}  // namespace marketlm::kernels
