// Tokenizer: encode (pre-tokenize, cache, merge), special tokens, parallel
// encode and decode. Loading and saving live in tokenizer_io.cpp.
#include "marketlm/text/tokenizer.h"

#include <algorithm>
#include <array>
#include <mutex>

#include "marketlm/core/thread_pool.h"
#include "text/bpe_model.h"
#include "marketlm/text/byte_level.h"
#include "text/pretokenizer_impl.h"

namespace marketlm {
namespace {

// Pre-token -> ids memo for one encode call (or one thread of one call).
constexpr size_t kMaxCachedPiece = 12;  // bytes

struct EncodeCache {
  static constexpr size_t kMaxEntries = 1 << 18;
  text::PieceMap map;  // piece -> (offset << 32 | count) into ids
  std::vector<int32_t> ids;

  bool lookup(std::string_view piece, uint64_t h, std::vector<int32_t>& out) {
    const uint64_t* v = map.find(piece, h);
    if (!v) return false;
    const int32_t* p = ids.data() + (*v >> 32);
    out.insert(out.end(), p, p + (*v & 0xffffffffu));
    return true;
  }
  void store(std::string_view piece, uint64_t h, const int32_t* first, size_t n) {
    if (map.size() >= kMaxEntries) return;
    uint64_t off = ids.size();
    ids.insert(ids.end(), first, first + n);
    map.insert(piece, h, (off << 32) | n);
  }
};

// The cache shared by the threads of one encode_parallel call, so a word
// merged by one thread is reused by the others instead of being merged again
// (most of the cost of a cold cache). Sharded by hash, one mutex per shard;
// only pieces that are not whole vocabulary entries reach it.
struct SharedEncodeCache {
  static constexpr size_t kShards = 64;
  struct Shard {
    std::mutex mu;
    EncodeCache cache;
  };
  std::array<Shard, kShards> shards;

  Shard& shard(uint64_t h) { return shards[(h >> 58) & (kShards - 1)]; }
  bool lookup(std::string_view piece, uint64_t h, std::vector<int32_t>& out) {
    Shard& s = shard(h);
    std::lock_guard<std::mutex> lock(s.mu);
    return s.cache.lookup(piece, h, out);
  }
  void store(std::string_view piece, uint64_t h, const int32_t* first, size_t n) {
    Shard& s = shard(h);
    std::lock_guard<std::mutex> lock(s.mu);
    if (s.cache.map.find(piece, h)) return;  // another thread stored it first
    s.cache.store(piece, h, first, n);
  }
};

// One thread's view: its own cache first (no lock), then the shared one; a
// piece found in or merged for the shared cache is kept locally too.
struct ThreadEncodeCache {
  EncodeCache local;
  SharedEncodeCache* shared;

  bool lookup(std::string_view piece, uint64_t h, std::vector<int32_t>& out) {
    if (local.lookup(piece, h, out)) return true;
    const size_t before = out.size();
    if (!shared->lookup(piece, h, out)) return false;
    local.store(piece, h, out.data() + before, out.size() - before);
    return true;
  }
  void store(std::string_view piece, uint64_t h, const int32_t* first, size_t n) {
    local.store(piece, h, first, n);
    shared->store(piece, h, first, n);
  }
};

// Encodes text with no special-token parsing.
template <bool kCjk, typename Cache>
void encode_ordinary_impl(const BpeData& d, std::string_view text, Cache& cache, std::vector<int32_t>& out) {
  size_t pos = 0;
  const size_t n = text.size();
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  while (pos < n) {
    size_t end = text::token_end<kCjk>(s, n, pos, d.pre.cjk_chunk);
    std::string_view piece = text.substr(pos, end - pos);
    pos = end;
    if (piece.size() == 1) {
      out.push_back(d.byte_id[static_cast<unsigned char>(piece[0])]);
      continue;
    }
    uint64_t h = text::PieceMap::hash(piece);
    if (d.whole_piece_shortcut) {
      if (const uint64_t* id = d.piece_to_id.find(piece, h)) {
        out.push_back(static_cast<int32_t>(*id));
        continue;
      }
    }
    // Only pieces of up to kMaxCachedPiece bytes are cached, so longer ones skip the lookup.
    const bool cacheable = piece.size() <= kMaxCachedPiece;
    if (cacheable && cache.lookup(piece, h, out)) continue;
    size_t before = out.size();
    bpe_merge(d, piece, out);
    if (cacheable) cache.store(piece, h, out.data() + before, out.size() - before);
  }
}

template <typename Cache>
void encode_ordinary(const BpeData& d, std::string_view text, Cache& cache, std::vector<int32_t>& out) {
  if (d.pre.cjk_chunk > 0) {
    encode_ordinary_impl<true>(d, text, cache, out);
  } else {
    encode_ordinary_impl<false>(d, text, cache, out);
  }
}

// A special (or always-matched added) token found in text.
struct Match {
  size_t pos = std::string_view::npos;
  size_t len = 0;
  int32_t id = -1;
};

// Finds added tokens in text left to right (longest at equal start).
class AddedScanner {
 public:
  AddedScanner(const BpeData& d, std::string_view text, bool allow_special) : text_(text) {
    for (const AddedToken& a : d.added) {
      if (a.special && !allow_special) continue;
      toks_.push_back(&a);
      next_.push_back(text.find(a.content));
    }
  }
  bool empty() const { return toks_.empty(); }
  // The earliest match at or after `from` (npos when none).
  Match next(size_t from) {
    Match best;
    for (size_t k = 0; k < toks_.size(); ++k) {
      // An occurrence before `from` is stale; npos stays npos for later starts.
      if (next_[k] != std::string_view::npos && next_[k] < from) next_[k] = text_.find(toks_[k]->content, from);
      size_t p = next_[k];
      if (p == std::string_view::npos) continue;
      if (p < best.pos || (p == best.pos && toks_[k]->content.size() > best.len)) {
        best = {p, toks_[k]->content.size(), toks_[k]->id};
      }
    }
    return best;
  }

 private:
  std::string_view text_;
  std::vector<const AddedToken*> toks_;
  std::vector<size_t> next_;
};

// Splits text into ordinary segments and added-token ids, in order.
template <typename OnText, typename OnToken>
void split_added(const BpeData& d, std::string_view text, bool allow_special, OnText on_text, OnToken on_token) {
  AddedScanner scan(d, text, allow_special);
  if (scan.empty()) {
    on_text(text);
    return;
  }
  size_t pos = 0;
  while (pos < text.size()) {
    Match m = scan.next(pos);
    if (m.pos == std::string_view::npos) break;
    if (m.pos > pos) on_text(text.substr(pos, m.pos - pos));
    on_token(m.id);
    pos = m.pos + m.len;
  }
  if (pos < text.size()) on_text(text.substr(pos));
}

}  // namespace

Tokenizer::Tokenizer() = default;
Tokenizer::~Tokenizer() = default;
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;
Tokenizer::Tokenizer(const Tokenizer&) = default;
Tokenizer& Tokenizer::operator=(const Tokenizer&) = default;

std::vector<int32_t> Tokenizer::encode(std::string_view text, bool allow_special) const {
  std::vector<int32_t> out;
  if (!data_) return out;
  out.reserve(text.size() / 2 + 16);
  EncodeCache cache;
  split_added(
      *data_, text, allow_special, [&](std::string_view seg) { encode_ordinary(*data_, seg, cache, out); },
      [&](int32_t id) { out.push_back(id); });
  return out;
}

Result<std::vector<int32_t>> Tokenizer::encode_checked(std::string_view text, SpecialPolicy policy) const {
  if (!data_) return failed_precondition("tokenizer is empty (not loaded)");
  if (policy == SpecialPolicy::kDisallow) {
    for (const AddedToken& a : data_->added) {
      if (!a.special) continue;
      size_t p = text.find(a.content);
      if (p != std::string_view::npos) {
        return invalid_argument("text contains the special token '" + a.content + "' at byte offset " +
                                std::to_string(p) +
                                "; allow special tokens to parse it, or encode it as plain text");
      }
    }
  }
  return encode(text, policy == SpecialPolicy::kAllow);
}

std::vector<int32_t> Tokenizer::encode_parallel(std::string_view text, ThreadPool* pool, bool allow_special) const {
  constexpr size_t kMinPart = 1 << 16;
  if (!data_ || !pool || pool->size() <= 1 || text.size() < 2 * kMinPart) return encode(text, allow_special);
  // Cut into about one part per thread at boundaries the pre-tokenizer
  // cannot cross: after added tokens, and at find_safe_cut() positions.
  struct Part {
    std::string_view text;  // ordinary text, or empty for an added token
    int32_t id = -1;
  };
  std::vector<Part> parts;
  const size_t target = std::max(kMinPart, text.size() / static_cast<size_t>(pool->size()) + 1);
  auto add_text = [&](std::string_view seg) {
    while (seg.size() > target + target / 2) {
      size_t cut = find_safe_cut(seg, target, std::min(seg.size(), target + target / 2));
      if (cut == std::string_view::npos) break;
      parts.push_back({seg.substr(0, cut), -1});
      seg.remove_prefix(cut);
    }
    if (!seg.empty()) parts.push_back({seg, -1});
  };
  split_added(*data_, text, allow_special, add_text, [&](int32_t id) { parts.push_back({{}, id}); });
  std::vector<std::vector<int32_t>> outs(parts.size());
  const BpeData& d = *data_;
  SharedEncodeCache shared;
  pool->parallel_for(static_cast<int64_t>(parts.size()), [&](int64_t b, int64_t e, int) {
    ThreadEncodeCache cache{{}, &shared};
    for (int64_t i = b; i < e; ++i) {
      if (parts[i].id >= 0) {
        outs[i].push_back(parts[i].id);
      } else {
        // Encode into a vector of this thread's own and move it in at the
        // end: the headers outs[i] and outs[i + 1] share a cache line, and
        // pushing through them from two cores bounced that line on every
        // token (two threads ran at ~0.7x the speed of one each).
        std::vector<int32_t> ids;
        ids.reserve(parts[i].text.size() / 2 + 16);
        encode_ordinary(d, parts[i].text, cache, ids);
        outs[i] = std::move(ids);
      }
    }
  });
  size_t total = 0;
  for (const auto& o : outs) total += o.size();
  std::vector<int32_t> out;
  out.reserve(total);
  for (const auto& o : outs) out.insert(out.end(), o.begin(), o.end());
  return out;
}

std::string Tokenizer::decode(const std::vector<int32_t>& ids, bool skip_special_tokens) const {
  std::string out;
  if (!data_) return out;
  const BpeData& d = *data_;
  const auto n = static_cast<int32_t>(d.bytes.size());
  for (int32_t id : ids) {
    if (id < 0 || id >= n) continue;
    if (skip_special_tokens && d.special[id]) continue;
    out += d.bytes[id];
  }
  return out;
}

std::string Tokenizer::id_to_bytes(int32_t id) const {
  if (!data_ || id < 0 || id >= static_cast<int32_t>(data_->bytes.size())) return {};
  return data_->bytes[id];
}

std::string Tokenizer::id_to_token(int32_t id) const {
  if (!data_ || id < 0 || id >= static_cast<int32_t>(data_->tokens.size())) return {};
  return data_->tokens[id];
}

int Tokenizer::vocab_size() const { return data_ ? static_cast<int>(data_->tokens.size()) : 0; }

std::optional<int32_t> Tokenizer::token_to_id(std::string_view token) const {
  if (!data_) return std::nullopt;
  if (const uint64_t* id = data_->token_by_string.find(token)) return static_cast<int32_t>(*id);
  if (const uint64_t* id = data_->token_by_bytes.find(token)) return static_cast<int32_t>(*id);
  return std::nullopt;
}

const std::vector<AddedToken>& Tokenizer::added_tokens() const {
  static const std::vector<AddedToken> kNone;
  return data_ ? data_->added : kNone;
}

bool Tokenizer::is_special(int32_t id) const {
  return data_ && id >= 0 && id < static_cast<int32_t>(data_->special.size()) && data_->special[id];
}

const PreTokenizerConfig& Tokenizer::pre_tokenizer() const {
  static const PreTokenizerConfig kDefault;
  return data_ ? data_->pre : kDefault;
}

int Tokenizer::num_merges() const { return data_ ? static_cast<int>(data_->merges.size()) : 0; }

}  // namespace marketlm
