// Causal multi-head self-attention with a key-padding mask for left-padded
// rows (SASRec). Same layout as kernels/attention.h (packed qkv [B, T, 3C],
// att [B, NH, T, T], optional dropout mask on the probabilities), plus
// key_start[b]: the first real position of row b. Query t >= key_start[b]
// attends positions key_start[b]..t; a padding query (t < key_start[b])
// attends only itself (its output is zeroed by the model anyway). With
// key_start all 0 this is exactly kernels::attention_forward.
//
// Split over (b, head) by the pool: the result does not depend on the thread
// count. Per query row the work runs on ctx.isa: scalar (the reference, test
// oracle) or AVX2+FMA / AVX-512 dot products and axpys over the head size
// (summation order differs from scalar, so results agree to rounding).
// Forward and backward side by side; backward accumulates (+=) into d_qkv.
#pragma once

#include <cstdint>

#include "marketlm/kernels/kernel_context.h"

namespace marketlm::nn {

void padded_attention_forward(float* out, float* att, const float* qkv, const float* dropout_mask,
                              const int32_t* key_start, int B, int T, int C, int NH,
                              const kernels::KernelContext& ctx);

// Inference: only the last query row (t = T - 1) of every (b, head).
// out [B, C]; att [B, NH, T] its probabilities (0 outside the visible keys).
void padded_attention_last_forward(float* out, float* att, const float* qkv, const int32_t* key_start, int B,
                                   int T, int C, int NH, const kernels::KernelContext& ctx);

void padded_attention_backward(float* d_qkv, const float* d_out, const float* qkv, const float* att,
                               const float* dropout_mask, const int32_t* key_start, int B, int T, int C, int NH,
                               const kernels::KernelContext& ctx);

}  // namespace marketlm::nn
