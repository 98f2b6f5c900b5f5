// GPT-2's pre-tokenization regex, by hand. At each position the alternatives
// are tried in the regex's order; each is greedy, and `\s+(?!\S)` gives back
// the last whitespace character when a non-space follows the run.
#include "marketlm/text/pretokenizer.h"

#include "text/unicode.h"

namespace marketlm {
namespace {

using text::CharInfo;
using text::char_at;

enum RunClass { kRunLetter, kRunNumber, kRunOther, kRunSpace };

inline RunClass run_class(uint8_t flags) {
  if (flags & text::kLetter) return kRunLetter;
  if (flags & text::kNumber) return kRunNumber;
  if (flags & text::kSpace) return kRunSpace;
  return kRunOther;
}

template <bool kCjk>
size_t token_end(const unsigned char* s, size_t n, size_t pos, int cjk_chunk) {
  // In CJK mode a Han character ends the current segment like end of text.
  auto at_end = [&](size_t i, CharInfo* ci) {
    if (i >= n) return true;
    *ci = char_at(s, n, i);
    return kCjk && (ci->flags & text::kHan);
  };
  CharInfo c = char_at(s, n, pos);
  if (kCjk && (c.flags & text::kHan)) {
    size_t j = pos;
    for (int k = 0; k < cjk_chunk && j < n; ++k) {
      CharInfo d = char_at(s, n, j);
      if (!(d.flags & text::kHan)) break;
      j += d.len;
    }
    return j;
  }
  // 's|'t|'re|'ve|'m|'ll|'d
  if (s[pos] == '\'' && pos + 1 < n) {
    unsigned char a = s[pos + 1];
    if (a == 's' || a == 't' || a == 'm' || a == 'd') return pos + 2;
    if (pos + 2 < n) {
      unsigned char b = s[pos + 2];
      if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return pos + 3;
    }
  }
  // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`
  size_t start = pos;
  RunClass cls = run_class(c.flags);
  if (s[pos] == ' ') {
    CharInfo d;
    if (!at_end(pos + 1, &d) && run_class(d.flags) != kRunSpace) {
      start = pos + 1;
      c = d;
      cls = run_class(d.flags);
    }
  }
  if (cls != kRunSpace) {
    size_t j = start + c.len;
    if (cls == kRunLetter) {  // ASCII letters dominate English text: fast loop
      while (j < n && s[j] < 0x80) {
        unsigned char b = s[j];
        if (!((b | 0x20) >= 'a' && (b | 0x20) <= 'z')) return j;
        ++j;
      }
    }
    CharInfo d;
    while (!at_end(j, &d) && run_class(d.flags) == cls) j += d.len;
    return j;
  }
  // \s+(?!\S) | \s+
  size_t j = pos + c.len, last = pos;
  CharInfo d;
  while (true) {
    if (at_end(j, &d)) return j;
    if (!(d.flags & text::kSpace)) break;
    last = j;
    j += d.len;
  }
  return last > pos ? last : j;
}

}  // namespace

size_t pre_token_end(std::string_view text, size_t pos, const PreTokenizerConfig& cfg) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  if (cfg.cjk_chunk > 0) return token_end<true>(s, text.size(), pos, cfg.cjk_chunk);
  return token_end<false>(s, text.size(), pos, 0);
}

std::vector<size_t> pre_token_ends(std::string_view text, const PreTokenizerConfig& cfg) {
  std::vector<size_t> ends;
  for (size_t pos = 0; pos < text.size();) {
    pos = pre_token_end(text, pos, cfg);
    ends.push_back(pos);
  }
  return ends;
}

size_t find_safe_cut(std::string_view text, size_t from, size_t to) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  size_t n = text.size();
  if (to > n) to = n;
  if (from < 1) from = 1;
  // Best: just after a lone newline (ASCII non-space before it, non-space
  // after). The newline is then a pre-token of its own whether or not text
  // follows it, and the next pre-token starts fresh whatever came before.
  if (from < 2) from = 2;
  for (size_t p = from; p < to; ++p) {
    if (s[p - 1] == '\n' && s[p - 2] < 0x80 && !(text::kAsciiFlags[s[p - 2]] & text::kSpace) &&
        !(char_at(s, n, p).flags & text::kSpace)) {
      return p;
    }
  }
  // Else: a change between two ASCII classes (letter/digit/punctuation),
  // never after an apostrophe or a space (they bind to what follows).
  auto ascii_cls = [](unsigned char b) {
    if ((b | 0x20) >= 'a' && (b | 0x20) <= 'z') return 1;
    if (b >= '0' && b <= '9') return 2;
    if (text::kAsciiFlags[b] & text::kSpace) return 0;
    return 3;
  };
  for (size_t p = from; p < to; ++p) {
    unsigned char a = s[p - 1], b = s[p];
    if (a >= 0x80 || b >= 0x80 || a == '\'' || a == ' ') continue;
    int ca = ascii_cls(a), cb = ascii_cls(b);
    if (ca != 0 && cb != 0 && ca != cb) return p;
  }
  return std::string_view::npos;
}

}  // namespace marketlm
