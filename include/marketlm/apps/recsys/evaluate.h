// Offline evaluation of a SequentialRecommender on a leave-one-out split.
//
// Two protocols; every printed number carries its protocol description:
//  kSampled  the SASRec paper's protocol: the target is ranked against
//            n_negatives items drawn uniformly from those the user never
//            interacted with (train, valid or test); at most max_users users,
//            chosen by `seed` (the paper: 100 negatives, 10,000 users).
//  kFull     the target is ranked against every item except those in the
//            user's input history (the target itself is always a candidate).
// HR@k and NDCG@k use exact expected values under random tie-breaking
// (metrics.h). Results depend only on seed, never on the thread count.
#pragma once

#include <cstdint>
#include <string>

#include "marketlm/apps/recsys/recommender.h"
#include "marketlm/apps/recsys/split.h"
#include "marketlm/core/context.h"

namespace marketlm::recsys {

enum class Protocol { kSampled, kFull };

struct EvalOptions {
  Protocol protocol = Protocol::kSampled;
  EvalTarget target = EvalTarget::kTest;
  int k = 10;
  int n_negatives = 100;
  int64_t max_users = 10000;  // 0 = all users with a target
  uint64_t seed = 42;
  // Users scored per SequentialRecommender::score_batch call (1 = one by
  // one), at most 2^23 / n_items. Only speed depends on it: each user's
  // scores are the same (SASRec: up to float rounding of its matrix products).
  int score_batch = 32;
};

struct EvalResult {
  EvalOptions options;
  int64_t n_users = 0;       // users evaluated
  int64_t n_skipped = 0;     // sampled: users with fewer unseen items than n_negatives
  int64_t n_candidates = 0;  // full: items; sampled: 1 + n_negatives
  double hr = 0, ndcg = 0;
  double seconds = 0;        // scoring wall time
  // e.g. "sampled: target vs 100 uniform unseen negatives, 10000 users, test"
  std::string protocol_description() const;
};

const char* protocol_name(Protocol p);
const char* target_name(EvalTarget t);

// `user_map[u]` is the model's user index for split user u (-1 = unknown to
// the model; an empty map means the identity). Fails when the split's item
// count differs from the model's or no user has a target.
Result<EvalResult> evaluate(const SequentialRecommender& model, const LeaveOneOutSplit& split,
                            const EvalOptions& options, const Context& ctx,
                            std::span<const int32_t> user_map = {});

}  // namespace marketlm::recsys
