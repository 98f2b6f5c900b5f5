// Perplexity through the KV-cached forward, and magnitude / head / neuron
// pruning of a GptModel's f32 weights (see gpt_compress.h).
#include "marketlm/models/gpt/gpt_compress.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

namespace marketlm {
namespace {

// Offsets of layer l's tensors in the weights table (12 per layer, from 2).
const ParamSpec& spec_at(const GptModel& m, int l, int i) { return m.param_specs()[2 + 12 * l + i]; }
const ParamSpec& spec_at(const std::vector<ParamSpec>& specs, int l, int i) { return specs[2 + 12 * l + i]; }
constexpr int kQkvW = 2, kQkvB = 3, kAttProjW = 4, kFcW = 8, kFcB = 9, kFcProjW = 10;

void zero_smallest(float* w, size_t n, double amount, PruneReport* r) {
  const size_t k = static_cast<size_t>(std::llround(amount * static_cast<double>(n)));
  r->weights_in_scope += static_cast<int64_t>(n);
  if (k == 0) return;
  std::vector<float> mag(w, w + n);
  for (float& v : mag) v = std::fabs(v);
  std::nth_element(mag.begin(), mag.begin() + (k - 1), mag.end());
  const float cut = mag[k - 1];
  // Zero entries strictly below the cut, then ties at the cut until k are gone.
  size_t zeroed = 0;
  for (size_t i = 0; i < n; ++i)
    if (std::fabs(w[i]) < cut) w[i] = 0.0f, ++zeroed;
  for (size_t i = 0; i < n && zeroed < k; ++i)
    if (w[i] != 0.0f && std::fabs(w[i]) == cut) w[i] = 0.0f, ++zeroed;
  r->weights_zeroed += static_cast<int64_t>(zeroed);
}

// Indices of the `k` smallest scores.
std::vector<int> lowest(const std::vector<double>& score, int k) {
  std::vector<int> idx(score.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(), [&](int a, int b) { return score[a] < score[b]; });
  idx.resize(static_cast<size_t>(k));
  return idx;
}

// ||W_fc[:, j]|| * ||W_proj[j, :]|| for every neuron j of layer l.
std::vector<double> neuron_scores(const GptModel& model, int l) {
  const int C = model.config().n_embd, F = model.config().mlp_hidden();
  const float* fc = model.params() + spec_at(model, l, kFcW).offset;        // [C, F]
  const float* proj = model.params() + spec_at(model, l, kFcProjW).offset;  // [F, C]
  std::vector<double> score(static_cast<size_t>(F));
  for (int j = 0; j < F; ++j) {
    double a = 0, b = 0;
    for (int i = 0; i < C; ++i) {
      a += static_cast<double>(fc[static_cast<size_t>(i) * F + j]) * fc[static_cast<size_t>(i) * F + j];
      b += static_cast<double>(proj[static_cast<size_t>(j) * C + i]) * proj[static_cast<size_t>(j) * C + i];
    }
    score[j] = std::sqrt(a) * std::sqrt(b);
  }
  return score;
}

}  // namespace

double PerplexityResult::perplexity() const { return std::exp(mean_nll()); }

Result<PerplexityResult> gpt_perplexity(GptModel& model, const std::vector<int32_t>& tokens, int window,
                                        int64_t max_tokens, ProgressSink* progress) {
  const GptConfig& c = model.config();
  if (window <= 0) window = c.n_ctx;
  if (window < 2 || window > c.n_ctx)
    return invalid_argument("perplexity window " + std::to_string(window) + " must be in [2, n_ctx " +
                            std::to_string(c.n_ctx) + "]");
  int64_t n = static_cast<int64_t>(tokens.size());
  if (max_tokens > 0) n = std::min(n, max_tokens);
  if (n < 2) return invalid_argument("perplexity needs at least 2 tokens, got " + std::to_string(n));
  for (int64_t i = 0; i < n; ++i)
    if (tokens[i] < 0 || tokens[i] >= c.vocab_size)
      return out_of_range("token " + std::to_string(tokens[i]) + " at position " + std::to_string(i) +
                          " is outside the model's vocabulary [0, " + std::to_string(c.vocab_size) + ")");
  const int V = c.vocab_size;
  PerplexityResult r;
  GptKvCache cache = model.make_kv_cache(window);
  std::vector<float> logits(static_cast<size_t>(window) * V);
  const int64_t n_windows = (n + window - 1) / window;
  for (int64_t s = 0; s < n; s += window) {
    const int len = static_cast<int>(std::min<int64_t>(window, n - s));
    if (len < 2) break;
    cache.clear();
    ML_RETURN_IF_ERROR(model.forward_cached(tokens.data() + s, len, &cache, logits.data(), true));
    for (int t = 0; t + 1 < len; ++t) {
      const float* row = logits.data() + static_cast<size_t>(t) * V;
      const float mx = *std::max_element(row, row + V);
      double z = 0;
      for (int v = 0; v < V; ++v) z += std::exp(static_cast<double>(row[v]) - mx);
      r.nll_sum += std::log(z) + mx - row[tokens[s + t + 1]];
      ++r.predicted;
    }
    ++r.windows;
    if (progress != nullptr && *progress) (*progress)(ProgressEvent{"perplexity", r.windows, n_windows, {}});
  }
  return r;
}

Result<PruneMethod> parse_prune_method(std::string_view name) {
  if (name == "magnitude") return PruneMethod::kMagnitude;
  if (name == "heads") return PruneMethod::kHeads;
  if (name == "neurons") return PruneMethod::kNeurons;
  return invalid_argument("prune method '" + std::string(name) + "': expected magnitude, heads or neurons");
}

Result<PruneReport> gpt_prune(GptModel& model, PruneMethod method, double amount) {
  if (!(amount >= 0.0 && amount < 1.0))
    return invalid_argument("prune amount " + std::to_string(amount) + " must be in [0, 1)");
  if (model.weight_format() != kernels::WeightFormat::kF32)
    return failed_precondition("prune works on f32 weights; prune first, then quantize");
  const GptConfig& c = model.config();
  const int C = c.n_embd, H = c.n_head, HS = c.head_size(), F = c.mlp_hidden();
  float* P = model.params();
  PruneReport r;
  for (int l = 0; l < c.n_layer; ++l) {
    if (method == PruneMethod::kMagnitude) {
      for (int i : {kQkvW, kAttProjW, kFcW, kFcProjW}) {
        const ParamSpec& s = spec_at(model, l, i);
        zero_smallest(P + s.offset, s.numel, amount, &r);
      }
      continue;
    }
    if (method == PruneMethod::kHeads) {
      float* qkv = P + spec_at(model, l, kQkvW).offset;   // [C, 3C]
      float* qkvb = P + spec_at(model, l, kQkvB).offset;  // [3C]
      float* proj = P + spec_at(model, l, kAttProjW).offset;  // [C, C], rows = head inputs
      std::vector<double> score(static_cast<size_t>(H));
      for (int h = 0; h < H; ++h) {
        double v2 = 0, p2 = 0;
        for (int i = 0; i < C; ++i)
          for (int j = 0; j < HS; ++j) {
            const double v = qkv[static_cast<size_t>(i) * 3 * C + 2 * C + h * HS + j];
            const double p = proj[static_cast<size_t>(h * HS + j) * C + i];
            v2 += v * v;
            p2 += p * p;
          }
        score[h] = std::sqrt(v2) * std::sqrt(p2);
      }
      const int k = static_cast<int>(std::lround(amount * H));
      for (int h : lowest(score, k)) {
        for (int i = 0; i < C; ++i)
          for (int j = 0; j < HS; ++j) {
            qkv[static_cast<size_t>(i) * 3 * C + 2 * C + h * HS + j] = 0.0f;
            proj[static_cast<size_t>(h * HS + j) * C + i] = 0.0f;
          }
        for (int j = 0; j < HS; ++j) qkvb[2 * C + h * HS + j] = 0.0f;
        r.weights_zeroed += 2 * static_cast<int64_t>(C) * HS;
        ++r.heads_removed;
      }
      r.weights_in_scope += 4 * static_cast<int64_t>(C) * C;
      continue;
    }
    float* fc = P + spec_at(model, l, kFcW).offset;     // [C, F]
    float* fcb = P + spec_at(model, l, kFcB).offset;    // [F]
    float* proj = P + spec_at(model, l, kFcProjW).offset;  // [F, C]
    const int k = static_cast<int>(std::lround(amount * F));
    for (int j : lowest(neuron_scores(model, l), k)) {
      for (int i = 0; i < C; ++i) {
        fc[static_cast<size_t>(i) * F + j] = 0.0f;
        proj[static_cast<size_t>(j) * C + i] = 0.0f;
      }
      fcb[j] = 0.0f;
      r.weights_zeroed += 2 * static_cast<int64_t>(C);
      ++r.neurons_removed;
    }
    r.weights_in_scope += 2 * static_cast<int64_t>(C) * F;
  }
  return r;
}

Result<std::vector<std::vector<int>>> gpt_least_important_neurons(const GptModel& model, double amount) {
  if (!(amount >= 0.0 && amount < 1.0))
    return invalid_argument("prune amount " + std::to_string(amount) + " must be in [0, 1)");
  const GptConfig& c = model.config();
  const int k = static_cast<int>(std::lround(amount * c.mlp_hidden()));
  std::vector<std::vector<int>> out;
  for (int l = 0; l < c.n_layer; ++l) {
    std::vector<int> idx = lowest(neuron_scores(model, l), k);
    std::sort(idx.begin(), idx.end());
    out.push_back(std::move(idx));
  }
  return out;
}

Result<std::unique_ptr<GptModel>> gpt_remove_neurons(const GptModel& model,
                                                     const std::vector<std::vector<int>>& removed) {
  const GptConfig& c = model.config();
  if (model.weight_format() != kernels::WeightFormat::kF32)
    return failed_precondition("removing neurons works on f32 weights; prune first, then quantize");
  if (static_cast<int>(removed.size()) != c.n_layer)
    return invalid_argument("remove neurons: got lists for " + std::to_string(removed.size()) +
                            " layers, the model has n_layer " + std::to_string(c.n_layer));
  const int F = c.mlp_hidden(), C = c.n_embd;
  const size_t n_removed = removed.empty() ? 0 : removed[0].size();
  std::vector<std::vector<int>> kept(removed.size());
  for (int l = 0; l < c.n_layer; ++l) {
    if (removed[l].size() != n_removed)
      return invalid_argument("remove neurons: layer " + std::to_string(l) + " removes " +
                              std::to_string(removed[l].size()) + " neurons but layer 0 removes " +
                              std::to_string(n_removed) + "; n_inner must stay the same in every layer");
    std::vector<char> drop(static_cast<size_t>(F), 0);
    for (int j : removed[l]) {
      if (j < 0 || j >= F)
        return out_of_range("remove neurons: layer " + std::to_string(l) + " neuron " + std::to_string(j) +
                            " is outside [0, n_inner " + std::to_string(F) + ")");
      if (drop[j]) return invalid_argument("remove neurons: layer " + std::to_string(l) + " lists neuron " +
                                           std::to_string(j) + " twice");
      drop[j] = 1;
    }
    for (int j = 0; j < F; ++j)
      if (!drop[j]) kept[l].push_back(j);
  }
  const int F2 = F - static_cast<int>(n_removed);
  if (F2 < 1) return invalid_argument("remove neurons: every one of the " + std::to_string(F) + " neurons would go");
  GptConfig c2 = c;
  c2.n_inner = F2;
  ML_ASSIGN_OR_RETURN(std::unique_ptr<GptModel> out, GptModel::create(c2, model.kernel_context()));
  const std::vector<ParamSpec>& src = model.param_specs();
  const std::vector<ParamSpec>& dst = out->param_specs();
  const float* P = model.params();
  float* Q = out->params();
  for (size_t i = 0; i < src.size(); ++i)
    if (src[i].numel == dst[i].numel) std::copy(P + src[i].offset, P + src[i].offset + src[i].numel, Q + dst[i].offset);
  for (int l = 0; l < c.n_layer; ++l) {
    const float* fc = P + spec_at(src, l, kFcW).offset;  // [C, F]
    const float* fcb = P + spec_at(src, l, kFcB).offset;
    const float* proj = P + spec_at(src, l, kFcProjW).offset;  // [F, C]
    float* fc2 = Q + spec_at(dst, l, kFcW).offset;  // [C, F2]
    float* fcb2 = Q + spec_at(dst, l, kFcB).offset;
    float* proj2 = Q + spec_at(dst, l, kFcProjW).offset;  // [F2, C]
    for (int n = 0; n < F2; ++n) {
      const int j = kept[l][n];
      for (int i = 0; i < C; ++i) fc2[static_cast<size_t>(i) * F2 + n] = fc[static_cast<size_t>(i) * F + j];
      fcb2[n] = fcb[j];
      std::copy(proj + static_cast<size_t>(j) * C, proj + static_cast<size_t>(j + 1) * C,
                proj2 + static_cast<size_t>(n) * C);
    }
  }
  return out;
}

}  // namespace marketlm
