// The five bandit policies. Each ranks items by a score and fills the slate
// from the top; the randomised ones also know the slot probabilities.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "apps/campaign/bandit_internal.h"

namespace marketlm::campaign::detail {

std::vector<int> top_k(const std::vector<double>& score, int k) {
  std::vector<int> idx(score.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::partial_sort(idx.begin(), idx.begin() + k, idx.end(), [&](int a, int b) {
    return score[a] > score[b] || (score[a] == score[b] && a < b);
  });
  idx.resize(k);
  return idx;
}

namespace {
// Deterministic slate: every slot's propensity is 1.
Slate deterministic(const std::vector<double>& score, int k) {
  Slate s;
  s.items = top_k(score, k);
  s.propensity.assign(k, 1.0);
  return s;
}
std::vector<double> deterministic_dist(const std::vector<double>& score, int k) {
  const size_t n = score.size();
  std::vector<double> out(k * n, 0.0);
  auto top = top_k(score, k);
  for (int j = 0; j < k; ++j) out[j * n + top[j]] = 1.0;
  return out;
}
// A uniformly random slate (partial Fisher-Yates).
std::vector<int> random_slate(int n, int k, Rng& rng) {
  std::vector<int> idx(n);
  std::iota(idx.begin(), idx.end(), 0);
  for (int j = 0; j < k; ++j) std::swap(idx[j], idx[j + rng.below(n - j)]);
  idx.resize(k);
  return idx;
}
}  // namespace

// ---- epsilon-greedy: with prob. 1-eps the top-k by mean, else a uniform slate.
EpsilonGreedy::EpsilonGreedy(const PolicyConfig& c)
    : BanditPolicy(c.n_actions), pulls(c.n_actions, 0.0), sums(c.n_actions, 0.0), eps_(c.epsilon) {}

std::vector<double> EpsilonGreedy::means() const {
  std::vector<double> m(k_actions_);
  // Untried arms score +inf so each is tried once when exploiting.
  for (int a = 0; a < k_actions_; ++a)
    m[a] = pulls[a] > 0 ? sums[a] / pulls[a] : std::numeric_limits<double>::infinity();
  return m;
}

Slate EpsilonGreedy::do_select(std::span<const double>, int k, Rng& rng) {
  auto greedy = top_k(means(), k);
  Slate s;
  s.items = rng.uniform_f64() < eps_ ? random_slate(k_actions_, k, rng) : greedy;
  for (int j = 0; j < k; ++j)
    s.propensity.push_back((1.0 - eps_) * (s.items[j] == greedy[j] ? 1.0 : 0.0) + eps_ / k_actions_);
  return s;
}

void EpsilonGreedy::do_update(std::span<const double>, int a, double r) {
  pulls[a] += 1.0;
  sums[a] += r;
}

std::vector<double> EpsilonGreedy::do_distribution(std::span<const double>, int k, Rng&, int) {
  auto out = deterministic_dist(means(), k);
  for (auto& v : out) v = (1.0 - eps_) * v + eps_ / k_actions_;
  return out;
}

// ---- UCB1: mean + sqrt(c ln t / n); untried arms first.
Ucb1::Ucb1(const PolicyConfig& c)
    : BanditPolicy(c.n_actions), pulls(c.n_actions, 0.0), sums(c.n_actions, 0.0), c_(c.ucb_c) {}

std::vector<double> Ucb1::scores() const {
  std::vector<double> s(k_actions_);
  const double lt = std::log(std::max(total, 1.0));
  for (int a = 0; a < k_actions_; ++a)
    s[a] = pulls[a] > 0 ? sums[a] / pulls[a] + std::sqrt(c_ * lt / pulls[a])
                        : std::numeric_limits<double>::infinity();
  return s;
}

Slate Ucb1::do_select(std::span<const double>, int k, Rng&) { return deterministic(scores(), k); }

void Ucb1::do_update(std::span<const double>, int a, double r) {
  pulls[a] += 1.0;
  sums[a] += r;
  total += 1.0;
}

std::vector<double> Ucb1::do_distribution(std::span<const double>, int k, Rng&, int) {
  return deterministic_dist(scores(), k);
}

// ---- Bernoulli Thompson sampling with optional discounting.
BernoulliTs::BernoulliTs(const PolicyConfig& c)
    : BanditPolicy(c.n_actions), successes(c.n_actions, 0.0), failures(c.n_actions, 0.0),
      a0_(c.alpha0), b0_(c.beta0), gamma_(c.discount), sims_(c.propensity_sims) {}

std::vector<double> BernoulliTs::alpha() const {
  std::vector<double> a(k_actions_);
  for (int i = 0; i < k_actions_; ++i) a[i] = a0_ + successes[i];
  return a;
}
std::vector<double> BernoulliTs::beta() const {
  std::vector<double> b(k_actions_);
  for (int i = 0; i < k_actions_; ++i) b[i] = b0_ + failures[i];
  return b;
}

Status BernoulliTs::check_reward(double r) const {
  if (!(r >= 0.0 && r <= 1.0))
    return invalid_argument("bts: reward must be in [0, 1] (a click), got " + std::to_string(r));
  return Status::ok();
}

Slate BernoulliTs::do_select(std::span<const double>, int k, Rng& rng) {
  auto a = alpha(), b = beta();
  std::vector<double> theta(k_actions_);
  for (int i = 0; i < k_actions_; ++i) theta[i] = sample_beta(a[i], b[i], rng);
  Slate s;
  s.items = top_k(theta, k);
  auto dist = bts_slot_probabilities(a, b, k, sims_, rng);
  // The draw that chose the slate counts as one more simulation, so a shown
  // item never gets propensity 0.
  for (int j = 0; j < k; ++j)
    s.propensity.push_back((dist[static_cast<size_t>(j) * k_actions_ + s.items[j]] * sims_ + 1.0) /
                           (sims_ + 1.0));
  return s;
}

void BernoulliTs::do_update(std::span<const double>, int a, double r) {
  if (gamma_ < 1.0)
    for (int i = 0; i < k_actions_; ++i) {
      successes[i] *= gamma_;
      failures[i] *= gamma_;
    }
  successes[a] += r;
  failures[a] += 1.0 - r;
}

std::vector<double> BernoulliTs::do_distribution(std::span<const double>, int k, Rng& rng, int n_sim) {
  return bts_slot_probabilities(alpha(), beta(), k, n_sim, rng);
}

// ---- linear models
LinearArms::LinearArms(const PolicyConfig& c) : BanditPolicy(c.n_actions), d_(c.dim) {
  a_inv.assign(c.n_actions, std::vector<double>(static_cast<size_t>(d_) * d_, 0.0));
  b.assign(c.n_actions, std::vector<double>(d_, 0.0));
  for (auto& m : a_inv)
    for (int i = 0; i < d_; ++i) m[static_cast<size_t>(i) * d_ + i] = 1.0 / c.ridge;
}

std::vector<double> LinearArms::theta(int arm) const {
  std::vector<double> t(d_, 0.0);
  const auto& m = a_inv[arm];
  for (int i = 0; i < d_; ++i)
    for (int j = 0; j < d_; ++j) t[i] += m[static_cast<size_t>(i) * d_ + j] * b[arm][j];
  return t;
}

void LinearArms::do_update(std::span<const double> x, int a, double r) {
  // Sherman-Morrison: (A + x x^T)^-1 = A^-1 - (A^-1 x)(A^-1 x)^T / (1 + x^T A^-1 x).
  auto& m = a_inv[a];
  std::vector<double> ax(d_, 0.0);
  for (int i = 0; i < d_; ++i)
    for (int j = 0; j < d_; ++j) ax[i] += m[static_cast<size_t>(i) * d_ + j] * x[j];
  double denom = 1.0;
  for (int i = 0; i < d_; ++i) denom += x[i] * ax[i];
  for (int i = 0; i < d_; ++i)
    for (int j = 0; j < d_; ++j) m[static_cast<size_t>(i) * d_ + j] -= ax[i] * ax[j] / denom;
  for (int i = 0; i < d_; ++i) b[a][i] += r * x[i];
}

namespace {
// x^T theta and x^T A^-1 x for one arm.
void linear_moments(const std::vector<double>& m, const std::vector<double>& bb,
                    std::span<const double> x, int d, double* mean, double* var) {
  double mu = 0, q = 0;
  for (int i = 0; i < d; ++i) {
    double row = 0, th = 0;
    for (int j = 0; j < d; ++j) {
      row += m[static_cast<size_t>(i) * d + j] * x[j];
      th += m[static_cast<size_t>(i) * d + j] * bb[j];
    }
    q += x[i] * row;
    mu += x[i] * th;
  }
  *mean = mu;
  *var = std::max(q, 0.0);
}
}  // namespace

std::vector<double> LinUcb::scores(std::span<const double> x) const {
  std::vector<double> s(k_actions_);
  for (int a = 0; a < k_actions_; ++a) {
    double mu, var;
    linear_moments(a_inv[a], b[a], x, d_, &mu, &var);
    s[a] = mu + alpha_ * std::sqrt(var);
  }
  return s;
}

Slate LinUcb::do_select(std::span<const double> x, int k, Rng&) { return deterministic(scores(x), k); }

std::vector<double> LinUcb::do_distribution(std::span<const double> x, int k, Rng&, int) {
  return deterministic_dist(scores(x), k);
}

void LinTs::score_moments(std::span<const double> x, std::vector<double>& mean,
                          std::vector<double>& sd) const {
  mean.resize(k_actions_);
  sd.resize(k_actions_);
  for (int a = 0; a < k_actions_; ++a) {
    double var;
    linear_moments(a_inv[a], b[a], x, d_, &mean[a], &var);
    sd[a] = v_ * std::sqrt(var);
  }
}

Slate LinTs::do_select(std::span<const double> x, int k, Rng& rng) {
  std::vector<double> mean, sd, s(k_actions_);
  score_moments(x, mean, sd);
  for (int a = 0; a < k_actions_; ++a) s[a] = mean[a] + sd[a] * rng.normal();
  Slate out;
  out.items = top_k(s, k);
  std::vector<double> counts(static_cast<size_t>(k) * k_actions_, 0.0);
  for (int t = 0; t < sims_; ++t) {
    for (int a = 0; a < k_actions_; ++a) s[a] = mean[a] + sd[a] * rng.normal();
    auto top = top_k(s, k);
    for (int j = 0; j < k; ++j) counts[static_cast<size_t>(j) * k_actions_ + top[j]] += 1.0;
  }
  for (int j = 0; j < k; ++j)
    out.propensity.push_back((counts[static_cast<size_t>(j) * k_actions_ + out.items[j]] + 1.0) /
                             (sims_ + 1.0));
  return out;
}

std::vector<double> LinTs::do_distribution(std::span<const double> x, int k, Rng& rng, int n_sim) {
  std::vector<double> mean, sd, s(k_actions_), out(static_cast<size_t>(k) * k_actions_, 0.0);
  score_moments(x, mean, sd);
  for (int t = 0; t < n_sim; ++t) {
    for (int a = 0; a < k_actions_; ++a) s[a] = mean[a] + sd[a] * rng.normal();
    auto top = top_k(s, k);
    for (int j = 0; j < k; ++j) out[static_cast<size_t>(j) * k_actions_ + top[j]] += 1.0;
  }
  for (auto& v : out) v /= n_sim;
  return out;
}

}  // namespace marketlm::campaign::detail
