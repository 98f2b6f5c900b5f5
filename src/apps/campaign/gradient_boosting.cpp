// Gradient-boosted decision trees for binary labels: logistic loss, second
// order (Newton) leaf values, histogram split search on per-feature bins,
// depth-wise growth, row and feature subsampling.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "marketlm/apps/campaign/tabular.h"
#include "marketlm/core/rng.h"

namespace marketlm::campaign {

namespace {
double sigmoid(double z) { return z >= 0 ? 1.0 / (1.0 + std::exp(-z)) : std::exp(z) / (1.0 + std::exp(z)); }

// Bin edges of one feature: bin b holds values <= edges[b] (and > edges[b-1]).
std::vector<float> make_edges(std::vector<float> v, int max_bins) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  if (static_cast<int>(v.size()) <= max_bins) return v;
  std::vector<float> e;
  for (int b = 1; b <= max_bins; ++b) {
    float q = v[std::min(v.size() - 1, static_cast<size_t>(std::ceil(b * v.size() / double(max_bins))) - 1)];
    if (e.empty() || q > e.back()) e.push_back(q);
  }
  if (e.back() < v.back()) e.push_back(v.back());
  return e;
}
}  // namespace

Status GradientBoostedTrees::fit(const Dataset& d, const std::vector<double>& y,
                                 const std::vector<uint32_t>& rows_in, const GbtConfig& cfg,
                                 ThreadPool*) {
  if (y.size() != d.n_rows()) return invalid_argument("gbt: one label per row expected");
  if (cfg.n_trees <= 0 || cfg.max_depth <= 0 || cfg.max_depth > 12)
    return invalid_argument("gbt: n_trees must be > 0 and max_depth in [1, 12]");
  if (!(cfg.learning_rate > 0) || !(cfg.subsample > 0 && cfg.subsample <= 1) ||
      !(cfg.colsample > 0 && cfg.colsample <= 1) || cfg.max_bins < 2 || cfg.max_bins > 255)
    return invalid_argument("gbt: learning_rate > 0, subsample/colsample in (0, 1], max_bins in [2, 255]");
  std::vector<uint32_t> rows = rows_in;
  if (rows.empty()) {
    rows.resize(d.n_rows());
    std::iota(rows.begin(), rows.end(), 0u);
  }
  const int F = d.n_features;
  const size_t n = rows.size();
  // Bin every feature once.
  std::vector<std::vector<float>> edges(F);
  std::vector<uint8_t> bin(n * F);
  for (int f = 0; f < F; ++f) {
    std::vector<float> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = d.row(rows[i])[f];
    edges[f] = make_edges(v, cfg.max_bins);
    for (size_t i = 0; i < n; ++i)
      bin[i * F + f] = static_cast<uint8_t>(
          std::min<size_t>(std::lower_bound(edges[f].begin(), edges[f].end(), v[i]) - edges[f].begin(),
                           edges[f].size() - 1));
  }
  double pos = 0;
  for (uint32_t r : rows) pos += y[r];
  const double prior = std::clamp(pos / n, 1e-6, 1 - 1e-6);
  base_ = std::log(prior / (1 - prior));
  lr_ = cfg.learning_rate;
  trees_.clear();
  std::vector<double> margin(n, base_), g(n), h(n);
  Rng rng(cfg.seed);
  struct Work {
    int node;
    std::vector<uint32_t> idx;  // positions into rows
    int depth;
  };
  std::vector<double> hg, hh;
  for (int t = 0; t < cfg.n_trees; ++t) {
    for (size_t i = 0; i < n; ++i) {
      const double p = sigmoid(margin[i]);
      g[i] = p - y[rows[i]];
      h[i] = std::max(p * (1 - p), 1e-12);
    }
    std::vector<uint32_t> sample;
    for (size_t i = 0; i < n; ++i)
      if (cfg.subsample >= 1 || rng.uniform_f64() < cfg.subsample) sample.push_back(static_cast<uint32_t>(i));
    std::vector<int> feats;
    for (int f = 0; f < F; ++f)
      if (cfg.colsample >= 1 || rng.uniform_f64() < cfg.colsample) feats.push_back(f);
    if (feats.empty()) feats.push_back(static_cast<int>(rng.below(F)));
    std::vector<Node> tree(1);
    std::vector<Work> stack;
    stack.push_back({0, std::move(sample), 0});
    while (!stack.empty()) {
      Work w = std::move(stack.back());
      stack.pop_back();
      double G = 0, H = 0;
      for (uint32_t i : w.idx) G += g[i], H += h[i];
      tree[w.node].value = -G / (H + cfg.lambda);
      if (w.depth >= cfg.max_depth || H < 2 * cfg.min_child_weight) continue;
      double best_gain = 1e-9;
      int best_f = -1, best_b = -1;
      const double parent = G * G / (H + cfg.lambda);
      for (int f : feats) {
        const int nb = static_cast<int>(edges[f].size());
        if (nb < 2) continue;
        hg.assign(nb, 0.0);
        hh.assign(nb, 0.0);
        for (uint32_t i : w.idx) {
          hg[bin[i * F + f]] += g[i];
          hh[bin[i * F + f]] += h[i];
        }
        double gl = 0, hl = 0;
        for (int b = 0; b < nb - 1; ++b) {
          gl += hg[b];
          hl += hh[b];
          const double gr = G - gl, hr = H - hl;
          if (hl < cfg.min_child_weight || hr < cfg.min_child_weight) continue;
          const double gain = gl * gl / (hl + cfg.lambda) + gr * gr / (hr + cfg.lambda) - parent;
          if (gain > best_gain) best_gain = gain, best_f = f, best_b = b;
        }
      }
      if (best_f < 0) continue;
      std::vector<uint32_t> li, ri;
      for (uint32_t i : w.idx) (bin[i * F + best_f] <= best_b ? li : ri).push_back(i);
      const int l = static_cast<int>(tree.size()), r = l + 1;
      tree.resize(tree.size() + 2);
      tree[w.node].feature = best_f;
      tree[w.node].threshold = edges[best_f][best_b];
      tree[w.node].left = l;
      tree[w.node].right = r;
      stack.push_back({l, std::move(li), w.depth + 1});
      stack.push_back({r, std::move(ri), w.depth + 1});
    }
    // Update margins of every row (not only the sampled ones).
    for (size_t i = 0; i < n; ++i) {
      const float* x = d.row(rows[i]);
      int node = 0;
      while (tree[node].feature >= 0)
        node = x[tree[node].feature] <= tree[node].threshold ? tree[node].left : tree[node].right;
      margin[i] += lr_ * tree[node].value;
    }
    trees_.push_back(std::move(tree));
  }
  return Status::ok();
}

double GradientBoostedTrees::predict(const float* row) const {
  double m = base_;
  for (const auto& tree : trees_) {
    int node = 0;
    while (tree[node].feature >= 0)
      node = row[tree[node].feature] <= tree[node].threshold ? tree[node].left : tree[node].right;
    m += lr_ * tree[node].value;
  }
  return sigmoid(m);
}

std::vector<double> GradientBoostedTrees::predict_all(const Dataset& d, const std::vector<uint32_t>& rows) const {
  std::vector<double> out;
  out.reserve(rows.size());
  for (uint32_t r : rows) out.push_back(predict(d.row(r)));
  return out;
}

}  // namespace marketlm::campaign
