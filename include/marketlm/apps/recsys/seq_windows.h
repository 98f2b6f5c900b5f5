// Fixed-length training and inference windows for self-attentive sequential
// models (SASRec), in the layout of tests/reference/sasrec_reference.py:
// items are shifted by one so that 0 means padding, and short sequences are
// left-padded to length T.
//
// For a training sequence s_0..s_{L-1} (L >= 2) the window holds the last T
// steps of   input = s_0..s_{L-2},   pos = s_1..s_{L-1}   (next item at each
// step) and one negative per non-padded step, drawn uniformly from the items
// the user never interacted with in s. Users with fewer than 2 items are
// skipped (nothing to predict).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "marketlm/core/rng.h"
#include "marketlm/core/status.h"

namespace marketlm::recsys {

struct SeqWindows {
  int64_t batch = 0;          // windows written
  int T = 0;                  // window length
  std::vector<int32_t> user;  // batch: the sequence index of each window
  std::vector<int32_t> input, pos, neg;  // batch * T, 0 = padding, else item + 1
};

// Windows for `users` (indices into seqs), in that order.
Status make_training_windows(std::span<const std::vector<int32_t>> seqs, std::span<const int32_t> users,
                             int32_t n_items, int T, Rng& rng, SeqWindows* out);

// The inference input for `history`: its last T items, shifted, left-padded.
std::vector<int32_t> make_inference_window(std::span<const int32_t> history, int T);

}  // namespace marketlm::recsys
