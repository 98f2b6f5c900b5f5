// UTF-8 assembly for streaming: emit only whole characters.
#include "marketlm/generate/utf8_stream.h"

namespace marketlm {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// Length of the character starting at s[0] given its first byte, 0 if the
// byte cannot start a character.
int lead_length(unsigned char c) {
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return 2;
  if (c >= 0xE0 && c <= 0xEF) return 3;
  if (c >= 0xF0 && c <= 0xF4) return 4;
  return 0;
}

// Allowed range of the second byte given the first (rules out overlongs,
// surrogates and code points past U+10FFFF).
bool second_ok(unsigned char lead, unsigned char b) {
  if (lead == 0xE0) return b >= 0xA0 && b <= 0xBF;
  if (lead == 0xED) return b >= 0x80 && b <= 0x9F;
  if (lead == 0xF0) return b >= 0x90 && b <= 0xBF;
  if (lead == 0xF4) return b >= 0x80 && b <= 0x8F;
  return b >= 0x80 && b <= 0xBF;
}

// Checks the character at s[i]: returns its length if complete and valid,
// 0 if it is valid so far but incomplete (needs more bytes), -k if the first
// k bytes are invalid and should become one U+FFFD.
int check_char(std::string_view s, size_t i) {
  const auto lead = static_cast<unsigned char>(s[i]);
  const int len = lead_length(lead);
  if (len == 0) return -1;
  for (int k = 1; k < len; ++k) {
    if (i + k >= s.size()) return 0;
    const auto b = static_cast<unsigned char>(s[i + k]);
    const bool ok = k == 1 ? second_ok(lead, b) : (b >= 0x80 && b <= 0xBF);
    if (!ok) return -k;
  }
  return len;
}

// Consumes whole characters from s; returns the emitted text and how many
// bytes were consumed. At end of stream an incomplete tail becomes U+FFFD.
std::string consume(std::string_view s, bool end_of_stream, size_t* used) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    const int r = check_char(s, i);
    if (r > 0) {
      out.append(s.substr(i, r));
      i += r;
    } else if (r < 0) {
      out.append(kReplacement);
      i += -r;
    } else if (end_of_stream) {
      out.append(kReplacement);
      i = s.size();
    } else {
      break;
    }
  }
  *used = i;
  return out;
}

}  // namespace

std::string Utf8Assembler::push(std::string_view bytes) {
  pending_.append(bytes);
  size_t used = 0;
  std::string out = consume(pending_, false, &used);
  pending_.erase(0, used);
  return out;
}

std::string Utf8Assembler::flush() {
  size_t used = 0;
  std::string out = consume(pending_, true, &used);
  pending_.clear();
  return out;
}

bool is_valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const int r = check_char(s, i);
    if (r <= 0) return false;
    i += r;
  }
  return true;
}

std::string sanitize_utf8(std::string_view s) {
  size_t used = 0;
  return consume(s, true, &used);
}

}  // namespace marketlm

namespace marketlm {
size_t utf8_complete_prefix(std::string_view s) {
  // A character is at most 4 bytes: only the last 3 bytes can start an incomplete one.
  const size_t from = s.size() > 3 ? s.size() - 3 : 0;
  for (size_t i = from; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80 && c < 0xC0) continue;  // continuation byte
    if (check_char(s, i) == 0) return i;  // starts a character that needs more bytes
  }
  return s.size();
}
}  // namespace marketlm
