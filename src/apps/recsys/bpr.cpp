// BPR matrix factorisation trained with SGD on sampled triples.
#include <algorithm>
#include <cmath>

#include "apps/recsys/baselines.h"
#include "marketlm/core/rng.h"

namespace marketlm::recsys {

namespace {
float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

// One SGD step on (u, i, j). `u` is updated; item rows too unless frozen.
// Returns the triple's loss -log sigmoid(x_ui - x_uj).
float bpr_step(float* u, float* vi, float* vj, float* bi, float* bj, int d, float lr, float reg,
               bool update_items) {
  float x = *bi - *bj;
  for (int f = 0; f < d; ++f) x += u[f] * (vi[f] - vj[f]);
  const float g = sigmoid(-x);  // d(-loss)/dx
  for (int f = 0; f < d; ++f) {
    const float uf = u[f], vif = vi[f], vjf = vj[f];
    u[f] += lr * (g * (vif - vjf) - reg * uf);
    if (update_items) {
      vi[f] += lr * (g * uf - reg * vif);
      vj[f] += lr * (-g * uf - reg * vjf);
    }
  }
  if (update_items) {
    *bi += lr * (g - reg * *bi);
    *bj += lr * (-g - reg * *bj);
  }
  return -std::log(std::max(sigmoid(x), 1e-12f));
}

int32_t sample_unseen(const std::vector<int32_t>& seen_sorted, int32_t n_items, Rng& rng) {
  for (int tries = 0; tries < 1000; ++tries) {
    const auto j = static_cast<int32_t>(rng.below(static_cast<uint64_t>(n_items)));
    if (!std::binary_search(seen_sorted.begin(), seen_sorted.end(), j)) return j;
  }
  return -1;  // the user has seen (almost) everything
}
}  // namespace

Status BprRecommender::fit(const TrainData& train, const RecConfig& config, const Context& ctx) {
  ML_RETURN_IF_ERROR(config.validate());
  cfg_ = config;
  n_items_ = train.n_items;
  n_users_ = static_cast<int32_t>(train.seqs.size());
  d_ = cfg_.bpr_factors;
  Rng rng(cfg_.seed);
  const auto d = static_cast<size_t>(d_);
  user_f_.resize(static_cast<size_t>(n_users_) * d);
  item_f_.resize(static_cast<size_t>(n_items_) * d);
  item_b_.assign(static_cast<size_t>(n_items_), 0.0f);
  for (float& x : user_f_) x = static_cast<float>(0.1 * rng.normal());
  for (float& x : item_f_) x = static_cast<float>(0.1 * rng.normal());
  std::vector<std::vector<int32_t>> seen(train.seqs.size());
  std::vector<std::pair<int32_t, int32_t>> actions;  // (user, item)
  for (size_t u = 0; u < train.seqs.size(); ++u) {
    seen[u] = train.seqs[u];
    std::sort(seen[u].begin(), seen[u].end());
    seen[u].erase(std::unique(seen[u].begin(), seen[u].end()), seen[u].end());
    for (int32_t i : train.seqs[u]) actions.emplace_back(static_cast<int32_t>(u), i);
  }
  if (actions.empty()) return invalid_argument("bpr: the training data has no actions");
  for (int epoch = 0; epoch < cfg_.bpr_epochs; ++epoch) {
    double loss = 0;
    int64_t steps = 0;
    for (size_t s = 0; s < actions.size(); ++s) {
      const auto [u, i] = actions[rng.below(actions.size())];
      const int32_t j = sample_unseen(seen[static_cast<size_t>(u)], n_items_, rng);
      if (j < 0) continue;
      loss += bpr_step(&user_f_[static_cast<size_t>(u) * d], &item_f_[static_cast<size_t>(i) * d],
                       &item_f_[static_cast<size_t>(j) * d], &item_b_[static_cast<size_t>(i)],
                       &item_b_[static_cast<size_t>(j)], d_, cfg_.bpr_lr, cfg_.bpr_reg, true);
      ++steps;
    }
    char detail[64];
    std::snprintf(detail, sizeof detail, "loss %.4f", steps ? loss / static_cast<double>(steps) : 0.0);
    ctx.report({"bpr epochs", epoch + 1, cfg_.bpr_epochs, detail, epoch + 1 == cfg_.bpr_epochs});
  }
  return Status::ok();
}

std::vector<float> BprRecommender::fold_in(std::span<const int32_t> history) const {
  std::vector<float> u(static_cast<size_t>(d_), 0.0f);
  std::vector<int32_t> seen;
  for (int32_t i : history) {
    if (i >= 0 && i < n_items_) seen.push_back(i);
  }
  if (seen.empty()) return u;
  const std::vector<int32_t> positives = seen;
  std::sort(seen.begin(), seen.end());
  seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
  uint64_t h = cfg_.seed;
  for (int32_t i : positives) h = h * 1000003ull + static_cast<uint64_t>(i) + 1;
  Rng rng(h);
  float bi_copy, bj_copy;
  std::vector<float> vi(static_cast<size_t>(d_)), vj(static_cast<size_t>(d_));
  for (int epoch = 0; epoch < cfg_.bpr_fold_in_epochs; ++epoch) {
    for (size_t s = 0; s < positives.size(); ++s) {
      const int32_t i = positives[rng.below(positives.size())];
      const int32_t j = sample_unseen(seen, n_items_, rng);
      if (j < 0) continue;
      // Copies: the item factors stay frozen (score() is const and thread-safe).
      std::copy_n(&item_f_[static_cast<size_t>(i) * static_cast<size_t>(d_)], d_, vi.begin());
      std::copy_n(&item_f_[static_cast<size_t>(j) * static_cast<size_t>(d_)], d_, vj.begin());
      bi_copy = item_b_[static_cast<size_t>(i)];
      bj_copy = item_b_[static_cast<size_t>(j)];
      bpr_step(u.data(), vi.data(), vj.data(), &bi_copy, &bj_copy, d_, cfg_.bpr_lr, cfg_.bpr_reg, false);
    }
  }
  return u;
}

void BprRecommender::score(const UserQuery& query, std::span<float> scores) const {
  std::vector<float> folded;
  const float* u = nullptr;
  if (query.user >= 0 && query.user < n_users_) {
    u = &user_f_[static_cast<size_t>(query.user) * static_cast<size_t>(d_)];
  } else {
    folded = fold_in(query.history);
    u = folded.data();
  }
  // Eight independent partial sums: the compiler can keep them in one SIMD
  // register (a single running sum is a serial chain it may not reorder).
  const int d8 = d_ / 8 * 8;
  for (int32_t j = 0; j < n_items_; ++j) {
    const float* v = &item_f_[static_cast<size_t>(j) * static_cast<size_t>(d_)];
    float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (int f = 0; f < d8; f += 8) {
      for (int l = 0; l < 8; ++l) acc[l] += u[f + l] * v[f + l];
    }
    float s = item_b_[static_cast<size_t>(j)];
    for (int f = d8; f < d_; ++f) s += u[f] * v[f];
    s += ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    scores[static_cast<size_t>(j)] = s;
  }
}

void BprRecommender::save(TensorFile* out) const {
  out->put_f32("bpr.user_factors", {n_users_, d_}, user_f_);
  out->put_f32("bpr.item_factors", {n_items_, d_}, item_f_);
  out->put_f32("bpr.item_bias", {n_items_}, item_b_);
}

Status BprRecommender::load(const TensorFile& in, const RecConfig& config, int32_t n_items, int32_t n_users) {
  ML_RETURN_IF_ERROR(config.validate());
  cfg_ = config;
  n_items_ = n_items;
  n_users_ = n_users;
  d_ = cfg_.bpr_factors;
  ML_ASSIGN_OR_RETURN(user_f_, in.get_f32("bpr.user_factors", int64_t{n_users} * d_));
  ML_ASSIGN_OR_RETURN(item_f_, in.get_f32("bpr.item_factors", int64_t{n_items} * d_));
  ML_ASSIGN_OR_RETURN(item_b_, in.get_f32("bpr.item_bias", n_items));
  return Status::ok();
}

}  // namespace marketlm::recsys
