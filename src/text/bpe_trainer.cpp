// BPE training with incremental pair counts: each pair keeps its count and the
// list of words it occurs in; a merge touches only those words and updates
// counts by deltas. A max-heap holds (count, pair) entries, checked lazily
// against the live count when popped (Hugging Face's scheme).
#include "marketlm/text/bpe_trainer.h"

#include <algorithm>
#include <queue>
#include <unordered_map>

#include "marketlm/core/thread_pool.h"
#include "marketlm/text/byte_level.h"
#include "text/flat_map.h"

namespace marketlm {

std::vector<std::string> default_special_tokens() {
  return {"<|endoftext|>", "<|pad|>",  "<|brief|>",    "<|product|>", "<|audience|>",
          "<|channel|>",   "<|tone|>", "<|copy|>",     "<|customer|>", "<|agent|>"};
}

struct BpeTrainer::State {
  text::BytesMap words;  // pre-token bytes -> count
};

namespace {

uint64_t pair_key(int32_t a, int32_t b) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
}

// Counts pre-tokens of text that is free of special tokens.
void count_words(std::string_view text, const PreTokenizerConfig& pre, text::BytesMap& counts) {
  for (size_t pos = 0; pos < text.size();) {
    size_t end = pre_token_end(text, pos, pre);
    std::string_view piece = text.substr(pos, end - pos);
    counts.add(piece, text::hash_bytes(piece.data(), piece.size()), 1);
    pos = end;
  }
}

struct Word {
  std::vector<int32_t> sym;
  int64_t count = 0;
};

struct PairStat {
  int64_t count = 0;
  std::vector<int32_t> words;  // may hold duplicates and stale entries
};

struct HeapEntry {
  int64_t count;
  int32_t a, b;
  // Max-heap on count; on equal counts the smaller (a, b) comes first.
  bool operator<(const HeapEntry& o) const {
    if (count != o.count) return count < o.count;
    if (a != o.a) return a > o.a;
    return b > o.b;
  }
};

}  // namespace

BpeTrainer::BpeTrainer(BpeTrainerConfig config) : config_(std::move(config)), state_(std::make_unique<State>()) {}
BpeTrainer::~BpeTrainer() = default;
BpeTrainer::BpeTrainer(BpeTrainer&&) noexcept = default;
BpeTrainer& BpeTrainer::operator=(BpeTrainer&&) noexcept = default;

int64_t BpeTrainer::distinct_words() const { return static_cast<int64_t>(state_->words.size()); }

void BpeTrainer::feed(std::string_view text, ThreadPool* pool) {
  // Cut out special tokens, then count the text between them.
  std::vector<std::string_view> segs;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t best = std::string_view::npos, len = 0;
    for (const std::string& s : config_.special_tokens) {
      if (s.empty()) continue;
      size_t p = text.find(s, pos);
      if (p < best || (p == best && s.size() > len)) {
        best = p;
        len = s.size();
      }
    }
    if (best == std::string_view::npos) break;
    if (best > pos) segs.push_back(text.substr(pos, best - pos));
    pos = best + len;
  }
  if (pos < text.size()) segs.push_back(text.substr(pos));

  constexpr size_t kPart = 1 << 20;
  std::vector<std::string_view> parts;
  for (std::string_view seg : segs) {
    while (seg.size() > 2 * kPart) {
      size_t cut = find_safe_cut(seg, kPart, 2 * kPart);
      if (cut == std::string_view::npos) break;
      parts.push_back(seg.substr(0, cut));
      seg.remove_prefix(cut);
    }
    parts.push_back(seg);
  }
  if (!pool || pool->size() <= 1 || parts.size() < 2) {
    for (std::string_view p : parts) count_words(p, config_.pre, state_->words);
    return;
  }
  std::vector<text::BytesMap> local(static_cast<size_t>(pool->size()));
  pool->parallel_for(static_cast<int64_t>(parts.size()), [&](int64_t b, int64_t e, int t) {
    for (int64_t i = b; i < e; ++i) count_words(parts[i], config_.pre, local[t]);
  });
  for (const auto& m : local) {
    m.for_each([&](std::string_view k, uint64_t v) { state_->words.add(k, text::hash_bytes(k.data(), k.size()), v); });
  }
}

Status BpeTrainer::validate() const {
  const int base = static_cast<int>(config_.special_tokens.size()) + 256;
  if (config_.vocab_size < base) {
    return invalid_argument("vocab_size " + std::to_string(config_.vocab_size) + " is too small: expected at least " +
                            std::to_string(base) + " (special tokens + 256 byte symbols)");
  }
  if (config_.vocab_size > 1'000'000) {
    return invalid_argument("vocab_size " + std::to_string(config_.vocab_size) + " is too large (max 1000000)");
  }
  if (config_.min_frequency < 1) {
    return invalid_argument("min_frequency " + std::to_string(config_.min_frequency) + " must be at least 1");
  }
  if (config_.pre.cjk_chunk < 0) return invalid_argument("cjk_chunk must be >= 0");
  for (size_t i = 0; i < config_.special_tokens.size(); ++i) {
    if (config_.special_tokens[i].empty()) return invalid_argument("special token " + std::to_string(i) + " is empty");
    for (size_t j = 0; j < i; ++j) {
      if (config_.special_tokens[i] == config_.special_tokens[j]) {
        return invalid_argument("special token '" + config_.special_tokens[i] + "' is listed twice");
      }
    }
  }
  return Status::ok();
}

Result<Tokenizer> BpeTrainer::train(const Context& ctx) const {
  ML_RETURN_IF_ERROR(validate());
  // Ids: specials, then the byte alphabet in code-point order, then merges.
  std::vector<std::string> vocab(config_.special_tokens.begin(), config_.special_tokens.end());
  std::vector<AddedToken> added;
  for (size_t i = 0; i < vocab.size(); ++i) added.push_back({static_cast<int32_t>(i), vocab[i], true});
  std::vector<int> bytes(256);
  for (int b = 0; b < 256; ++b) bytes[b] = b;
  std::sort(bytes.begin(), bytes.end(), [](int x, int y) {
    return text::byte_to_codepoint(static_cast<uint8_t>(x)) < text::byte_to_codepoint(static_cast<uint8_t>(y));
  });
  std::array<int32_t, 256> byte_id{};
  text::BytesMap token_ids;  // byte-level string -> id (for merges that recreate a token)
  for (int b : bytes) {
    byte_id[b] = static_cast<int32_t>(vocab.size());
    vocab.push_back(text::byte_to_symbol(static_cast<uint8_t>(b)));
    token_ids.put(vocab.back(), static_cast<uint64_t>(vocab.size() - 1));
  }

  // Words in a fixed order (by bytes), so everything below is reproducible.
  std::vector<std::pair<std::string_view, int64_t>> entries;
  entries.reserve(state_->words.size());
  state_->words.for_each([&](std::string_view k, uint64_t v) { entries.emplace_back(k, static_cast<int64_t>(v)); });
  std::sort(entries.begin(), entries.end());
  std::vector<Word> words(entries.size());
  for (size_t w = 0; w < entries.size(); ++w) {
    words[w].count = entries[w].second;
    for (unsigned char c : entries[w].first) words[w].sym.push_back(byte_id[c]);
  }

  std::unordered_map<uint64_t, PairStat> pairs;
  pairs.reserve(1 << 16);
  for (size_t w = 0; w < words.size(); ++w) {
    const auto& s = words[w].sym;
    for (size_t i = 0; i + 1 < s.size(); ++i) {
      PairStat& p = pairs[pair_key(s[i], s[i + 1])];
      p.count += words[w].count;
      if (p.words.empty() || p.words.back() != static_cast<int32_t>(w)) p.words.push_back(static_cast<int32_t>(w));
    }
  }
  std::priority_queue<HeapEntry> heap;
  for (const auto& [k, p] : pairs) {
    if (p.count > 0) heap.push({p.count, static_cast<int32_t>(k >> 32), static_cast<int32_t>(k & 0xffffffffu)});
  }

  std::vector<std::pair<std::string, std::string>> merges;
  const int64_t target_merges = config_.vocab_size - static_cast<int64_t>(vocab.size());
  std::vector<int32_t> stamp(words.size(), -1);
  std::unordered_map<uint64_t, int64_t> delta;
  std::vector<int32_t> out;
  int64_t n_merges = 0;
  while (static_cast<int64_t>(vocab.size()) < config_.vocab_size && !heap.empty()) {
    HeapEntry top = heap.top();
    heap.pop();
    auto it = pairs.find(pair_key(top.a, top.b));
    int64_t live = it == pairs.end() ? 0 : it->second.count;
    if (live != top.count) {
      if (live > 0) heap.push({live, top.a, top.b});
      continue;
    }
    if (top.count < config_.min_frequency) break;
    const int32_t a = top.a, b = top.b;
    std::string merged = vocab[a] + vocab[b];
    int32_t new_id;
    if (const uint64_t* existing = token_ids.find(merged)) {
      new_id = static_cast<int32_t>(*existing);
    } else {
      new_id = static_cast<int32_t>(vocab.size());
      vocab.push_back(merged);
      token_ids.put(merged, static_cast<uint64_t>(new_id));
    }
    merges.emplace_back(vocab[a], vocab[b]);
    ++n_merges;

    delta.clear();
    std::vector<int32_t> where = std::move(it->second.words);
    it->second.words.clear();
    for (int32_t w : where) {
      if (stamp[w] == static_cast<int32_t>(n_merges)) continue;  // duplicate entry
      stamp[w] = static_cast<int32_t>(n_merges);
      Word& word = words[w];
      const auto& s = word.sym;
      out.clear();
      bool changed = false;
      for (size_t i = 0; i < s.size();) {
        if (i + 1 < s.size() && s[i] == a && s[i + 1] == b) {
          changed = true;
          if (!out.empty()) {
            delta[pair_key(out.back(), a)] -= word.count;
            delta[pair_key(out.back(), new_id)] += word.count;
          }
          if (i + 2 < s.size()) {
            delta[pair_key(b, s[i + 2])] -= word.count;
            delta[pair_key(new_id, s[i + 2])] += word.count;
          }
          delta[pair_key(a, b)] -= word.count;
          out.push_back(new_id);
          i += 2;
        } else {
          out.push_back(s[i]);
          ++i;
        }
      }
      if (!changed) continue;  // stale entry: the pair left this word earlier
      word.sym = out;
      for (size_t i = 0; i + 1 < out.size(); ++i) {
        if (out[i] != new_id && out[i + 1] != new_id) continue;
        PairStat& p = pairs[pair_key(out[i], out[i + 1])];
        if (p.words.empty() || p.words.back() != w) p.words.push_back(w);
      }
    }
    for (const auto& [k, d] : delta) {
      if (d == 0) continue;
      PairStat& p = pairs[k];
      p.count += d;
      if (d > 0) heap.push({p.count, static_cast<int32_t>(k >> 32), static_cast<int32_t>(k & 0xffffffffu)});
    }
    if ((n_merges & 255) == 0) ctx.report({"train", n_merges, target_merges, "merges", false});
  }
  ctx.report({"train", n_merges, target_merges, "merges", true});
  return Tokenizer::from_parts(vocab, merges, added, config_.pre, "trained tokenizer");
}

}  // namespace marketlm
