// One pre-LayerNorm transformer block, shared by every model (GPT, SASRec):
//
//   a   = x + Dropout(Attn(LN1(x)))        Attn: causal multi-head, packed qkv
//   out = a + Dropout(MLP(LN2(a)))         MLP: Linear(C,H) -> act -> [Dropout] -> Linear(H,C)
//
// GPT uses the defaults (H = 4C, GELU(tanh), no key mask). SASRec sets
// hidden = C, relu = true, hidden_dropout = true and key_start (left padding:
// keys before key_start[b] are masked, see nn/padded_attention.h).
//
// Weights are raw pointers into the model's one parameter buffer (GPT-2 Conv1D
// orientation: [in, out]); activations are views into the model's activation
// buffer. Backward accumulates (+=) into the weight gradients and into d_x.
#pragma once

#include <cstddef>
#include <cstdint>

#include "marketlm/core/rng.h"
#include "marketlm/kernels/kernel_context.h"

namespace marketlm::nn {

struct BlockDims {
  int B = 0, T = 0, C = 0, NH = 0;
  float ln_eps = 1e-5f;
  int hidden = 0;                      // MLP width; 0 = 4 * C
  bool relu = false;                   // MLP activation ReLU instead of GELU(tanh)
  bool hidden_dropout = false;         // dropout on the MLP activation too (SASRec)
  const int32_t* key_start = nullptr;  // [B] first real position per row (left padding); nullptr = none
  int H() const { return hidden > 0 ? hidden : 4 * C; }
  size_t BTH() const { return BT() * static_cast<size_t>(H()); }
  size_t BT() const { return static_cast<size_t>(B) * T; }
  size_t BTC() const { return BT() * C; }
  size_t att() const { return static_cast<size_t>(B) * NH * T * T; }
};

// Field order is the order of the parameters in the weights table.
template <typename P>
struct BlockTensors {
  P ln1_w, ln1_b, qkv_w, qkv_b, attproj_w, attproj_b, ln2_w, ln2_b, fc_w, fc_b, fcproj_w, fcproj_b;
};
using BlockWeights = BlockTensors<const float*>;
using BlockGrads = BlockTensors<float*>;

// Number of floats of each of the 12 block tensors, in field order.
// H: MLP width (0 = 4 * C).
void block_param_sizes(int C, size_t sizes[12], int H = 0);
// Points the 12 fields at consecutive tensors starting at base.
BlockWeights block_weights_at(const float* base, int C, int H = 0);
BlockGrads block_grads_at(float* base, int C, int H = 0);

// Saved activations of one block.
struct BlockActs {
  float *ln1, *ln1_mean, *ln1_rstd, *qkv, *att, *atty, *attproj, *res2, *ln2, *ln2_mean, *ln2_rstd, *fch,
      *fch_gelu, *fcproj, *out;
  float* att_mask = nullptr;    // attention-probability dropout (nullptr: none)
  float* resid1_mask = nullptr;  // dropout after the attention projection
  float* resid2_mask = nullptr;  // dropout after the MLP projection
  float* hidden_mask = nullptr;  // dropout on the MLP activation (d.hidden_dropout)
};
// Floats needed by one block's activations; with_dropout adds the masks.
size_t block_act_floats(const BlockDims& d, bool with_dropout);
// Carves a BlockActs out of base (block_act_floats(d, with_dropout) floats).
BlockActs bind_block_acts(float* base, const BlockDims& d, bool with_dropout);

// Scratch for the backward, shared by all blocks.
struct BlockScratch {
  float *d_a, *d_b, *d_res2, *d_qkv, *d_fch, *d_fch_gelu;
};
size_t block_scratch_floats(const BlockDims& d);
BlockScratch bind_block_scratch(float* base, const BlockDims& d);

struct DropoutRates {
  float attn = 0.0f, resid = 0.0f;
};

// Training forward when rng != nullptr and the masks are bound (dropout is
// drawn into the masks); otherwise evaluation (no dropout).
void block_forward(const float* x, BlockActs& a, const BlockWeights& w, const BlockDims& d,
                   const DropoutRates& p, Rng* rng, const kernels::KernelContext& ctx);

// d_x += dL/dx given d_out = dL/d(out); weight gradients accumulate into g.
// `dropout_on` must say whether the forward applied the masks.
void block_backward(float* d_x, const float* d_out, const float* x, const BlockActs& a, const BlockWeights& w,
                    const BlockGrads& g, const BlockScratch& s, const BlockDims& d, bool dropout_on,
                    const kernels::KernelContext& ctx);

}  // namespace marketlm::nn
