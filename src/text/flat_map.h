// Small open-addressing hash maps for the tokenizer's hot paths: pair -> merge
// and byte string -> value. Linear probing, power-of-two capacity, no erase.
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

// (left id, right id) -> (merge rank, merged id), built once then read-only.
// Lookups are the merge loop's main cost, so the table is kept small: when
// every id fits in 16 bits a slot is 8 bytes (32-bit key + rank), otherwise
// 16 bytes; the merged id comes from a dense array indexed by rank, and pairs
// of ids below 256 (GPT-2's byte tokens) use a direct 256 x 256 table.
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

namespace marketlm::text {

// Byte string -> uint64 value, tuned for short keys (pre-tokens): a 16-byte
// slot holds the key's first 8 bytes, its length and a hash tag, so keys of
// up to 8 bytes are matched without touching other memory. Longer keys
// compare the rest against a byte pool. No erase.
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
