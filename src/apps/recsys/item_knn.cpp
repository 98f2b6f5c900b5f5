// Item-kNN over training sequences: cosine similarity of co-occurrence.
#include <algorithm>
#include <cmath>

#include "apps/recsys/baselines.h"

namespace marketlm::recsys {

Status ItemKnnRecommender::fit(const TrainData& train, const RecConfig& config, const Context& ctx) {
  ML_RETURN_IF_ERROR(config.validate());
  cfg_ = config;
  pop_ = train_popularity(train);
  const auto n_items = static_cast<size_t>(train.n_items);
  // Inverted index: item -> (user, position) of each occurrence; and the
  // number of users that hold each item.
  std::vector<std::vector<std::pair<int32_t, int32_t>>> occ(n_items);
  std::vector<float> n_users_with(n_items, 0.0f);
  std::vector<int32_t> last_user(n_items, -1);
  for (size_t u = 0; u < train.seqs.size(); ++u) {
    const auto& seq = train.seqs[u];
    for (size_t p = 0; p < seq.size(); ++p) {
      const auto i = static_cast<size_t>(seq[p]);
      occ[i].emplace_back(static_cast<int32_t>(u), static_cast<int32_t>(p));
      if (last_user[i] != static_cast<int32_t>(u)) {
        last_user[i] = static_cast<int32_t>(u);
        n_users_with[i] += 1.0f;
      }
    }
  }
  const int n_threads = ctx.pool ? ctx.pool->size() : 1;
  std::vector<std::vector<float>> acc(static_cast<size_t>(n_threads), std::vector<float>(n_items, 0.0f));
  std::vector<std::vector<int32_t>> mark(static_cast<size_t>(n_threads), std::vector<int32_t>(n_items, -1));
  std::vector<std::vector<std::pair<int32_t, float>>> rows(n_items);
  const int window = cfg_.knn_window;
  const auto k = static_cast<size_t>(cfg_.knn_neighbors);
  auto work = [&](int64_t begin, int64_t end, int thread) {
    auto& a = acc[static_cast<size_t>(thread)];
    auto& m = mark[static_cast<size_t>(thread)];
    std::vector<int32_t> touched;
    for (int64_t item = begin; item < end; ++item) {
      touched.clear();
      for (auto [u, p] : occ[static_cast<size_t>(item)]) {
        const auto& seq = train.seqs[static_cast<size_t>(u)];
        const int64_t lo = window == 0 ? 0 : std::max<int64_t>(0, p - window);
        const int64_t hi = window == 0 ? static_cast<int64_t>(seq.size()) - 1
                                       : std::min<int64_t>(static_cast<int64_t>(seq.size()) - 1, p + window);
        for (int64_t q = lo; q <= hi; ++q) {
          const int32_t b = seq[static_cast<size_t>(q)];
          if (b == item || m[static_cast<size_t>(b)] == u) continue;  // once per user
          if (a[static_cast<size_t>(b)] == 0.0f) touched.push_back(b);
          m[static_cast<size_t>(b)] = u;
          a[static_cast<size_t>(b)] += 1.0f;
        }
      }
      auto& row = rows[static_cast<size_t>(item)];
      row.reserve(touched.size());
      const float ni = n_users_with[static_cast<size_t>(item)];
      for (int32_t b : touched) {
        row.emplace_back(b, a[static_cast<size_t>(b)] / std::sqrt(ni * n_users_with[static_cast<size_t>(b)]));
        a[static_cast<size_t>(b)] = 0.0f;
        m[static_cast<size_t>(b)] = -1;
      }
      auto better = [](const std::pair<int32_t, float>& x, const std::pair<int32_t, float>& y) {
        return x.second != y.second ? x.second > y.second : x.first < y.first;
      };
      if (row.size() > k) {
        std::partial_sort(row.begin(), row.begin() + static_cast<std::ptrdiff_t>(k), row.end(), better);
        row.resize(k);
      } else {
        std::sort(row.begin(), row.end(), better);
      }
      // m[] is reset per item, so "once per user" holds within this item only.
    }
  };
  if (ctx.pool) ctx.pool->parallel_for(static_cast<int64_t>(n_items), work, 256);
  else work(0, static_cast<int64_t>(n_items), 0);
  sim_.offsets.assign(n_items + 1, 0);
  sim_.cols.clear();
  sim_.weights.clear();
  for (size_t i = 0; i < n_items; ++i) {
    for (auto [b, w] : rows[i]) {
      sim_.cols.push_back(b);
      sim_.weights.push_back(w);
    }
    sim_.offsets[i + 1] = static_cast<int64_t>(sim_.cols.size());
  }
  ctx.logger.info("itemknn: " + std::to_string(sim_.cols.size()) + " neighbour links kept");
  return Status::ok();
}

void ItemKnnRecommender::score(const UserQuery& query, std::span<float> scores) const {
  for (size_t j = 0; j < pop_.size(); ++j) scores[j] = cfg_.pop_weight * pop_[j];
  add_recent_rows(sim_, query.history, cfg_.history_len, cfg_.recency_decay, scores);
}

std::vector<Contribution> ItemKnnRecommender::explain(const UserQuery& query, int32_t item) const {
  return recent_row_contributions(sim_, query.history, cfg_.history_len, cfg_.recency_decay, item);
}

void ItemKnnRecommender::save(TensorFile* out) const {
  sim_.save(out, "itemknn.similarity");
  out->put_f32("itemknn.popularity", {static_cast<int64_t>(pop_.size())}, pop_);
}

Status ItemKnnRecommender::load(const TensorFile& in, const RecConfig& config, int32_t n_items, int32_t) {
  ML_RETURN_IF_ERROR(config.validate());
  cfg_ = config;
  ML_RETURN_IF_ERROR(sim_.load(in, "itemknn.similarity", n_items, n_items));
  ML_ASSIGN_OR_RETURN(pop_, in.get_f32("itemknn.popularity", n_items));
  return Status::ok();
}

}  // namespace marketlm::recsys
