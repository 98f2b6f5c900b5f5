// HR@k / NDCG@k with exact tie handling, and the negative sampler.
#include "marketlm/apps/recsys/metrics.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

namespace marketlm::recsys {

RankCounts count_rank(float target_score, std::span<const float> others) {
  RankCounts r;
  if (std::isnan(target_score)) {
    r.greater = static_cast<int64_t>(others.size());
    return r;
  }
  for (float s : others) {
    if (s > target_score) ++r.greater;
    else if (s == target_score) ++r.ties;
  }
  return r;
}

double hit_rate_at_k(const RankCounts& r, int k) {
  // Rank is uniform on {greater, ..., greater + ties}.
  const int64_t lo = r.greater, hi = r.greater + r.ties;
  if (lo >= k) return 0.0;
  const int64_t hits = std::min<int64_t>(hi, k - 1) - lo + 1;
  return static_cast<double>(hits) / static_cast<double>(r.ties + 1);
}

double ndcg_at_k(const RankCounts& r, int k) {
  const int64_t lo = r.greater, hi = std::min<int64_t>(r.greater + r.ties, k - 1);
  double sum = 0;
  for (int64_t rank = lo; rank <= hi; ++rank) sum += 1.0 / std::log2(static_cast<double>(rank) + 2.0);
  return sum / static_cast<double>(r.ties + 1);
}

Status sample_negatives(int32_t n_items, std::span<const int32_t> seen, int n, Rng& rng,
                        std::vector<int32_t>* out) {
  out->clear();
  const int64_t available = static_cast<int64_t>(n_items) - static_cast<int64_t>(seen.size());
  if (n < 0 || available < n) {
    return invalid_argument("cannot sample " + std::to_string(n) + " negatives: only " +
                            std::to_string(std::max<int64_t>(available, 0)) + " of " +
                            std::to_string(n_items) + " items are unseen by this user");
  }
  auto is_seen = [&](int32_t i) { return std::binary_search(seen.begin(), seen.end(), i); };
  if (available >= 4 * static_cast<int64_t>(n)) {
    // Rejection sampling: cheap when most items are unseen.
    std::unordered_set<int32_t> taken;
    while (static_cast<int>(out->size()) < n) {
      const auto i = static_cast<int32_t>(rng.below(static_cast<uint64_t>(n_items)));
      if (is_seen(i) || !taken.insert(i).second) continue;
      out->push_back(i);
    }
    return Status::ok();
  }
  // Few items left: partial Fisher-Yates over the unseen pool.
  std::vector<int32_t> pool;
  pool.reserve(static_cast<size_t>(available));
  for (int32_t i = 0; i < n_items; ++i) {
    if (!is_seen(i)) pool.push_back(i);
  }
  for (int j = 0; j < n; ++j) {
    const size_t pick = static_cast<size_t>(j) + rng.below(pool.size() - static_cast<size_t>(j));
    std::swap(pool[static_cast<size_t>(j)], pool[pick]);
    out->push_back(pool[static_cast<size_t>(j)]);
  }
  return Status::ok();
}

}  // namespace marketlm::recsys
