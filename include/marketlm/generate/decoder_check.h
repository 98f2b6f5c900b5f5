// Tools for whoever implements Decoder (the GPT model):
//  * check_decoder_contract: runs prefill / copy_slot / batched decode on a
//    real decoder and compares every decoded row with a fresh prefill of the
//    same history. Use it in the model's tests to catch KV-cache bugs.
//  * RecomputeDecoder: a Decoder over any "logits of the last position for
//    this whole sequence" function, with no cache (every step recomputes the
//    full history). A reference to compare a cached model against, and a way
//    to generate with a model before its KV cache exists.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "marketlm/generate/decoder.h"

namespace marketlm {

struct DecoderCheckOptions {
  int n_slots = 3;            // slots forked from the prompt (the check uses one more as scratch)
  int steps = 4;              // batched decode steps
  float tolerance = 1e-4f;    // max |difference| allowed between a decoded row and a fresh prefill
  uint64_t seed = 1;          // picks the tokens fed at each step
};

// Returns ok, or kFailedPrecondition naming the slot, step, token and size of
// the first mismatch. Needs max_slots() >= n_slots + 1 and room for
// prompt.size() + steps + 1 positions. Checks: batched decode, decode of a
// subset of slots, slots forked from the prompt, a copy made mid-generation.
Status check_decoder_contract(Decoder& decoder, const std::vector<int32_t>& prompt,
                              const DecoderCheckOptions& options = {});

class RecomputeDecoder final : public Decoder {
 public:
  // logits_fn(ids, out): writes the V logits that follow the whole sequence ids.
  using LogitsFn = std::function<Status(std::span<const int32_t> ids, float* out)>;
  RecomputeDecoder(int vocab_size, int max_positions, int max_slots, LogitsFn logits_fn)
      : vocab_(vocab_size), max_pos_(max_positions), max_slots_(max_slots), fn_(std::move(logits_fn)) {}

  int vocab_size() const override { return vocab_; }
  int max_positions() const override { return max_pos_; }
  int max_slots() const override { return max_slots_; }
  Status reserve(int n_slots, int n_positions) override;
  Status prefill(int slot, std::span<const int32_t> ids, float* last_logits) override;
  Status decode(std::span<const int> slots, std::span<const int32_t> tokens, float* logits) override;
  Status copy_slot(int from, int to) override;

 private:
  Status check_slot(int slot) const;
  int vocab_, max_pos_, max_slots_;
  LogitsFn fn_;
  std::vector<std::vector<int32_t>> slots_;
};

}  // namespace marketlm
