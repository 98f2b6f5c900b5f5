// GPT-2's pre-tokenization regex, by hand. At each position the alternatives
// are tried in the regex's order; each is greedy, and `\s+(?!\S)` gives back
// the last whitespace character when a non-space follows the run.
#include "marketlm/text/pretokenizer.h"

#include "text/pretokenizer_impl.h"
#include "text/unicode.h"

namespace marketlm {

using text::char_at;
using text::token_end;

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
