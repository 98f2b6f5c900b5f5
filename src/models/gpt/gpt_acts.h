// Private: GptModel's activation and backward-scratch buffers for one (B, T),
// and the float counts the memory estimate shares with them.
#pragma once

#include <vector>

#include "marketlm/core/aligned_buffer.h"
#include "marketlm/models/gpt/gpt_model.h"
#include "marketlm/nn/transformer_block.h"

namespace marketlm {

inline bool gpt_has_dropout(const GptConfig& c) {
  return c.embd_pdrop > 0.0f || c.attn_pdrop > 0.0f || c.resid_pdrop > 0.0f;
}
inline nn::BlockDims gpt_block_dims(const GptConfig& c, int B, int T) {
  nn::BlockDims d{B, T, c.n_embd, c.n_head, c.layer_norm_epsilon};
  d.hidden = c.mlp_hidden();
  return d;
}
inline int gpt_classifier_chunk(int B, int T) { return B * T < 256 ? B * T : 256; }

// encoded (+ its dropout mask), every block, ln_f output and its statistics.
size_t gpt_act_floats(const GptConfig& c, int B, int T);
// backward: d_lnf, two residual streams, block scratch, classifier logits chunk.
size_t gpt_grad_scratch_floats(const GptConfig& c, int B, int T);

struct GptModel::Acts {
  int B = 0, T = 0;
  bool with_dropout = false;
  AlignedBuffer<float> buf;
  float* encoded = nullptr;
  float* emb_mask = nullptr;
  std::vector<nn::BlockActs> blocks;
  float *lnf = nullptr, *lnf_mean = nullptr, *lnf_rstd = nullptr;
  AlignedBuffer<float> grad_buf;  // allocated at the first backward
  float *d_lnf = nullptr, *d_res_a = nullptr, *d_res_b = nullptr, *cls_scratch = nullptr;
  nn::BlockScratch scratch{};
};

}  // namespace marketlm
