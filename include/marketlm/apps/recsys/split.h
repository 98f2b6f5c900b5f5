// Leave-one-out split, as in SASRec (Kang & McAuley 2018): for each user with
// at least 3 actions the last item is the test target, the one before it the
// validation target and the rest is training data. Users with 1 or 2 actions
// keep everything in training and are not evaluated.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "marketlm/apps/recsys/data.h"

namespace marketlm::recsys {

inline constexpr int32_t kNoItem = -1;

struct LeaveOneOutSplit {
  std::vector<std::vector<int32_t>> train;  // per user, oldest first
  std::vector<int32_t> valid;               // per user, kNoItem when not evaluated
  std::vector<int32_t> test;                // per user, kNoItem when not evaluated
  int32_t n_items = 0;

  int32_t n_users() const { return static_cast<int32_t>(train.size()); }
  // Users with a test target.
  std::vector<int32_t> eval_users() const;
};

LeaveOneOutSplit leave_one_out(const SequenceData& data);

// Which target an evaluation predicts.
enum class EvalTarget { kValid, kTest };

// The model's input history for `user` when predicting `target`:
// train[user] for kValid, train[user] + valid[user] for kTest.
std::vector<int32_t> eval_history(const LeaveOneOutSplit& split, int32_t user, EvalTarget target);

}  // namespace marketlm::recsys
