// Multi-head causal self-attention on packed qkv [B, T, 3C] (q | k | v, each
// C = NH * HS wide, head h at columns h*HS): out = softmax(q k^T / sqrt(HS)) v
// with future positions masked. att [B, NH, T, T] keeps the probabilities for
// the backward; an optional dropout mask of the same shape (0 or 1/(1-p)) is
// applied to the probabilities before they weigh v.
#pragma once

#include "marketlm/kernels/kernel_context.h"

namespace marketlm::kernels {

void attention_forward(float* out, float* att, const float* qkv, const float* dropout_mask, int B, int T,
                       int C, int NH, const KernelContext& ctx);
// d_qkv [B,T,3C] += gradient through q, k and v.
void attention_backward(float* d_qkv, const float* d_out, const float* qkv, const float* att,
                        const float* dropout_mask, int B, int T, int C, int NH, const KernelContext& ctx);

// Attention of Tq new queries against a cache of past keys/values, for
// inference: q [Tq, ld_q] (head h at h*HS), k/v caches [T_total, C] holding
// the Tq new positions last; query i sits at position T_total - Tq + i and
// sees positions 0..that. out [Tq, C].
void attention_cached_forward(float* out, const float* q, int ld_q, const float* k_cache,
                              const float* v_cache, int Tq, int T_total, int C, int NH,
                              const KernelContext& ctx);

}  // namespace marketlm::kernels
