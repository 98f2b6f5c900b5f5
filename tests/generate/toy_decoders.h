// Toy decoders for the generation tests. Each slot's "cache" is the token
// history itself, and logits are a pure function of the visible history, so a
// slot mix-up, a missed copy or a stale row in the engine shows up as wrong
// logits. They also check the Decoder contract on every call and count calls.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "marketlm/generate/decoder.h"

namespace marketlm::testing {

class HistoryDecoder : public Decoder {
 public:
  HistoryDecoder(int vocab, int max_pos, int max_slots)
      : vocab_(vocab), max_pos_(max_pos), max_slots_(max_slots), slots_(max_slots) {}

  // The logits that follow `history` (prompt + generated).
  virtual void logits_for(const std::vector<int32_t>& history, float* out) const = 0;

  std::vector<float> logits_of(const std::vector<int32_t>& history) const {
    std::vector<float> v(vocab_);
    logits_for(history, v.data());
    return v;
  }

  int vocab_size() const override { return vocab_; }
  int max_positions() const override { return max_pos_; }
  int max_slots() const override { return max_slots_; }

  Status reserve(int n_slots, int n_positions) override {
    EXPECT_GE(n_slots, 1);
    EXPECT_LE(n_slots, max_slots_);
    EXPECT_LE(n_positions, max_pos_);
    reserved_slots = n_slots;
    ++reserve_calls;
    return Status::ok();
  }
  Status prefill(int slot, std::span<const int32_t> ids, float* last_logits) override {
    EXPECT_TRUE(slot >= 0 && slot < reserved_slots) << "slot " << slot;
    EXPECT_GE(ids.size(), 1u);
    EXPECT_LE(static_cast<int>(ids.size()), max_pos_);
    slots_[slot].assign(ids.begin(), ids.end());
    logits_for(slots_[slot], last_logits);
    ++prefill_calls;
    return Status::ok();
  }
  Status decode(std::span<const int> slots, std::span<const int32_t> tokens, float* logits) override {
    EXPECT_EQ(slots.size(), tokens.size());
    for (size_t i = 0; i < slots.size(); ++i) {
      const int s = slots[i];
      EXPECT_TRUE(s >= 0 && s < reserved_slots) << "slot " << s;
      for (size_t j = 0; j < i; ++j) EXPECT_NE(slots[j], s) << "slot twice in one batch";
      EXPECT_FALSE(slots_[s].empty()) << "decode on an empty slot " << s;
      EXPECT_LT(static_cast<int>(slots_[s].size()), max_pos_);
      EXPECT_TRUE(tokens[i] >= 0 && tokens[i] < vocab_);
      slots_[s].push_back(tokens[i]);
      logits_for(slots_[s], logits + i * vocab_);
    }
    ++decode_calls;
    max_batch = std::max(max_batch, static_cast<int>(slots.size()));
    return Status::ok();
  }
  Status copy_slot(int from, int to) override {
    EXPECT_TRUE(from >= 0 && from < reserved_slots && to >= 0 && to < reserved_slots);
    slots_[to] = slots_[from];
    ++copy_calls;
    return Status::ok();
  }

  // Test hook for broken decoders: drops the slot's last cached token.
  void shrink(int slot) {
    if (slots_[slot].size() > 1) slots_[slot].pop_back();
  }

  int reserve_calls = 0, reserved_slots = 0, prefill_calls = 0, decode_calls = 0, copy_calls = 0,
      max_batch = 0;

 private:
  int vocab_, max_pos_, max_slots_;
  std::vector<std::vector<int32_t>> slots_;
};

// Logits depend on the whole history through a hash: pseudo-random values in
// [-3, 3) per (history, token). Any cache bug changes them.
class HashDecoder : public HistoryDecoder {
 public:
  using HistoryDecoder::HistoryDecoder;
  void logits_for(const std::vector<int32_t>& h, float* out) const override {
    uint64_t x = 1469598103934665603ull;
    for (int32_t t : h) x = (x ^ static_cast<uint64_t>(t + 1)) * 1099511628211ull;
    for (int v = 0; v < vocab_size(); ++v) {
      uint64_t z = x + 0x9E3779B97F4A7C15ull * static_cast<uint64_t>(v + 1);
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      z ^= z >> 31;
      out[v] = static_cast<float>(static_cast<double>(z >> 11) * 0x1.0p-53 * 6.0 - 3.0);
    }
  }
};

// Bigram table: logits depend on the last token only (table[last*V + v]).
class TableDecoder : public HistoryDecoder {
 public:
  TableDecoder(int vocab, int max_pos, int max_slots, std::vector<float> table)
      : HistoryDecoder(vocab, max_pos, max_slots), table_(std::move(table)) {}
  void logits_for(const std::vector<int32_t>& h, float* out) const override {
    const int v = vocab_size();
    for (int i = 0; i < v; ++i) out[i] = table_[static_cast<size_t>(h.back()) * v + i];
  }

 private:
  std::vector<float> table_;
};

// Follows a script: after a history of length prompt_len + k it strongly
// prefers script[k] (logit 10, others 0); past the script it prefers `tail`.
class ScriptDecoder : public HistoryDecoder {
 public:
  ScriptDecoder(int vocab, int max_pos, int max_slots, int prompt_len, std::vector<int32_t> script,
                int32_t tail = 0)
      : HistoryDecoder(vocab, max_pos, max_slots), plen_(prompt_len), script_(std::move(script)),
        tail_(tail) {}
  void logits_for(const std::vector<int32_t>& h, float* out) const override {
    const size_t k = h.size() - plen_;
    for (int i = 0; i < vocab_size(); ++i) out[i] = 0.0f;
    out[k < script_.size() ? script_[k] : tail_] = 10.0f;
  }

 private:
  size_t plen_;
  std::vector<int32_t> script_;
  int32_t tail_;
};

}  // namespace marketlm::testing
