#include "text/bpe_model.h"

#include <algorithm>
#include <cstdio>
#include <queue>

#include "marketlm/text/byte_level.h"

namespace marketlm {
namespace {

constexpr int32_t kNoRank = INT32_MAX;

int32_t pair_rank(const BpeData& d, int32_t a, int32_t b) {
  int32_t r = d.merges.find_rank(a, b);
  return r < 0 ? kNoRank : r;
}

// Short pieces: a flat array of symbols and the (rank, merged id) of each
// adjacent pair; each step merges the leftmost pair of lowest rank.
void merge_short(const BpeData& d, std::string_view piece, std::vector<int32_t>& out) {
  int32_t sym[64];
  int32_t rank[64];
  int32_t next_id[64];
  size_t n = piece.size();
  auto set_pair = [&](size_t i) {
    auto v = d.merges.find(sym[i], sym[i + 1]);
    rank[i] = v.rank < 0 ? kNoRank : v.rank;
    next_id[i] = v.id;
  };
  for (size_t i = 0; i < n; ++i) sym[i] = d.byte_id[static_cast<unsigned char>(piece[i])];
  for (size_t i = 0; i + 1 < n; ++i) set_pair(i);
  while (n > 1) {
    size_t best = 0;
    int32_t best_rank = rank[0];
    for (size_t i = 1; i + 1 < n; ++i) {
      if (rank[i] < best_rank) {
        best_rank = rank[i];
        best = i;
      }
    }
    if (best_rank == kNoRank) break;
    sym[best] = next_id[best];
    for (size_t i = best + 1; i + 1 < n; ++i) sym[i] = sym[i + 1];
    for (size_t i = best + 1; i + 2 < n; ++i) {
      rank[i] = rank[i + 1];
      next_id[i] = next_id[i + 1];
    }
    --n;
    if (best > 0) set_pair(best - 1);
    if (best + 1 < n) set_pair(best);
  }
  out.insert(out.end(), sym, sym + n);
}

// Long pieces: a linked list of symbols and a min-heap of (rank, position)
// with lazy deletion; same result as merge_short in O(n log n).
void merge_long(const BpeData& d, std::string_view piece, std::vector<int32_t>& out) {
  const int32_t n = static_cast<int32_t>(piece.size());
  std::vector<int32_t> sym(n), prev(n), next(n);
  for (int32_t i = 0; i < n; ++i) {
    sym[i] = d.byte_id[static_cast<unsigned char>(piece[i])];
    prev[i] = i - 1;
    next[i] = i + 1 < n ? i + 1 : -1;
  }
  struct Entry {
    int32_t rank, pos, left, right;
    bool operator>(const Entry& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
  };
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> heap;
  auto push = [&](int32_t i) {
    int32_t j = next[i];
    if (j < 0) return;
    int32_t r = pair_rank(d, sym[i], sym[j]);
    if (r != kNoRank) heap.push({r, i, sym[i], sym[j]});
  };
  for (int32_t i = 0; i + 1 < n; ++i) push(i);
  while (!heap.empty()) {
    Entry e = heap.top();
    heap.pop();
    int32_t i = e.pos;
    if (sym[i] != e.left) continue;  // i was merged into its left neighbour or changed
    int32_t j = next[i];
    if (j < 0 || sym[j] != e.right) continue;
    sym[i] = d.merges.merged_id(e.rank);
    sym[j] = -1;
    next[i] = next[j];
    if (next[j] >= 0) prev[next[j]] = i;
    if (prev[i] >= 0) push(prev[i]);
    push(i);
  }
  for (int32_t i = 0; i >= 0; i = next[i]) out.push_back(sym[i]);
}

}  // namespace

void bpe_merge(const BpeData& d, std::string_view piece, std::vector<int32_t>& out) {
  if (piece.empty()) return;
  if (piece.size() <= 64) {
    merge_short(d, piece, out);
  } else {
    merge_long(d, piece, out);
  }
}

Result<std::shared_ptr<BpeData>> build_bpe_data(const std::vector<std::string>& vocab,
                                                const std::vector<std::pair<std::string, std::string>>& merges,
                                                const std::vector<AddedToken>& added,
                                                const PreTokenizerConfig& pre, const std::string& source) {
  auto d = std::make_shared<BpeData>();
  d->name = source;
  d->pre = pre;
  d->added = added;
  size_t n = vocab.size();
  for (const AddedToken& a : added) {
    if (a.id < 0) return data_error(source + ": added token '" + a.content + "' has negative id " + std::to_string(a.id));
    if (a.content.empty()) return data_error(source + ": added token with id " + std::to_string(a.id) + " is empty");
    n = std::max(n, static_cast<size_t>(a.id) + 1);
  }
  if (n > static_cast<size_t>(INT32_MAX / 2)) return data_error(source + ": vocabulary too large");
  d->tokens.assign(n, "");
  d->bytes.assign(n, "");
  d->special.assign(n, 0);
  d->byte_id.fill(-1);
  std::vector<uint8_t> is_added(n, 0);
  for (const AddedToken& a : added) {
    if (is_added[a.id]) return data_error(source + ": two added tokens share id " + std::to_string(a.id));
    is_added[a.id] = 1;
    if (a.id < static_cast<int32_t>(vocab.size()) && !vocab[a.id].empty() && vocab[a.id] != a.content) {
      return data_error(source + ": added token '" + a.content + "' has id " + std::to_string(a.id) +
                        " but the vocabulary gives that id to '" + vocab[a.id] + "'");
    }
    d->tokens[a.id] = a.content;
    d->bytes[a.id] = a.content;
    d->special[a.id] = a.special ? 1 : 0;
    d->token_by_string.put(a.content, static_cast<uint64_t>(a.id));
  }
  for (size_t id = 0; id < vocab.size(); ++id) {
    const std::string& tok = vocab[id];
    if (tok.empty() || is_added[id]) continue;
    uint32_t bad = 0;
    auto raw = text::symbols_to_bytes(tok, &bad);
    if (!raw) {
      char cp[16];
      std::snprintf(cp, sizeof cp, "U+%04X", bad);
      return data_error(source + ": token '" + tok + "' (id " + std::to_string(id) + ") has character " + cp +
                        ", which is not in the byte-level alphabet; expected a byte-level BPE vocabulary");
    }
    if (d->token_by_string.find(tok)) {
      return data_error(source + ": token '" + tok + "' appears twice (second time with id " + std::to_string(id) + ")");
    }
    d->tokens[id] = tok;
    d->bytes[id] = *raw;
    d->token_by_string.put(tok, id);
    d->token_by_bytes.put(*raw, id);
    if (!d->piece_to_id.find(*raw, text::PieceMap::hash(*raw))) {
      d->piece_to_id.insert(*raw, text::PieceMap::hash(*raw), id);
    }
    if (raw->size() == 1 && d->byte_id[static_cast<unsigned char>((*raw)[0])] < 0) {
      d->byte_id[static_cast<unsigned char>((*raw)[0])] = static_cast<int32_t>(id);
    }
  }
  for (int b = 0; b < 256; ++b) {
    if (d->byte_id[b] < 0) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02X", b);
      return data_error(source + ": the vocabulary has no token for byte " + hex + " (symbol '" +
                        text::byte_to_symbol(static_cast<uint8_t>(b)) +
                        "'); a byte-level BPE vocabulary needs all 256");
    }
  }
  d->merges.reset(merges.size(), static_cast<int32_t>(n));
  d->merge_list.reserve(merges.size());
  for (size_t r = 0; r < merges.size(); ++r) {
    const auto& [a, b] = merges[r];
    const uint64_t* ia = d->token_by_string.find(a);
    const uint64_t* ib = d->token_by_string.find(b);
    const uint64_t* im = d->token_by_string.find(a + b);
    std::string where = source + ": merge " + std::to_string(r + 1) + " ('" + a + " " + b + "')";
    if (!ia) return data_error(where + ": unknown symbol '" + a + "', expected a token of the vocabulary");
    if (!ib) return data_error(where + ": unknown symbol '" + b + "', expected a token of the vocabulary");
    if (!im) return data_error(where + ": the merged token '" + a + b + "' is not in the vocabulary");
    auto ida = static_cast<int32_t>(*ia), idb = static_cast<int32_t>(*ib);
    if (d->merges.add(ida, idb, static_cast<int32_t>(*im))) {
      d->merge_list.emplace_back(ida, idb);
    } else {
      d->merge_list.emplace_back(-1, -1);  // duplicate: keeps its first rank
    }
  }
  // Can a whole pre-token that is a token skip the merge loop?
  bool shortcut = true;
  std::vector<int32_t> ids;
  for (size_t id = 0; id < vocab.size() && shortcut; ++id) {
    if (is_added[id] || d->bytes[id].size() < 2) continue;
    ids.clear();
    bpe_merge(*d, d->bytes[id], ids);
    shortcut = ids.size() == 1 && ids[0] == static_cast<int32_t>(id);
  }
  d->whole_piece_shortcut = shortcut;
  return d;
}

}  // namespace marketlm
