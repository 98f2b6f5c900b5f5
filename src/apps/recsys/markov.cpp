// First-order Markov chain over consecutive training items.
#include <algorithm>
#include <map>

#include "apps/recsys/baselines.h"

namespace marketlm::recsys {

namespace {
std::vector<float> normalised_popularity(const TrainData& train) {
  std::vector<float> pop(static_cast<size_t>(train.n_items), 0.0f);
  for (const auto& seq : train.seqs) {
    for (int32_t i : seq) pop[static_cast<size_t>(i)] += 1.0f;
  }
  const float mx = pop.empty() ? 0.0f : *std::max_element(pop.begin(), pop.end());
  if (mx > 0) {
    for (float& p : pop) p /= mx;
  }
  return pop;
}
}  // namespace

std::vector<float> train_popularity(const TrainData& train) { return normalised_popularity(train); }

Status MarkovRecommender::fit(const TrainData& train, const RecConfig& config, const Context& ctx) {
  ML_RETURN_IF_ERROR(config.validate());
  cfg_ = config;
  pop_ = normalised_popularity(train);
  // Gather (from, to) pairs, sort, and count runs: deterministic and compact.
  std::vector<std::pair<int32_t, int32_t>> pairs;
  for (const auto& seq : train.seqs) {
    for (size_t t = 1; t < seq.size(); ++t) pairs.emplace_back(seq[t - 1], seq[t]);
  }
  std::sort(pairs.begin(), pairs.end());
  trans_.offsets.assign(static_cast<size_t>(train.n_items) + 1, 0);
  trans_.cols.clear();
  trans_.weights.clear();
  for (size_t p = 0; p < pairs.size();) {
    size_t q = p;
    while (q < pairs.size() && pairs[q] == pairs[p]) ++q;
    trans_.offsets[static_cast<size_t>(pairs[p].first) + 1]++;
    trans_.cols.push_back(pairs[p].second);
    trans_.weights.push_back(static_cast<float>(q - p));
    p = q;
  }
  for (size_t i = 1; i < trans_.offsets.size(); ++i) trans_.offsets[i] += trans_.offsets[i - 1];
  for (size_t i = 0; i + 1 < trans_.offsets.size(); ++i) {
    float total = 0;
    for (int64_t p = trans_.offsets[i]; p < trans_.offsets[i + 1]; ++p) total += trans_.weights[static_cast<size_t>(p)];
    for (int64_t p = trans_.offsets[i]; p < trans_.offsets[i + 1]; ++p) trans_.weights[static_cast<size_t>(p)] /= total;
  }
  ctx.logger.info("markov: " + std::to_string(trans_.cols.size()) + " distinct transitions from " +
                  std::to_string(pairs.size()) + " consecutive pairs");
  return Status::ok();
}

void MarkovRecommender::score(const UserQuery& query, std::span<float> scores) const {
  for (size_t j = 0; j < pop_.size(); ++j) scores[j] = cfg_.pop_weight * pop_[j];
  add_recent_rows(trans_, query.history, cfg_.history_len, cfg_.recency_decay, scores);
}

std::vector<Contribution> MarkovRecommender::explain(const UserQuery& query, int32_t item) const {
  return recent_row_contributions(trans_, query.history, cfg_.history_len, cfg_.recency_decay, item);
}

void MarkovRecommender::save(TensorFile* out) const {
  trans_.save(out, "markov.transitions");
  out->put_f32("markov.popularity", {static_cast<int64_t>(pop_.size())}, pop_);
}

Status MarkovRecommender::load(const TensorFile& in, const RecConfig& config, int32_t n_items, int32_t) {
  ML_RETURN_IF_ERROR(config.validate());
  cfg_ = config;
  ML_RETURN_IF_ERROR(trans_.load(in, "markov.transitions", n_items, n_items));
  ML_ASSIGN_OR_RETURN(pop_, in.get_f32("markov.popularity", n_items));
  return Status::ok();
}

}  // namespace marketlm::recsys
