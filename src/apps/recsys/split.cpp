// Leave-one-out split (see split.h).
#include "marketlm/apps/recsys/split.h"

namespace marketlm::recsys {

LeaveOneOutSplit leave_one_out(const SequenceData& data) {
  LeaveOneOutSplit s;
  s.n_items = data.n_items();
  const size_t n = data.seqs.size();
  s.train.resize(n);
  s.valid.assign(n, kNoItem);
  s.test.assign(n, kNoItem);
  for (size_t u = 0; u < n; ++u) {
    const auto& seq = data.seqs[u];
    if (seq.size() < 3) {
      s.train[u] = seq;
      continue;
    }
    s.train[u].assign(seq.begin(), seq.end() - 2);
    s.valid[u] = seq[seq.size() - 2];
    s.test[u] = seq.back();
  }
  return s;
}

std::vector<int32_t> LeaveOneOutSplit::eval_users() const {
  std::vector<int32_t> users;
  for (size_t u = 0; u < test.size(); ++u) {
    if (test[u] != kNoItem) users.push_back(static_cast<int32_t>(u));
  }
  return users;
}

std::vector<int32_t> eval_history(const LeaveOneOutSplit& split, int32_t user, EvalTarget target) {
  std::vector<int32_t> h = split.train[static_cast<size_t>(user)];
  if (target == EvalTarget::kTest && split.valid[static_cast<size_t>(user)] != kNoItem) {
    h.push_back(split.valid[static_cast<size_t>(user)]);
  }
  return h;
}

}  // namespace marketlm::recsys
