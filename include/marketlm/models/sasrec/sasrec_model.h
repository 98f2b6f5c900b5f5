// SASRec (Kang & McAuley, "Self-Attentive Sequential Recommendation", ICDM
// 2018) as a second configuration of the shared transformer block:
//
//   x_t   = (item_emb[s_t] * sqrt(d) + pos_emb[t]) * nonpad_t      (+ dropout)
//   b blocks of nn::block_forward with hidden = d, ReLU, key-padding mask,
//           each followed by x *= nonpad
//   F     = LN_final(x)
//   r(i,t)= <F_t, item_emb[i]>                                       shared table
//
// Inputs are windows of T = maxlen item ids, left-padded with 0 (item i of the
// recommender is id i + 1), as built by apps/recsys/seq_windows.h and as in
// tests/reference/sasrec_reference.py. Parameters live in one buffer walked by
// param_specs() (names as in the PyTorch reference, layouts [in, out]).
//
// Losses over non-padded target positions (pos != 0):
//   kBce           -log s(r(pos)) - log(1 - s(r(neg)))   one negative per position
//   kSampledSoftmax cross-entropy of softmax over {pos, neg_1..neg_k}
//   kFullSoftmax   cross-entropy of softmax over all items 1..n_items
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "marketlm/core/rng.h"
#include "marketlm/core/status.h"
#include "marketlm/kernels/kernel_context.h"
#include "marketlm/nn/trainable.h"
#include "marketlm/nn/transformer_block.h"

namespace marketlm::sasrec {

struct SasrecConfig {
  int n_items = 0;  // real items; ids 1..n_items, 0 = padding
  int maxlen = 50;
  int d = 50;
  int n_blocks = 2;
  int n_heads = 1;
  float dropout = 0.2f;
  float ln_eps = 1e-8f;
  Status validate() const;
};

enum class SasrecLoss { kBce, kSampledSoftmax, kFullSoftmax };

// One training batch of B windows of T = maxlen.
struct SasrecBatch {
  const int32_t* seq = nullptr;  // [B*T] input ids, 0 = padding
  const int32_t* pos = nullptr;  // [B*T] next item ids, 0 = no target
  const int32_t* neg = nullptr;  // [B*T*k] negative ids (kBce: k = 1; unused for kFullSoftmax)
  int B = 0;
  int k = 1;
  // Window length; 0 = maxlen. A shorter window holds the last T positions
  // of the maxlen window (position embeddings maxlen-T..maxlen-1): exact as
  // long as every cut position is padding.
  int T = 0;
};

// Saved activations and scratch for B windows (reused across batches).
struct SasrecWorkspace {
  int B = 0, T = 0;    // shape bound now
  int cap_B = 0;       // rows allocated (each up to maxlen positions)
  bool with_dropout = false;
  std::vector<float> buf;
  std::vector<int32_t> key_start;  // [B]
  float *emb_out = nullptr, *emb_mask = nullptr, *lnf = nullptr, *lnf_mean = nullptr, *lnf_rstd = nullptr;
  std::vector<nn::BlockActs> acts;
  nn::BlockScratch scratch{};
  float *d_x = nullptr, *d_y = nullptr, *d_hidden = nullptr;
  std::vector<float> cls_scratch;
  // Packed training / scoring: row order and compacted windows of a group.
  std::vector<int32_t> order, gseq, gpos, gneg;
};

class SasrecModel {
 public:
  explicit SasrecModel(const SasrecConfig& config);
  const SasrecConfig& config() const { return cfg_; }

  const std::vector<ParamSpec>& param_specs() const { return specs_; }
  size_t num_params() const { return params_.size(); }
  float* params() { return params_.data(); }
  const float* params() const { return params_.data(); }
  float* grads() { return grads_.data(); }
  const ParamSpec* find(const std::string& name) const;
  // Xavier-normal matrices and embeddings, zero biases, LayerNorm 1/0,
  // padding row zero.
  void init(Rng& rng);
  void zero_grads();

  // Allocates (or reuses) ws for B windows of maxlen and binds it to [B, maxlen].
  void prepare(SasrecWorkspace& ws, int B, bool with_dropout) const;
  // Forward of ws.B windows of ws.T into ws; training mode (dropout) when
  // rng != nullptr and ws was prepared with dropout. Hidden states F: ws.lnf
  // [B*T*d].
  void forward(SasrecWorkspace& ws, const int32_t* seq, Rng* rng, const kernels::KernelContext& ctx) const;
  // Attention probabilities of the last block [B, NH, T, T] after forward.
  const float* last_attention(const SasrecWorkspace& ws) const { return ws.acts.back().att; }

  // Forward + loss; when backward, accumulates grad_scale * d(sum of
  // position losses) into grads(). Returns the summed loss and its count.
  LossSum forward_backward(SasrecWorkspace& ws, const SasrecBatch& batch, SasrecLoss loss, float grad_scale,
                           bool backward, Rng* dropout_rng, const kernels::KernelContext& ctx);
  // Same result (up to dropout draws and summation order) for a batch of
  // maxlen windows, without the padding: rows are sorted by length and run in
  // groups cut to their longest row (padding waste under 25% per group).
  // Gradients of the groups accumulate, so one optimiser step per batch sees
  // the whole batch.
  LossSum forward_backward_packed(SasrecWorkspace& ws, const SasrecBatch& batch, SasrecLoss loss, float grad_scale,
                                  bool backward, Rng* dropout_rng, const kernels::KernelContext& ctx);

  // Scores of every item 1..n_items for the last position of each of B
  // windows of maxlen: out [B, n_items] (item id i at column i - 1). Skips
  // the padding (rows grouped by length as in forward_backward_packed) and
  // runs the last block for the final query row only. last_att, when given:
  // [B, n_heads, maxlen], the last block's attention of the final position.
  // Const, uses only its own buffers: safe to call from many threads.
  void score_last(const int32_t* seq, int B, float* out, const kernels::KernelContext& ctx,
                  std::vector<float>* last_att = nullptr) const;
  // Reference for score_last: full padded forward of all maxlen positions.
  void score_last_padded(const int32_t* seq, int B, float* out, const kernels::KernelContext& ctx) const;

 private:
  nn::BlockDims dims(int B, int T, const int32_t* key_start) const;
  void bind(SasrecWorkspace& ws, int B, int T) const;
  // Groups of rows (indices into order) with their window length.
  struct Group {
    int begin, end, T;
  };
  std::vector<Group> group_rows(const int32_t* seq, int B, std::vector<int32_t>* order) const;
  // Forward of ws.B windows of ws.T where only the last position is needed:
  // last [B, d] final hidden state, att [B, NH, ws.T] last block attention.
  void forward_last(SasrecWorkspace& ws, const int32_t* seq, float* last, float* att,
                    const kernels::KernelContext& ctx) const;
  void backward(SasrecWorkspace& ws, const int32_t* seq, bool dropout_on, const kernels::KernelContext& ctx);

  SasrecConfig cfg_;
  std::vector<ParamSpec> specs_;
  std::vector<float> params_, grads_;
  size_t item_off_ = 0, pos_off_ = 0, block_off_ = 0, block_size_ = 0, lnf_off_ = 0;
};

}  // namespace marketlm::sasrec
