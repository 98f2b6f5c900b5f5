// Popularity: every user gets the items most often seen in training.
#include "apps/recsys/baselines.h"

namespace marketlm::recsys {

Status PopularityRecommender::fit(const TrainData& train, const RecConfig&, const Context&) {
  counts_.assign(static_cast<size_t>(train.n_items), 0.0f);
  for (const auto& seq : train.seqs) {
    for (int32_t i : seq) counts_[static_cast<size_t>(i)] += 1.0f;
  }
  return Status::ok();
}

void PopularityRecommender::score(const UserQuery&, std::span<float> scores) const {
  std::copy(counts_.begin(), counts_.end(), scores.begin());
}

void PopularityRecommender::save(TensorFile* out) const {
  out->put_f32("pop.counts", {static_cast<int64_t>(counts_.size())}, counts_);
}

Status PopularityRecommender::load(const TensorFile& in, const RecConfig&, int32_t n_items, int32_t) {
  ML_ASSIGN_OR_RETURN(counts_, in.get_f32("pop.counts", n_items));
  return Status::ok();
}

}  // namespace marketlm::recsys
