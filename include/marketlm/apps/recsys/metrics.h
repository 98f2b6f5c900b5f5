// Ranking metrics for one held-out target item, and the negative sampler of
// the sampled evaluation protocol.
//
// Ties: when other candidates score exactly the target's score, the target's
// position is taken as uniformly random among the tied places, and HR@k and
// NDCG@k are their exact expectations. (A model that scores everything equal
// therefore gets the random-ranking value, not 1 or 0.)
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "marketlm/core/rng.h"
#include "marketlm/core/status.h"

namespace marketlm::recsys {

struct RankCounts {
  int64_t greater = 0;  // candidates scored strictly above the target
  int64_t ties = 0;     // other candidates scored exactly the same
};

// Counts over `others` (the target itself is not in it). NaN scores count as
// below everything; a NaN target counts as below every other candidate.
RankCounts count_rank(float target_score, std::span<const float> others);

// Expected hit rate: P(0-based rank < k).
double hit_rate_at_k(const RankCounts& r, int k);
// Expected NDCG with one relevant item: E[1/log2(rank + 2)] over ranks < k.
double ndcg_at_k(const RankCounts& r, int k);

// Draws `n` distinct items uniformly from [0, n_items) minus `seen` (sorted,
// unique item indices the user interacted with). Fails when fewer than `n`
// items are left.
Status sample_negatives(int32_t n_items, std::span<const int32_t> seen, int n, Rng& rng,
                        std::vector<int32_t>* out);

}  // namespace marketlm::recsys
