// Compression helpers for GptModel: perplexity through the KV-cached forward
// (so it measures the weight format in use) and pruning (docs/compression.md).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "marketlm/core/logging.h"
#include "marketlm/core/status.h"
#include "marketlm/models/gpt/gpt_model.h"

namespace marketlm {

struct PerplexityResult {
  double nll_sum = 0;      // sum of -log p(next token), natural log
  int64_t predicted = 0;   // tokens scored
  int windows = 0;
  double mean_nll() const { return predicted ? nll_sum / predicted : 0.0; }
  double perplexity() const;  // exp(mean_nll)
};

// Perplexity of tokens under the model: non-overlapping windows of `window`
// tokens (<= n_ctx; 0 = n_ctx), each from an empty KV cache, scoring every
// next token inside a window (window - 1 predictions each). Uses at most
// max_tokens tokens (0 = all). Refuses fewer than 2 tokens or ids outside the
// vocabulary.
Result<PerplexityResult> gpt_perplexity(GptModel& model, const std::vector<int32_t>& tokens, int window,
                                        int64_t max_tokens, ProgressSink* progress = nullptr);

enum class PruneMethod { kMagnitude, kHeads, kNeurons };
Result<PruneMethod> parse_prune_method(std::string_view name);  // "magnitude" | "heads" | "neurons"

struct PruneReport {
  int64_t weights_zeroed = 0;   // entries set to 0 in the pruned matrices
  int64_t weights_in_scope = 0; // entries of the matrices pruning looks at
  int heads_removed = 0;        // per model (heads)
  int neurons_removed = 0;      // per model (neurons)
};

// Prunes in place (f32 weights; call before set_weight_format):
//   magnitude: in each of c_attn, attn.c_proj, c_fc, mlp.c_proj of every
//     layer, zero the fraction `amount` of entries with the smallest |w|.
//   heads: in every layer, the same number round(amount * n_head) of heads
//     with the lowest importance ||W_v[:, head]|| * ||W_proj[head, :]|| get
//     their value columns, value bias and projection rows zeroed, so they add
//     nothing (n_head stays uniform; the heads are masked, not removed).
//   neurons: in every layer, round(amount * 4C) MLP neurons with the lowest
//     ||W_fc[:, j]|| * ||W_proj[j, :]|| get their c_fc column, bias and
//     c_proj row zeroed.
// amount in [0, 1).
Result<PruneReport> gpt_prune(GptModel& model, PruneMethod method, double amount);

// MLP neurons ranked by importance, per layer: the indices of the
// round(amount * n_inner) neurons with the lowest ||W_fc[:, j]|| *
// ||W_proj[j, :]||, in ascending index order (the same count in every layer).
Result<std::vector<std::vector<int>>> gpt_least_important_neurons(const GptModel& model, double amount);

// A new, smaller model without the given MLP neurons: removed[l] lists the
// neuron indices of layer l to drop (distinct, in [0, n_inner), the same count
// in every layer so n_inner stays one number, at least one neuron kept). The
// c_fc columns, c_fc bias entries and c_proj rows of the kept neurons are
// copied in order; every other tensor is copied as is; config.n_inner becomes
// the kept count. f32 weights only. If the removed neurons' c_proj rows are
// zero, the new model computes the same function (the removed neurons added
// exactly zero to the residual stream).
Result<std::unique_ptr<GptModel>> gpt_remove_neurons(const GptModel& model,
                                                     const std::vector<std::vector<int>>& removed);

}  // namespace marketlm
