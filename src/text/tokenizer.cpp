// Tokenizer: encode (pre-tokenize, cache, merge), special tokens, parallel
// encode and decode. Loading and saving live in tokenizer_io.cpp.
#include "marketlm/text/tokenizer.h"

#include <algorithm>
#include <cstdint>
#include <mutex>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "marketlm/core/thread_pool.h"
#include "text/bpe_model.h"
#include "marketlm/text/byte_level.h"
#include "text/pretokenizer_impl.h"

namespace marketlm {
namespace {

// encode() gives back the spare capacity of texts shorter than this.
constexpr size_t kShrinkBelow = 1 << 20;

// Reserves room for n ids. Large id vectors are written once, front to back,
// and first touches of fresh pages were a tenth of the encode time (about 2 us
// per 4 KB page fault here, 5,000 faults per 20 MB of ids); on Linux the
// vector's memory is marked for transparent huge pages, 2 MB per fault.
// Only a hint: where the kernel does not give huge pages, nothing changes.
void reserve_ids(std::vector<int32_t>& ids, size_t n) {
  ids.reserve(n);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr uintptr_t kHuge = uintptr_t{1} << 21;
  if (ids.capacity() * sizeof(int32_t) < 2 * kHuge) return;
  const auto first = reinterpret_cast<uintptr_t>(ids.data());
  const uintptr_t a = (first + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t z = (first + ids.capacity() * sizeof(int32_t)) & ~(kHuge - 1);
  if (z > a) madvise(reinterpret_cast<void*>(a), z - a, MADV_HUGEPAGE);  // a hint; failure changes nothing
#endif
}

// Pre-token -> ids memo for one encode call (or one group of encode_parallel).
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

// Encodes text with no special-token parsing.
template <bool kCjk>
void encode_ordinary_impl(const BpeData& d, std::string_view text, EncodeCache& cache, std::vector<int32_t>& out) {
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

void encode_ordinary(const BpeData& d, std::string_view text, EncodeCache& cache, std::vector<int32_t>& out) {
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

// Splits text into ordinary segments and added tokens (id, offset, length),
// in order.
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
    on_token(m.id, m.pos, m.len);
    pos = m.pos + m.len;
  }
  if (pos < text.size()) on_text(text.substr(pos));
}


// A stretch of the text for encode_parallel: ordinary text, or one added
// token (id >= 0). off and len are byte positions in the whole text.
struct Part {
  size_t off = 0;
  size_t len = 0;
  std::string_view text;  // ordinary text; empty for an added token
  int32_t id = -1;
  size_t end() const { return off + len; }
};

// Chunk starts for encode_parallel: about every `step` bytes, at a safe cut
// (find_safe_cut) inside an ordinary segment or at the end of an added token,
// so the pre-tokens, and therefore the ids, are those of a serial encode.
// Where no safe cut lies within `step` bytes of a target, that target is
// skipped and the chunk grows (each byte is searched at most once).
std::vector<size_t> chunk_starts(const std::vector<Part>& items, size_t n, size_t step) {
  std::vector<size_t> starts{0};
  size_t k = 0;  // the item holding the current target
  for (size_t p = step; p < n; p = std::max(p + step, starts.back() + step)) {
    while (k < items.size() && items[k].end() <= p) ++k;
    if (k == items.size()) break;
    const Part& it = items[k];
    size_t cut = std::string_view::npos;
    if (p <= it.off) {
      cut = it.off;
    } else if (it.id >= 0) {
      cut = it.end();
    } else {
      const size_t local = p - it.off;
      const size_t c = find_safe_cut(it.text, local, std::min(it.len, local + step));
      if (c != std::string_view::npos) cut = it.off + c;
    }
    if (cut != std::string_view::npos && cut > starts.back() && cut < n) starts.push_back(cut);
  }
  return starts;
}

// The chunks of one thread's share: the owner takes them from the front,
// a thread that has finished its own share takes them from the back.
struct alignas(64) ChunkRange {
  std::mutex mu;
  size_t front = 0, back = 0;  // chunks [front, back) are not yet taken
  size_t owner_end = 0;        // the owner encoded [first, owner_end)
};

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
  // Every id covers at least one byte, so text.size() ids always fit: the
  // vector never grows (a regrowth copied and page-faulted the ids again).
  // Only the pages written are touched; short texts give the spare back.
  reserve_ids(out, text.size() + 1);
  EncodeCache cache;
  split_added(
      *data_, text, allow_special, [&](std::string_view seg) { encode_ordinary(*data_, seg, cache, out); },
      [&](int32_t id, size_t, size_t) { out.push_back(id); });
  if (text.size() < kShrinkBelow && out.capacity() > 2 * out.size() + 256) out.shrink_to_fit();
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
  const BpeData& d = *data_;
  const size_t n_threads = std::min<size_t>(static_cast<size_t>(pool->size()), text.size() / kMinPart);
  // Ordinary segments and added tokens in text order, then chunks of about
  // 1/64 of a thread's share (at least 32 KB). Each thread owns a contiguous
  // run of chunks and encodes it front to back into one vector; a thread that
  // is done takes chunks from the back of the run with the most left. Bytes
  // are a poor guide to work (a Chinese byte costs ~3 English ones, and it
  // varies with the text), so the split adapts to the speed actually reached;
  // the last thread waits at most about one chunk for the others.
  std::vector<Part> items;
  split_added(
      d, text, allow_special,
      [&](std::string_view seg) {
        items.push_back({static_cast<size_t>(seg.data() - text.data()), seg.size(), seg, -1});
      },
      [&](int32_t id, size_t pos, size_t len) { items.push_back({pos, len, {}, id}); });
  const size_t step = std::max<size_t>(1 << 15, text.size() / (64 * n_threads));
  const std::vector<size_t> starts = chunk_starts(items, text.size(), step);
  const size_t n_chunks = starts.size();
  auto chunk_begin = [&](size_t c) { return starts[c]; };
  auto chunk_end = [&](size_t c) { return c + 1 < n_chunks ? starts[c + 1] : text.size(); };
  std::vector<ChunkRange> ranges(n_threads);
  for (size_t t = 0; t < n_threads; ++t) {
    ranges[t].front = n_chunks * t / n_threads;
    ranges[t].back = ranges[t].owner_end = n_chunks * (t + 1) / n_threads;
  }
  // Appends the ids of chunk c, walking the items it overlaps.
  auto encode_chunk = [&](size_t c, EncodeCache& cache, std::vector<int32_t>& ids) {
    const size_t lo = chunk_begin(c), hi = chunk_end(c);
    auto it = std::upper_bound(items.begin(), items.end(), lo, [](size_t p, const Part& x) { return p < x.end(); });
    for (; it != items.end() && it->off < hi; ++it) {
      if (it->id >= 0) {
        ids.push_back(it->id);
        continue;
      }
      const size_t a = std::max(lo, it->off), z = std::min(hi, it->end());
      encode_ordinary(d, it->text.substr(a - it->off, z - a), cache, ids);
    }
  };
  std::vector<std::vector<int32_t>> owned(n_threads), stolen(n_chunks);
  pool->parallel_for(static_cast<int64_t>(n_threads), [&](int64_t b, int64_t e, int) {
    for (auto t = static_cast<size_t>(b); t < static_cast<size_t>(e); ++t) {
      // Vectors of this thread's own, moved into place when done: the headers
      // of owned[t] and owned[t + 1] share a cache line, and pushing through
      // them from two cores bounced it on every token. The first thread's
      // vector has room for every id of the text (each id covers at least a
      // byte), so the rest is appended to it without a regrowth.
      ChunkRange& mine = ranges[t];
      std::vector<int32_t> ids;
      const size_t first = n_chunks * t / n_threads, last = n_chunks * (t + 1) / n_threads;
      const size_t my_bytes = first < last ? chunk_end(last - 1) - chunk_begin(first) : 0;
      reserve_ids(ids, (t == 0 ? text.size() : my_bytes) + 1);
      // One cache per thread. A cache shared by the threads (sharded, one
      // mutex per shard) saved merging a word twice but cost more than that
      // in locking and double stores: 8-10% per thread.
      EncodeCache cache;
      while (true) {
        size_t c;
        {
          std::lock_guard<std::mutex> lock(mine.mu);
          if (mine.front == mine.back) {
            mine.owner_end = mine.front;
            break;
          }
          c = mine.front++;
        }
        encode_chunk(c, cache, ids);
      }
      owned[t] = std::move(ids);
      while (true) {  // help the thread with the most chunks left
        ChunkRange* victim = nullptr;
        size_t most = 0;
        for (ChunkRange& r : ranges) {
          std::lock_guard<std::mutex> lock(r.mu);
          if (r.back - r.front > most) {
            most = r.back - r.front;
            victim = &r;
          }
        }
        if (!victim) break;
        size_t c;
        {
          std::lock_guard<std::mutex> lock(victim->mu);
          if (victim->front == victim->back) continue;  // finished meanwhile: look again
          c = --victim->back;
        }
        std::vector<int32_t> part;
        reserve_ids(part, chunk_end(c) - chunk_begin(c) + 1);
        encode_chunk(c, cache, part);
        stolen[c] = std::move(part);
      }
    }
  });
  // In text order: each thread's own run, then the chunks taken from its back.
  std::vector<int32_t> out = std::move(owned[0]);
  for (size_t t = 0; t < n_threads; ++t) {
    if (t > 0) out.insert(out.end(), owned[t].begin(), owned[t].end());
    for (size_t c = ranges[t].owner_end; c < n_chunks * (t + 1) / n_threads; ++c) {
      out.insert(out.end(), stolen[c].begin(), stolen[c].end());
    }
  }
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
