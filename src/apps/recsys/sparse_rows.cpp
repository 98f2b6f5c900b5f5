// CSR item -> item weights shared by the Markov and item-kNN recommenders.
#include <algorithm>

#include "apps/recsys/baselines.h"

namespace marketlm::recsys {

Status SparseRows::load(const TensorFile& in, const std::string& prefix, int32_t n_rows, int32_t n_cols) {
  ML_ASSIGN_OR_RETURN(offsets, in.get_i64(prefix + ".offsets", int64_t{n_rows} + 1));
  if (offsets.front() != 0) return data_error("tensor '" + prefix + ".offsets' must start at 0");
  for (size_t i = 1; i < offsets.size(); ++i) {
    if (offsets[i] < offsets[i - 1]) {
      return data_error("tensor '" + prefix + ".offsets' decreases at row " + std::to_string(i - 1));
    }
  }
  ML_ASSIGN_OR_RETURN(cols, in.get_i32(prefix + ".cols", offsets.back()));
  ML_ASSIGN_OR_RETURN(weights, in.get_f32(prefix + ".weights", offsets.back()));
  for (int32_t c : cols) {
    if (c < 0 || c >= n_cols) {
      return data_error("tensor '" + prefix + ".cols' holds item " + std::to_string(c) + ", outside [0, " +
                        std::to_string(n_cols) + ")");
    }
  }
  return Status::ok();
}

void SparseRows::save(TensorFile* out, const std::string& prefix) const {
  out->put_i64(prefix + ".offsets", {static_cast<int64_t>(offsets.size())}, offsets);
  out->put_i32(prefix + ".cols", {static_cast<int64_t>(cols.size())}, cols);
  out->put_f32(prefix + ".weights", {static_cast<int64_t>(weights.size())}, weights);
}

namespace {
template <typename Fn>
void for_recent(std::span<const int32_t> history, int history_len, float decay, int32_t n_rows, Fn&& fn) {
  float w = 1.0f;
  int used = 0;
  for (size_t k = history.size(); k-- > 0 && used < history_len; ++used, w *= decay) {
    const int32_t item = history[k];
    if (item < 0 || item >= n_rows) continue;
    fn(item, static_cast<int32_t>(history.size() - 1 - k), w);
  }
}
}  // namespace

void add_recent_rows(const SparseRows& rows, std::span<const int32_t> history, int history_len, float decay,
                     std::span<float> scores) {
  const auto n_rows = static_cast<int32_t>(rows.offsets.size()) - 1;
  for_recent(history, history_len, decay, n_rows, [&](int32_t item, int32_t, float w) {
    for (int64_t p = rows.offsets[static_cast<size_t>(item)]; p < rows.offsets[static_cast<size_t>(item) + 1]; ++p) {
      scores[static_cast<size_t>(rows.cols[static_cast<size_t>(p)])] += w * rows.weights[static_cast<size_t>(p)];
    }
  });
}

std::vector<Contribution> recent_row_contributions(const SparseRows& rows, std::span<const int32_t> history,
                                                   int history_len, float decay, int32_t target) {
  std::vector<Contribution> out;
  const auto n_rows = static_cast<int32_t>(rows.offsets.size()) - 1;
  for_recent(history, history_len, decay, n_rows, [&](int32_t item, int32_t steps_ago, float w) {
    const auto b = rows.cols.begin() + rows.offsets[static_cast<size_t>(item)];
    const auto e = rows.cols.begin() + rows.offsets[static_cast<size_t>(item) + 1];
    for (auto it = b; it != e; ++it) {
      if (*it == target) {
        out.push_back({item, steps_ago, w * rows.weights[static_cast<size_t>(it - rows.cols.begin())]});
        break;
      }
    }
  });
  std::stable_sort(out.begin(), out.end(), [](const Contribution& a, const Contribution& b) { return a.value > b.value; });
  return out;
}

}  // namespace marketlm::recsys
