// Decoder: the contract between the generation engine (generate.h) and a
// causal language model with a key/value cache. The GPT model implements it;
// tests implement it with small table-driven toys.
//
// Slots. A decoder holds up to max_slots() independent sequences, each in
// its own numbered slot 0..max_slots()-1 with its own cache. A slot has a
// length: the number of tokens whose keys/values it holds. prefill() sets a
// slot to a prompt, decode() appends one token to each of several slots in
// one batched step, copy_slot() forks a slot (used to share one prompt's
// cache between num_return_sequences samples or num_beams beams, and to
// reorder beams). A slot's length never exceeds max_positions().
//
// Call order used by the engine for one generate() call:
//   reserve(n_slots, n_positions)        once, before anything else
//   prefill(s0, prompt, logits)          once per prompt (redraws may re-prefill
//                                        when no spare slot was reserved)
//   copy_slot(s0, s) for the other slots
//   decode({slots}, {tokens}, logits)    once per generation step
//   copy_slot(a, b)                      beam reordering between steps
// The engine never calls two methods at once (one thread at a time); a
// decoder may use a thread pool inside a call.
//
// Logits are raw, unnormalised next-token scores (before softmax), one float
// per vocabulary entry, for the position after the last token of the slot.
// Implementations must return the same logits for the same token history no
// matter how the slot got there (prefill, decode, or copy), up to float
// rounding. check_decoder_contract() (decoder_check.h) tests an
// implementation for exactly this; RecomputeDecoder is a cache-free reference.
// Redraws (distinct_variants, force words) reset a slot to the prompt by
// copy_slot from a spare slot, or by prefill when no spare slot fits.
#pragma once

#include <cstdint>
#include <span>

#include "marketlm/core/status.h"

namespace marketlm {

class Decoder {
 public:
  virtual ~Decoder() = default;

  // V: the number of logits per position; token ids are in [0, V).
  virtual int vocab_size() const = 0;
  // n_ctx: the most tokens one slot can hold (prompt + generated).
  virtual int max_positions() const = 0;
  // How many slots this decoder can hold at once (>= 1).
  virtual int max_slots() const = 0;

  // Called once at the start of generate(): the engine will use slots
  // 0..n_slots-1 and at most n_positions tokens in each. The decoder may
  // allocate its caches here. Returns kResourceExhausted (or kOutOfRange) with
  // a message when it cannot; must accept any n_slots <= max_slots() and
  // n_positions <= max_positions() unless memory runs out.
  virtual Status reserve(int n_slots, int n_positions) = 0;

  // Replaces the contents of `slot` with `ids` (1 <= ids.size() <=
  // max_positions()) and writes the logits that follow the last id to
  // last_logits[0..V).
  virtual Status prefill(int slot, std::span<const int32_t> ids, float* last_logits) = 0;

  // One batched step: appends tokens[i] to slots[i] for every i (the slots are
  // distinct and each has length >= 1 and < max_positions()), and writes the
  // logits that follow each appended token to logits[i*V .. (i+1)*V).
  virtual Status decode(std::span<const int> slots, std::span<const int32_t> tokens,
                        float* logits) = 0;

  // Makes slot `to` an exact copy of slot `from` (cache contents and length);
  // `from` is unchanged. from == to is a no-op.
  virtual Status copy_slot(int from, int to) = 0;
};

}  // namespace marketlm
