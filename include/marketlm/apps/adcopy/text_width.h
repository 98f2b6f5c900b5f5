// Character counting for ad copy: UTF-8 decoding, display width (East Asian
// Wide/Fullwidth characters count 2, as Google Ads counts Chinese, Japanese and
// Korean characters double) and SMS encoding units (GSM-7 septets or UCS-2).
// Pure functions; invalid UTF-8 bytes decode to U+FFFD and count as one
// narrow character, so no input makes them fail.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "marketlm/text/byte_level.h"

namespace marketlm::adcopy {

// Code points of a UTF-8 string. An incomplete sequence at the very end is
// dropped when `drop_incomplete_tail` is set (a byte-level BPE token may end
// mid-character), otherwise it decodes to U+FFFD.
std::u32string decode_utf8(std::string_view s, bool drop_incomplete_tail = false);
std::string encode_utf8(std::u32string_view s);
// Appends the UTF-8 of a code point (the text layer's encoder).
using text::append_utf8;

// Number of bytes at the end of `s` that form an unfinished UTF-8 sequence
// (0 when `s` ends on a character boundary).
size_t incomplete_utf8_tail(std::string_view s);

// East_Asian_Width W or F (Unicode 14, EastAsianWidth.txt).
bool is_wide(char32_t cp);
// CJK ideographs (unified, extension A-G, compatibility).
bool is_cjk_ideograph(char32_t cp);
// Unicode whitespace as Python's str.isspace() defines it.
bool is_space(char32_t cp);
// ASCII and full-width/CJK punctuation and symbols (not letters, digits, space).
bool is_punctuation(char32_t cp);

// ASCII letters lowered, every other byte kept (so UTF-8 stays intact): the
// case-insensitive matching of banned words, keywords and features.
std::string lower_ascii(std::string_view s);
inline bool is_ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

size_t char_count(std::string_view s);     // code points
size_t display_width(std::string_view s);  // wide = 2, everything else = 1

// SMS: a message is GSM-7 when every character is in the GSM 03.38 basic
// table or its extension table (extension characters cost 2 septets); any
// other character forces UCS-2, where each UTF-16 code unit costs one unit.
enum class SmsEncoding { kGsm7, kUcs2 };
struct SmsLength {
  SmsEncoding encoding = SmsEncoding::kGsm7;
  size_t units = 0;           // septets (GSM-7) or UTF-16 code units (UCS-2)
  size_t single_limit = 160;  // 160 septets or 70 UCS-2 units fit one SMS
  size_t segments = 0;        // 153 / 67 per segment once concatenated
};
SmsLength sms_length(std::string_view s);

}  // namespace marketlm::adcopy
