// SASRec-style training / inference windows (see seq_windows.h).
#include "marketlm/apps/recsys/seq_windows.h"

#include <algorithm>

#include "marketlm/apps/recsys/metrics.h"

namespace marketlm::recsys {

Status make_training_windows(std::span<const std::vector<int32_t>> seqs, std::span<const int32_t> users,
                             int32_t n_items, int T, Rng& rng, SeqWindows* out) {
  if (T < 1) return invalid_argument("window length T = " + std::to_string(T) + ", expected >= 1");
  out->T = T;
  out->batch = 0;
  out->user.clear();
  out->input.clear();
  out->pos.clear();
  out->neg.clear();
  std::vector<int32_t> seen, one;
  for (int32_t u : users) {
    if (u < 0 || static_cast<size_t>(u) >= seqs.size()) {
      return invalid_argument("user index " + std::to_string(u) + " outside [0, " + std::to_string(seqs.size()) + ")");
    }
    const auto& s = seqs[static_cast<size_t>(u)];
    if (s.size() < 2) continue;
    seen = s;
    std::sort(seen.begin(), seen.end());
    seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
    const size_t base = out->input.size();
    out->input.resize(base + static_cast<size_t>(T), 0);
    out->pos.resize(base + static_cast<size_t>(T), 0);
    out->neg.resize(base + static_cast<size_t>(T), 0);
    const size_t steps = std::min(s.size() - 1, static_cast<size_t>(T));
    for (size_t k = 0; k < steps; ++k) {
      // Step k from the end: input s[L-2-k], next item s[L-1-k].
      const size_t slot = base + static_cast<size_t>(T) - 1 - k;
      out->input[slot] = s[s.size() - 2 - k] + 1;
      out->pos[slot] = s[s.size() - 1 - k] + 1;
      ML_RETURN_IF_ERROR(sample_negatives(n_items, seen, 1, rng, &one));
      out->neg[slot] = one[0] + 1;
    }
    out->user.push_back(u);
    ++out->batch;
  }
  return Status::ok();
}

std::vector<int32_t> make_inference_window(std::span<const int32_t> history, int T) {
  std::vector<int32_t> w(static_cast<size_t>(std::max(T, 0)), 0);
  const size_t n = std::min(history.size(), w.size());
  for (size_t k = 0; k < n; ++k) w[w.size() - 1 - k] = history[history.size() - 1 - k] + 1;
  return w;
}

}  // namespace marketlm::recsys
