#include "marketlm/text/byte_level.h"

namespace marketlm::text {
namespace {

bool maps_to_itself(int b) { return (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE); }

// Returns the byte for code point cp, or -1.
int codepoint_to_byte(uint32_t cp) {
  if (cp < 256) return maps_to_itself(static_cast<int>(cp)) ? static_cast<int>(cp) : -1;
  if (cp < 256 + 68) {
    int k = static_cast<int>(cp - 256);
    for (int b = 0; b < 256; ++b) {
      if (maps_to_itself(b)) continue;
      if (k-- == 0) return b;
    }
  }
  return -1;
}

}  // namespace

uint32_t byte_to_codepoint(uint8_t b) {
  if (maps_to_itself(b)) return b;
  uint32_t n = 0;
  for (int x = 0; x < b; ++x) n += maps_to_itself(x) ? 0 : 1;
  return 256 + n;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string byte_to_symbol(uint8_t b) {
  std::string s;
  append_utf8(s, byte_to_codepoint(b));
  return s;
}

std::string bytes_to_symbols(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) append_utf8(out, byte_to_codepoint(b));
  return out;
}

std::optional<std::string> symbols_to_bytes(std::string_view s, uint32_t* bad_cp) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    uint32_t cp;
    size_t len;
    if (c < 0x80) {
      cp = c;
      len = 1;
    } else if ((c & 0xE0) == 0xC0 && i + 1 < s.size()) {
      cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
      len = 2;
    } else {
      // Every symbol of the alphabet is below U+0800: longer sequences are foreign.
      cp = 0xFFFD;
      if ((c & 0xF0) == 0xE0 && i + 2 < s.size()) {
        cp = ((c & 0x0Fu) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 6) |
             (static_cast<unsigned char>(s[i + 2]) & 0x3Fu);
      }
      if (bad_cp) *bad_cp = cp;
      return std::nullopt;
    }
    int b = codepoint_to_byte(cp);
    if (b < 0) {
      if (bad_cp) *bad_cp = cp;
      return std::nullopt;
    }
    out.push_back(static_cast<char>(b));
    i += len;
  }
  return out;
}

}  // namespace marketlm::text
