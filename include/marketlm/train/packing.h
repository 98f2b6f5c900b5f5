// Training data, step 2: packing tokenized documents into fixed windows of
// T + 1 tokens, splitting them into train and validation, and drawing
// shuffled batches in a reproducible, resumable order.
//
// Text documents are joined with <|endoftext|> into one stream cut into
// windows of T + 1 tokens with stride T (the last token of a window is the
// first of the next). The final partial window is padded. Prompt/completion
// pairs become [prompt, completion, <|endoftext|>] and are packed whole into
// windows (or one pair per window when pack_pairs is false), padded with
// <|endoftext|>; a pair longer than T + 1 loses the start of its prompt first.
// Each window token carries a mask bit: 1 = predict it, 0 = context or pad.
#pragma once

#include <cstdint>
#include <vector>

#include "marketlm/core/rng.h"
#include "marketlm/train/dataset.h"

namespace marketlm {

struct PackedSequences {
  int T = 0;                    // a window holds T + 1 tokens
  std::vector<int32_t> tokens;  // [count * (T + 1)]
  std::vector<uint8_t> mask;    // [count * (T + 1)]
  size_t truncated_pairs = 0;   // pairs cut to fit

  size_t count() const { return T > 0 ? tokens.size() / static_cast<size_t>(T + 1) : 0; }
  // inputs = window[0, T), targets[t] = window[t + 1] or -1 where mask[t + 1] is 0.
  void fill(size_t window, int32_t* inputs, int32_t* targets) const;
};

PackedSequences pack_sequences(const TokenizedCorpus& corpus, int T, int32_t eot_id, bool pack_pairs);

struct DataSplit {
  std::vector<uint32_t> train;  // window indices
  std::vector<uint32_t> val;
};

// Shuffles window indices with `seed` and holds out round(count * val_fraction)
// of them (at least 1 when val_fraction > 0 and there are 2+ windows).
DataSplit split_train_val(size_t count, double val_fraction, uint64_t seed);

// Draws windows from `indices` in a fresh seeded permutation each epoch.
// Its position (epoch, index) is all that a checkpoint needs to resume.
class BatchSampler {
 public:
  BatchSampler(const PackedSequences* data, std::vector<uint32_t> indices, uint64_t order_seed);

  // B windows -> inputs[B*T], targets[B*T]; returns the counted targets.
  int64_t next_batch(int B, int32_t* inputs, int32_t* targets);

  uint64_t epoch() const { return epoch_; }
  uint64_t index() const { return index_; }
  uint64_t order_seed() const { return order_seed_; }
  void set_position(uint64_t epoch, uint64_t index);

 private:
  void shuffle_for_epoch();

  const PackedSequences* data_;
  std::vector<uint32_t> indices_, order_;
  uint64_t order_seed_;
  uint64_t epoch_ = 0, index_ = 0;
};

}  // namespace marketlm
