#include "marketlm/kernels/softmax.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/simd.h"

namespace marketlm::kernels {

void softmax_forward(float* out, const float* inp, int N, int V, const KernelContext& ctx) {
  parallel_for(ctx, N, [&](int64_t b, int64_t e, int) {
    for (int64_t n = b; n < e; ++n) {
      const float* x = inp + n * V;
      float* o = out + n * V;
      const float m = simd::max(ctx.isa, x, V);
      const float s = simd::exp_sub_sum(ctx.isa, o, x, m, V);
      simd::scale(ctx.isa, o, 1.0f / s, V);
    }
  }, 2);
}

void softmax_backward(float* d_inp, const float* d_out, const float* out, int N, int V,
                      const KernelContext& ctx) {
  parallel_for(ctx, N, [&](int64_t b, int64_t e, int) {
    for (int64_t n = b; n < e; ++n) {
      const float* g = d_out + n * V;
      const float* p = out + n * V;
      float* d = d_inp + n * V;
      const float dp = simd::dot(ctx.isa, g, p, V);
      for (int v = 0; v < V; ++v) d[v] += p[v] * (g[v] - dp);
    }
  }, 2);
}

float crossentropy_row_loss(Isa isa, const float* row, int V, int32_t target) {
  if (target == kIgnoreIndex) return 0.0f;
  const float m = simd::max(isa, row, V);
  float s = 0.0f;
  if (isa == Isa::kScalar) {
    for (int v = 0; v < V; ++v) s += std::exp(row[v] - m);
  } else {
    std::vector<float> tmp(static_cast<size_t>(V));
    s = simd::exp_sub_sum(isa, tmp.data(), row, m, V);
  }
  return std::log(s) + m - row[target];
}

float crossentropy_row_inplace(Isa isa, float* row, int V, int32_t target, float scale) {
  if (target == kIgnoreIndex) {
    std::fill(row, row + V, 0.0f);
    return 0.0f;
  }
  const float m = simd::max(isa, row, V);
  const float target_logit = row[target];
  const float s = simd::exp_sub_sum(isa, row, row, m, V);
  simd::scale(isa, row, scale / s, V);
  row[target] -= scale;
  return std::log(s) + m - target_logit;
}

void crossentropy_forward(float* losses, const float* logits, const int32_t* targets, int N, int V,
                          const KernelContext& ctx) {
  parallel_for(ctx, N, [&](int64_t b, int64_t e, int) {
    for (int64_t n = b; n < e; ++n)
      losses[n] = crossentropy_row_loss(ctx.isa, logits + n * V, V, targets[n]);
  }, 2);
}

void crossentropy_backward(float* d_logits, const float* d_losses, const float* logits,
                           const int32_t* targets, int N, int V, const KernelContext& ctx) {
  parallel_for(ctx, N, [&](int64_t b, int64_t e, int) {
    std::vector<float> row(static_cast<size_t>(V));
    for (int64_t n = b; n < e; ++n) {
      if (targets[n] == kIgnoreIndex) continue;
      std::copy(logits + n * V, logits + (n + 1) * V, row.begin());
      crossentropy_row_inplace(ctx.isa, row.data(), V, targets[n], d_losses[n]);
      simd::add(ctx.isa, d_logits + n * V, d_logits + n * V, row.data(), V);
    }
  }, 2);
}

}  // namespace marketlm::kernels
