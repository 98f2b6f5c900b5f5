// Hashing helpers and BytesMap, a general byte string -> value map (used for
// vocabulary lookups and the trainer's counts). Linear probing, power-of-two
// capacity, no erase. The encode hot path uses pair_map.h and piece_map.h.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace marketlm::text {

inline uint64_t mix64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

inline uint64_t hash_bytes(const char* p, size_t n) {
  uint64_t h = 0x9E3779B97F4A7C15ULL ^ (n * 0x100000001B3ULL);
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = mix64(h ^ w) + 0x632BE59BD9B4E019ULL;
    p += 8;
    n -= 8;
  }
  if (n > 0) {
    uint64_t w = 0;
    std::memcpy(&w, p, n);
    h = mix64(h ^ w ^ (static_cast<uint64_t>(n) << 59));
  }
  return h;
}

// byte string -> uint64 value; keys are copied into an internal pool.
class BytesMap {
 public:
  void clear() {
    slots_.clear();
    pool_.clear();
    size_ = 0;
    mask_ = 0;
  }
  size_t size() const { return size_; }
  const uint64_t* find(std::string_view key) const { return find(key, hash_bytes(key.data(), key.size())); }
  const uint64_t* find(std::string_view key, uint64_t h) const {
    if (slots_.empty()) return nullptr;
    size_t i = h & mask_;
    while (true) {
      const Slot& s = slots_[i];
      if (s.len == kEmptyLen) return nullptr;
      if (s.hash == h && s.len == key.size() && std::memcmp(pool_.data() + s.off, key.data(), s.len) == 0)
        return &s.value;
      i = (i + 1) & mask_;
    }
  }
  // Calls fn(key, value) for every entry, in slot order.
  template <typename Fn>
  void for_each(Fn&& fn) const {
    for (const Slot& s : slots_) {
      if (s.len != kEmptyLen) fn(std::string_view(pool_.data() + s.off, s.len), s.value);
    }
  }
  // Adds delta to the value of key (inserting it at 0 first).
  void add(std::string_view key, uint64_t h, uint64_t delta) {
    if (!slots_.empty()) {
      for (size_t i = h & mask_;; i = (i + 1) & mask_) {
        Slot& s = slots_[i];
        if (s.len == kEmptyLen) break;
        if (s.hash == h && s.len == key.size() && std::memcmp(pool_.data() + s.off, key.data(), s.len) == 0) {
          s.value += delta;
          return;
        }
      }
    }
    put(key, h, delta);
  }
  // Inserts or overwrites.
  void put(std::string_view key, uint64_t value) { put(key, hash_bytes(key.data(), key.size()), value); }
  void put(std::string_view key, uint64_t h, uint64_t value) {
    if (slots_.empty() || (size_ + 1) * 2 > slots_.size()) grow();
    size_t i = h & mask_;
    while (slots_[i].len != kEmptyLen) {
      Slot& s = slots_[i];
      if (s.hash == h && s.len == key.size() && std::memcmp(pool_.data() + s.off, key.data(), s.len) == 0) {
        s.value = value;
        return;
      }
      i = (i + 1) & mask_;
    }
    Slot& s = slots_[i];
    s.hash = h;
    s.off = pool_.size();
    s.len = static_cast<uint32_t>(key.size());
    s.value = value;
    pool_.append(key.data(), key.size());
    ++size_;
  }

 private:
  static constexpr uint32_t kEmptyLen = 0xffffffffu;
  struct Slot {
    uint64_t hash = 0;
    uint64_t off = 0;
    uint64_t value = 0;
    uint32_t len = kEmptyLen;
  };
  void grow() {
    std::vector<Slot> old = std::move(slots_);
    size_t cap = old.empty() ? 64 : old.size() * 2;
    slots_.assign(cap, Slot{});
    mask_ = cap - 1;
    for (const Slot& s : old) {
      if (s.len == kEmptyLen) continue;
      size_t i = s.hash & mask_;
      while (slots_[i].len != kEmptyLen) i = (i + 1) & mask_;
      slots_[i] = s;
    }
  }
  std::vector<Slot> slots_;
  std::string pool_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace marketlm::text
