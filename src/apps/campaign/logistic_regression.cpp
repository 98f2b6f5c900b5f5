// L2-regularised logistic regression by Newton's method (IRLS) on
// standardised features, plus the ranking metrics used by the reports.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "marketlm/apps/campaign/tabular.h"
#include "marketlm/core/rng.h"

namespace marketlm::campaign {

namespace {
double sigmoid(double z) { return z >= 0 ? 1.0 / (1.0 + std::exp(-z)) : std::exp(z) / (1.0 + std::exp(z)); }

// Solves H x = g in place for symmetric positive definite H (Cholesky).
bool cholesky_solve(std::vector<double>& H, std::vector<double>& g, int n) {
  for (int j = 0; j < n; ++j) {
    double s = H[j * n + j];
    for (int k = 0; k < j; ++k) s -= H[j * n + k] * H[j * n + k];
    if (s <= 0) return false;
    H[j * n + j] = std::sqrt(s);
    for (int i = j + 1; i < n; ++i) {
      double t = H[i * n + j];
      for (int k = 0; k < j; ++k) t -= H[i * n + k] * H[j * n + k];
      H[i * n + j] = t / H[j * n + j];
    }
  }
  for (int i = 0; i < n; ++i) {
    double t = g[i];
    for (int k = 0; k < i; ++k) t -= H[i * n + k] * g[k];
    g[i] = t / H[i * n + i];
  }
  for (int i = n - 1; i >= 0; --i) {
    double t = g[i];
    for (int k = i + 1; k < n; ++k) t -= H[k * n + i] * g[k];
    g[i] = t / H[i * n + i];
  }
  return true;
}
}  // namespace

Status LogisticRegression::fit(const Dataset& d, const std::vector<double>& y,
                               const std::vector<uint32_t>& rows_in, const LogRegConfig& cfg,
                               const std::vector<double>& weight) {
  if (y.size() != d.n_rows()) return invalid_argument("logistic regression: one label per row expected");
  if (!(cfg.l2 >= 0)) return invalid_argument("logistic regression: l2 must be >= 0");
  std::vector<uint32_t> rows = rows_in;
  if (rows.empty()) {
    rows.resize(d.n_rows());
    std::iota(rows.begin(), rows.end(), 0u);
  }
  const int F = d.n_features, n = F + 1;  // last parameter: intercept
  mean_.assign(F, 0.0);
  scale_.assign(F, 1.0);
  double wsum = 0;
  for (uint32_t r : rows) {
    const double wr = weight.empty() ? 1.0 : weight[r];
    wsum += wr;
    for (int f = 0; f < F; ++f) mean_[f] += wr * d.row(r)[f];
  }
  if (wsum <= 0) return invalid_argument("logistic regression: no rows to fit");
  for (auto& m : mean_) m /= wsum;
  std::vector<double> var(F, 0.0);
  for (uint32_t r : rows) {
    const double wr = weight.empty() ? 1.0 : weight[r];
    for (int f = 0; f < F; ++f) var[f] += wr * (d.row(r)[f] - mean_[f]) * (d.row(r)[f] - mean_[f]);
  }
  for (int f = 0; f < F; ++f) scale_[f] = var[f] > 0 ? std::sqrt(var[f] / wsum) : 1.0;

  std::vector<double> beta(n, 0.0), z(n), H, g;
  for (int it = 0; it < cfg.max_iter; ++it) {
    H.assign(static_cast<size_t>(n) * n, 0.0);
    g.assign(n, 0.0);
    for (uint32_t r : rows) {
      const double wr = weight.empty() ? 1.0 : weight[r];
      for (int f = 0; f < F; ++f) z[f] = (d.row(r)[f] - mean_[f]) / scale_[f];
      z[F] = 1.0;
      double eta = 0;
      for (int k = 0; k < n; ++k) eta += beta[k] * z[k];
      const double p = sigmoid(eta), w = wr * std::max(p * (1 - p), 1e-10), res = wr * (p - y[r]);
      for (int i = 0; i < n; ++i) {
        if (z[i] == 0) continue;
        g[i] += res * z[i];
        const double wz = w * z[i];
        for (int j = 0; j <= i; ++j) H[static_cast<size_t>(i) * n + j] += wz * z[j];
      }
    }
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < i; ++j) H[static_cast<size_t>(j) * n + i] = H[static_cast<size_t>(i) * n + j];
    for (int f = 0; f < F; ++f) {
      H[static_cast<size_t>(f) * n + f] += cfg.l2;
      g[f] += cfg.l2 * beta[f];
    }
    H[static_cast<size_t>(F) * n + F] += 1e-9;
    if (!cholesky_solve(H, g, n))
      return failed_precondition("logistic regression: Hessian not positive definite; raise --l2");
    double step = 0;
    for (int k = 0; k < n; ++k) {
      beta[k] -= g[k];
      step = std::max(step, std::fabs(g[k]));
    }
    if (step < cfg.tol) break;
  }
  w_.assign(beta.begin(), beta.begin() + F);
  b_ = beta[F];
  return Status::ok();
}

double LogisticRegression::predict(const float* row) const {
  double eta = b_;
  for (size_t f = 0; f < w_.size(); ++f) eta += w_[f] * (row[f] - mean_[f]) / scale_[f];
  return sigmoid(eta);
}

std::vector<double> LogisticRegression::predict_all(const Dataset& d, const std::vector<uint32_t>& rows) const {
  std::vector<double> out;
  out.reserve(rows.size());
  for (uint32_t r : rows) out.push_back(predict(d.row(r)));
  return out;
}

double auc(const std::vector<double>& score, const std::vector<double>& y) {
  std::vector<size_t> idx(score.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return score[a] < score[b]; });
  double rank_sum = 0, n_pos = 0;
  for (size_t i = 0; i < idx.size();) {
    size_t j = i;
    while (j < idx.size() && score[idx[j]] == score[idx[i]]) ++j;
    const double avg_rank = (i + j + 1) / 2.0;  // 1-based average rank of the tie group
    for (size_t k = i; k < j; ++k)
      if (y[idx[k]] > 0.5) rank_sum += avg_rank, n_pos += 1;
    i = j;
  }
  const double n_neg = static_cast<double>(score.size()) - n_pos;
  if (n_pos == 0 || n_neg == 0) return std::nan("");
  return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg);
}

int hits_at_top(const std::vector<double>& score, const std::vector<double>& y, size_t n) {
  std::vector<size_t> idx(score.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return score[a] > score[b]; });
  int hits = 0;
  for (size_t i = 0; i < n && i < idx.size(); ++i) hits += y[idx[i]] > 0.5;
  return hits;
}

std::vector<int> stratified_folds(const std::vector<double>& y, int k, uint64_t seed) {
  Rng rng(seed);
  std::vector<int> fold(y.size());
  for (int cls = 0; cls < 2; ++cls) {
    std::vector<size_t> idx;
    for (size_t i = 0; i < y.size(); ++i)
      if ((y[i] > 0.5) == (cls == 1)) idx.push_back(i);
    for (size_t i = idx.size(); i > 1; --i) std::swap(idx[i - 1], idx[rng.below(i)]);
    for (size_t i = 0; i < idx.size(); ++i) fold[idx[i]] = static_cast<int>(i % k);
  }
  return fold;
}

}  // namespace marketlm::campaign
