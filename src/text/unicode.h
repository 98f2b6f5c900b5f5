// UTF-8 decoding and the character classes the pre-tokenizer needs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace marketlm::text {

enum CharFlags : uint8_t {
  kLetter = 1,   // \p{L}
  kNumber = 2,   // \p{N}
  kSpace = 4,    // Unicode White_Space (\s in tiktoken's regex)
  kHan = 8,      // \p{Script=Han}
};

// Flags of a code point (0 for anything above U+10FFFF).
uint8_t unicode_flags(uint32_t cp);

// One decoded character: its flags and its length in bytes. A byte that does
// not start a valid UTF-8 sequence (bad lead, truncated, overlong, surrogate,
// above U+10FFFF) is one character of length 1 with flags 0.
struct CharInfo {
  uint8_t flags;
  uint8_t len;
};

// Flags for ASCII, precomputed.
extern const uint8_t kAsciiFlags[128];

// Decodes the character at s[i] (i < n).
inline CharInfo char_at(const unsigned char* s, size_t n, size_t i) {
  unsigned char c = s[i];
  if (c < 0x80) return {kAsciiFlags[c], 1};
  uint32_t cp;
  int len;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    cp = c & 0x07;
  } else {
    return {0, 1};
  }
  if (i + len > n) return {0, 1};
  for (int k = 1; k < len; ++k) {
    unsigned char d = s[i + k];
    if ((d & 0xC0) != 0x80) return {0, 1};
    cp = (cp << 6) | (d & 0x3F);
  }
  if (len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) return {0, 1};
  if (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) return {0, 1};
  return {unicode_flags(cp), static_cast<uint8_t>(len)};
}

}  // namespace marketlm::text
