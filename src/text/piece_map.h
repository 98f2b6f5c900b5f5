// Byte string -> uint64 value, tuned for short keys (pre-tokens): a 16-byte
// slot holds the key's first 8 bytes, its length and a hash tag, so keys of
// up to 8 bytes are matched without touching other memory. Longer keys
// compare the rest against a byte pool. No erase.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "text/flat_map.h"

namespace marketlm::text {

class PieceMap {
 public:
  static uint64_t prefix8(std::string_view k) {
    uint64_t p = 0;
    std::memcpy(&p, k.data(), k.size() < 8 ? k.size() : 8);
    return p;
  }
  static uint64_t hash(std::string_view k) {
    if (k.size() <= 8) return mix64(prefix8(k) ^ (static_cast<uint64_t>(k.size()) << 58) ^ 0x51ED270B27D2A5C3ULL);
    return hash_bytes(k.data(), k.size());
  }
  size_t size() const { return values_.size(); }
  void clear() {
    slots_.clear();
    values_.clear();
    key_off_.clear();
    pool_.clear();
    mask_ = 0;
  }
  const uint64_t* find(std::string_view k, uint64_t h) const {
    if (slots_.empty() || k.size() > 255) return nullptr;
    const uint64_t pre = prefix8(k);
    const uint32_t lt = len_tag(k.size(), h);
    size_t i = h & mask_;
    while (true) {
      const Slot& s = slots_[i];
      if (s.len_tag == lt && s.prefix == pre &&
          (k.size() <= 8 || std::memcmp(pool_.data() + key_off_[s.entry], k.data() + 8, k.size() - 8) == 0)) {
        return &values_[s.entry];
      }
      if (s.len_tag == kEmpty) return nullptr;
      i = (i + 1) & mask_;
    }
  }
  // Inserts a new key (the caller has checked that it is absent); keys
  // longer than 255 bytes are not stored.
  void insert(std::string_view k, uint64_t h, uint64_t value) {
    if (k.size() > 255) return;
    if ((values_.size() + 1) * 5 > slots_.size() * 4) grow();
    auto entry = static_cast<uint32_t>(values_.size());
    values_.push_back(value);
    key_off_.push_back(static_cast<uint32_t>(pool_.size()));
    if (k.size() > 8) pool_.append(k.data() + 8, k.size() - 8);
    place({prefix8(k), len_tag(k.size(), h), entry}, h);
    hashes_.push_back(h);
  }

 private:
  static constexpr uint32_t kEmpty = 0xffffffffu;
  struct Slot {
    uint64_t prefix = 0;
    uint32_t len_tag = kEmpty;  // length in the low 8 bits, hash tag above
    uint32_t entry = 0;
  };
  static uint32_t len_tag(size_t len, uint64_t h) {
    uint32_t v = (static_cast<uint32_t>(h >> 40) & 0xffffff00u) | static_cast<uint32_t>(len);
    return v == kEmpty ? v - 256 : v;
  }
  void place(const Slot& s, uint64_t h) {
    size_t i = h & mask_;
    while (slots_[i].len_tag != kEmpty) i = (i + 1) & mask_;
    slots_[i] = s;
  }
  void grow() {
    size_t cap = slots_.empty() ? 256 : slots_.size() * 2;
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(cap, Slot{});
    mask_ = cap - 1;
    for (const Slot& s : old) {
      if (s.len_tag != kEmpty) place(s, hashes_[s.entry]);
    }
  }
  std::vector<Slot> slots_;
  std::vector<uint64_t> values_;
  std::vector<uint32_t> key_off_;
  std::vector<uint64_t> hashes_;
  std::string pool_;
  size_t mask_ = 0;
};

}  // namespace marketlm::text
