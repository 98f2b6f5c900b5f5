// (left id, right id) -> (merge rank, merged id), built once then read-only.
// Lookups are the merge loop's main cost, so the table is kept small: when
// every id fits in 16 bits a slot is 8 bytes (32-bit key + rank), otherwise
// 16 bytes; the merged id comes from a dense array indexed by rank, and pairs
// of ids below 256 (GPT-2's byte tokens) use a direct 256 x 256 table.
#pragma once

#include <cstdint>
#include <vector>

#include "text/flat_map.h"

namespace marketlm::text {

class PairMap {
 public:
  struct Value {
    int32_t rank = -1;  // -1: no such merge
    int32_t id = -1;
  };

  // Prepares for up to n merges whose ids are all <= max_id.
  void reset(size_t n, int32_t max_id) {
    compact_ = max_id < 0xffff;
    size_t cap = 16;
    while (cap * 3 < n * 4 + 4) cap <<= 1;
    mask_ = cap - 1;
    size_ = 0;
    slots32_.assign(compact_ ? cap : 0, kEmpty);
    slots64_.assign(compact_ ? 0 : cap, Slot64{});
    small_.assign(256 * 256, -1);
    filter_.assign(kFilterBits / 64, 0);
    merged_.clear();
    merged_.reserve(n);
  }
  // Adds the merge of the next rank (ranks count up from 0 in call order).
  // Returns false for a pair already present: it keeps its first rank.
  bool add(int32_t a, int32_t b, int32_t merged_id) {
    auto rank = static_cast<int32_t>(merged_.size());
    merged_.push_back(merged_id);
    if (find(a, b).rank >= 0) return false;
    if (compact_) {
      uint32_t key = key32(a, b);
      size_t i = mix64(key) & mask_;
      while (slots32_[i] != kEmpty) i = (i + 1) & mask_;
      slots32_[i] = (static_cast<uint64_t>(key) << 32) | static_cast<uint32_t>(rank);
    } else {
      uint64_t key = key64(a, b);
      size_t i = mix64(key) & mask_;
      while (slots64_[i].key != kEmpty) i = (i + 1) & mask_;
      slots64_[i] = {key, rank};
    }
    if (static_cast<uint32_t>(a) < 256 && static_cast<uint32_t>(b) < 256) small_[a * 256 + b] = rank;
    uint64_t f = filter_bit(a, b);
    filter_[f >> 6] |= 1ULL << (f & 63);
    ++size_;
    return true;
  }
  Value find(int32_t a, int32_t b) const {
    int32_t rank = find_rank(a, b);
    return rank < 0 ? Value{} : Value{rank, merged_[rank]};
  }
  int32_t find_rank(int32_t a, int32_t b) const {
    if (static_cast<uint32_t>(a) < 256 && static_cast<uint32_t>(b) < 256) return small_[a * 256 + b];
    // Most pairs have no merge; a 128 KB bit filter answers those without
    // touching the larger table.
    uint64_t f = filter_bit(a, b);
    if (!(filter_[f >> 6] & (1ULL << (f & 63)))) return -1;
    if (compact_) {
      if (static_cast<uint32_t>(a) >= 0xffff || static_cast<uint32_t>(b) >= 0xffff) return -1;
      uint32_t key = key32(a, b);
      size_t i = mix64(key) & mask_;
      while (true) {
        uint64_t s = slots32_[i];
        if (static_cast<uint32_t>(s >> 32) == key) return static_cast<int32_t>(s & 0xffffffffu);
        if (s == kEmpty) return -1;
        i = (i + 1) & mask_;
      }
    }
    uint64_t key = key64(a, b);
    size_t i = mix64(key) & mask_;
    while (true) {
      const Slot64& s = slots64_[i];
      if (s.key == key) return s.rank;
      if (s.key == kEmpty) return -1;
      i = (i + 1) & mask_;
    }
  }
  int32_t merged_id(int32_t rank) const { return merged_[rank]; }
  size_t size() const { return size_; }

 private:
  static constexpr uint64_t kEmpty = ~0ULL;
  struct Slot64 {
    uint64_t key = kEmpty;
    int32_t rank = -1;
  };
  static constexpr uint64_t kFilterBits = uint64_t{1} << 20;
  static uint64_t filter_bit(int32_t a, int32_t b) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(a)) * 0x9E3779B97F4A7C15ULL ^
            static_cast<uint64_t>(static_cast<uint32_t>(b)) * 0xC2B2AE3D27D4EB4FULL) >> 44;
  }
  static uint32_t key32(int32_t a, int32_t b) {
    return (static_cast<uint32_t>(a) << 16) | static_cast<uint32_t>(b);
  }
  static uint64_t key64(int32_t a, int32_t b) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
  }
  bool compact_ = true;
  std::vector<uint64_t> slots32_;
  std::vector<Slot64> slots64_;
  std::vector<int32_t> small_;
  std::vector<uint64_t> filter_;
  std::vector<int32_t> merged_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace marketlm::text
