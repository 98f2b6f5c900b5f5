// KV-cached inference: prefill a prompt in one batched pass, then one token
// at a time (for one or many sequences), reusing past keys and values.
#include <algorithm>
#include <cstring>

#include "marketlm/core/aligned_buffer.h"
#include "marketlm/kernels/attention.h"
#include "marketlm/kernels/elementwise.h"
#include "marketlm/kernels/layernorm.h"
#include "marketlm/kernels/matmul.h"
#include "marketlm/models/gpt/gpt_model.h"
#include "marketlm/nn/transformer_block.h"

namespace marketlm {

using namespace marketlm::kernels;

GptKvCache::GptKvCache(const GptConfig& c, int capacity)
    : n_layer_(c.n_layer), n_embd_(c.n_embd), capacity_(std::clamp(capacity, 0, c.n_ctx)) {
  data_.assign(static_cast<size_t>(n_layer_) * 2 * capacity_ * n_embd_, 0.0f);
}

Status GptModel::decode_rows(const int32_t* tokens, GptKvCache* const* caches, const int* pos, int R,
                             const std::vector<int>& logit_rows, float* logits) {
  const int C = config_.n_embd, V = config_.vocab_size, L = config_.n_layer, F = config_.mlp_hidden();
  for (int r = 0; r < R; ++r) {
    if (tokens[r] < 0 || tokens[r] >= V)
      return out_of_range("token " + std::to_string(tokens[r]) + " is outside the vocabulary [0, " +
                          std::to_string(V) + ")");
    GptKvCache* c = caches[r];
    if (c == nullptr || c->n_layer() != L || c->n_embd() != C)
      return invalid_argument("KV cache does not belong to this model's config");
    if (pos[r] >= c->capacity())
      return out_of_range("position " + std::to_string(pos[r]) + " is past the KV cache capacity " +
                          std::to_string(c->capacity()) + " (n_ctx " + std::to_string(config_.n_ctx) + ")");
  }
  const size_t rc = static_cast<size_t>(R) * C;
  const size_t rf = static_cast<size_t>(R) * F;
  // Reused across steps: a fresh buffer of a batch-8 step is large enough to
  // be mapped and zeroed by the kernel on every call.
  if (decode_scratch_.size() < rc * 6 + rf + 2 * static_cast<size_t>(R)) decode_scratch_.resize(rc * 6 + rf + 2 * static_cast<size_t>(R));
  float* x = decode_scratch_.data();
  float* ln = x + rc;
  float* qkv = ln + rc;        // 3 rc
  float* atty = qkv + 3 * rc;  // rc
  float* fch = atty + rc;      // rf
  float* mean = fch + rf;
  float* rstd = mean + R;
  const float* P = params_.data();
  const float* wte = P + specs_[0].offset;
  const float* wpe = P + specs_[1].offset;
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c)
      x[static_cast<size_t>(r) * C + c] = wte[static_cast<size_t>(tokens[r]) * C + c] + wpe[static_cast<size_t>(pos[r]) * C + c];
  for (int l = 0; l < L; ++l) {
    const size_t base = 2 + 12 * static_cast<size_t>(l);
    const auto w = nn::block_weights_at(P + specs_[base].offset, C, F);
    layernorm_forward(ln, mean, rstd, x, w.ln1_w, w.ln1_b, R, C, config_.layer_norm_epsilon, ctx_);
    linear(qkv, ln, base + 2, w.qkv_b, R, C, 3 * C);
    for (int r = 0; r < R; ++r) {
      const float* row = qkv + static_cast<size_t>(r) * 3 * C;
      std::memcpy(caches[r]->k(l) + static_cast<size_t>(pos[r]) * C, row + C, C * sizeof(float));
      std::memcpy(caches[r]->v(l) + static_cast<size_t>(pos[r]) * C, row + 2 * C, C * sizeof(float));
    }
    // Rows that extend one cache at consecutive positions (a prompt) attend
    // together, so a long prompt runs as gemms instead of row by row.
    for (int r = 0; r < R;) {
      int n = 1;
      while (r + n < R && caches[r + n] == caches[r] && pos[r + n] == pos[r] + n) ++n;
      attention_cached_forward(atty + static_cast<size_t>(r) * C, qkv + static_cast<size_t>(r) * 3 * C, 3 * C,
                               caches[r]->k(l), caches[r]->v(l), n, pos[r] + n, C, config_.n_head, ctx_);
      r += n;
    }
    linear(ln, atty, base + 4, w.attproj_b, R, C, C);
    residual_forward(x, x, ln, static_cast<int64_t>(rc), ctx_);
    layernorm_forward(ln, mean, rstd, x, w.ln2_w, w.ln2_b, R, C, config_.layer_norm_epsilon, ctx_);
    linear(fch, ln, base + 8, w.fc_b, R, C, F);
    gelu_forward(fch, fch, static_cast<int64_t>(rf), ctx_);
    linear(ln, fch, base + 10, w.fcproj_b, R, F, C);
    residual_forward(x, x, ln, static_cast<int64_t>(rc), ctx_);
  }
  const size_t lnf = specs_.size() - 2;
  // Final LayerNorm and the tied head only for the rows whose logits are wanted.
  const int n_out = static_cast<int>(logit_rows.size());
  for (int i = 0; i < n_out; ++i)
    std::memcpy(atty + static_cast<size_t>(i) * C, x + static_cast<size_t>(logit_rows[i]) * C, C * sizeof(float));
  layernorm_forward(ln, mean, rstd, atty, P + specs_[lnf].offset, P + specs_[lnf + 1].offset, n_out, C,
                    config_.layer_norm_epsilon, ctx_);
  if (format_ == WeightFormat::kF32) {
    matmul_nt_forward(logits, ln, wte, n_out, C, V, ctx_);
  } else {
    quant_linear_forward(logits, ln, qweights_.back(), nullptr, n_out, ctx_);
  }
  for (int r = 0; r < R; ++r) caches[r]->set_length(std::max(caches[r]->length(), pos[r] + 1));
  return Status::ok();
}

Status GptModel::forward_cached(const int32_t* tokens, int n, GptKvCache* cache, float* logits, bool all_logits) {
  if (n <= 0) return invalid_argument("forward_cached needs at least one token, got " + std::to_string(n));
  if (cache == nullptr) return invalid_argument("forward_cached needs a KV cache");
  std::vector<int> pos(static_cast<size_t>(n));
  std::vector<GptKvCache*> caches(static_cast<size_t>(n), cache);
  for (int i = 0; i < n; ++i) pos[i] = cache->length() + i;
  std::vector<int> rows;
  if (all_logits) {
    for (int i = 0; i < n; ++i) rows.push_back(i);
  } else {
    rows.push_back(n - 1);
  }
  return decode_rows(tokens, caches.data(), pos.data(), n, rows, logits);
}

Status GptModel::forward_cached_step(const int32_t* tokens, GptKvCache* const* caches, int n_seq, float* logits) {
  if (n_seq <= 0) return invalid_argument("forward_cached_step needs at least one sequence");
  std::vector<int> pos(static_cast<size_t>(n_seq)), rows(static_cast<size_t>(n_seq));
  for (int i = 0; i < n_seq; ++i) {
    if (caches[i] == nullptr) return invalid_argument("forward_cached_step: cache " + std::to_string(i) + " is null");
    for (int j = 0; j < i; ++j)
      if (caches[j] == caches[i]) return invalid_argument("forward_cached_step: a cache appears twice");
    pos[i] = caches[i]->length();
    rows[i] = i;
  }
  return decode_rows(tokens, caches, pos.data(), n_seq, rows, logits);
}

}  // namespace marketlm
