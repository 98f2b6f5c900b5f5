// The pre-tokenizer's inner function, inline so the encoder's loop can use it
// without a call per pre-token. Public entry points: marketlm/text/pretokenizer.h.
#pragma once

#include <cstddef>

#include "text/unicode.h"

namespace marketlm::text {


enum RunClass { kRunLetter, kRunNumber, kRunOther, kRunSpace };

inline RunClass run_class(uint8_t flags) {
  if (flags & kLetter) return kRunLetter;
  if (flags & kNumber) return kRunNumber;
  if (flags & kSpace) return kRunSpace;
  return kRunOther;
}

// The end of the pre-token that starts at pos (see pretokenizer.h).
template <bool kCjk>
inline size_t token_end(const unsigned char* s, size_t n, size_t pos, int cjk_chunk) {
  // In CJK mode a Han character ends the current segment like end of text.
  auto at_end = [&](size_t i, CharInfo* ci) {
    if (i >= n) return true;
    *ci = char_at(s, n, i);
    return kCjk && (ci->flags & kHan);
  };
  CharInfo c = char_at(s, n, pos);
  if (kCjk && (c.flags & kHan)) {
    size_t j = pos;
    for (int k = 0; k < cjk_chunk && j < n; ++k) {
      CharInfo d = char_at(s, n, j);
      if (!(d.flags & kHan)) break;
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
    if (!(d.flags & kSpace)) break;
    last = j;
    j += d.len;
  }
  return last > pos ? last : j;
}

}  // namespace marketlm::text
