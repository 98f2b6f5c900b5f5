#include "marketlm/apps/adcopy/text_width.h"

#include <algorithm>
#include <array>
#include <utility>

namespace marketlm::adcopy {
namespace {

struct Range {
  char32_t lo, hi;
};

constexpr Range kWide[] = {
#include "apps/adcopy/east_asian_width_table.inc"
};

constexpr char32_t kReplacement = 0xFFFD;

// Length of the sequence a lead byte starts, 0 for a continuation or invalid byte.
int sequence_length(unsigned char b) {
  if (b < 0x80) return 1;
  if ((b & 0xE0) == 0xC0) return b >= 0xC2 ? 2 : 0;
  if ((b & 0xF0) == 0xE0) return 3;
  if ((b & 0xF8) == 0xF0) return b <= 0xF4 ? 4 : 0;
  return 0;
}

bool in_ranges(char32_t cp, const Range* begin, const Range* end) {
  const Range* it = std::upper_bound(begin, end, cp, [](char32_t v, const Range& r) { return v < r.lo; });
  if (it == begin) return false;
  --it;
  return cp <= it->hi;
}

// GSM 03.38 basic character set (as Unicode) and the extension table.
constexpr std::u32string_view kGsmBasic =
    U"@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    U"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
constexpr std::u32string_view kGsmExtension = U"\f^{}\\[~]|€";

}  // namespace

std::u32string decode_utf8(std::string_view s, bool drop_incomplete_tail) {
  std::u32string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    auto b = static_cast<unsigned char>(s[i]);
    int len = sequence_length(b);
    if (len == 0) {
      out.push_back(kReplacement);
      ++i;
      continue;
    }
    if (len == 1) {
      out.push_back(b);
      ++i;
      continue;
    }
    if (i + len > s.size()) {
      // Possibly a character cut by the end of the string.
      bool all_cont = true;
      for (size_t k = i + 1; k < s.size(); ++k)
        if ((static_cast<unsigned char>(s[k]) & 0xC0) != 0x80) all_cont = false;
      if (all_cont) {
        // A character cut short by the end: one replacement for all of it.
        if (!drop_incomplete_tail) out.push_back(kReplacement);
        break;
      }
      out.push_back(kReplacement);
      ++i;
      continue;
    }
    char32_t cp = b & (0xFF >> (len + 1));
    bool ok = true;
    for (int k = 1; k < len; ++k) {
      auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) {
        ok = false;
        break;
      }
      cp = (cp << 6) | (c & 0x3F);
    }
    // Reject overlong forms, surrogates and values past U+10FFFF.
    static constexpr char32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (!ok || cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      out.push_back(kReplacement);
      ++i;
      continue;
    }
    out.push_back(cp);
    i += len;
  }
  return out;
}

std::string encode_utf8(std::u32string_view s) {
  std::string out;
  out.reserve(s.size() * 3);
  for (char32_t cp : s) append_utf8(out, cp);
  return out;
}

size_t incomplete_utf8_tail(std::string_view s) {
  // Walk back over at most three continuation bytes to the lead byte.
  size_t n = s.size();
  size_t k = 0;
  while (k < 3 && k < n && (static_cast<unsigned char>(s[n - 1 - k]) & 0xC0) == 0x80) ++k;
  if (k == n) return 0;
  int len = sequence_length(static_cast<unsigned char>(s[n - 1 - k]));
  if (len > 1 && static_cast<size_t>(len) > k + 1) return k + 1;
  return 0;
}

bool is_wide(char32_t cp) {
  if (cp < 0x1100) return false;
  return in_ranges(cp, std::begin(kWide), std::end(kWide));
}

bool is_cjk_ideograph(char32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x3134F);
}

bool is_space(char32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85 || cp == 0xA0 ||
         cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
         cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

bool is_punctuation(char32_t cp) {
  if (cp < 0x80) {
    return (cp >= 0x21 && cp <= 0x2F) || (cp >= 0x3A && cp <= 0x40) || (cp >= 0x5B && cp <= 0x60) ||
           (cp >= 0x7B && cp <= 0x7E);
  }
  if (cp >= 0x2010 && cp <= 0x2027) return true;  // dashes, quotes, ellipsis
  if (cp >= 0x2030 && cp <= 0x205E) return true;
  if (cp >= 0x3001 && cp <= 0x3003) return true;  // 、。〃
  if (cp >= 0x3008 && cp <= 0x3011) return true;  // 〈〉《》「」『』【】
  if (cp >= 0x3014 && cp <= 0x301F) return true;
  if (cp >= 0xFF01 && cp <= 0xFF0F) return true;  // ！＂＃…／
  if (cp >= 0xFF1A && cp <= 0xFF20) return true;  // ：；＜＝＞？＠
  if (cp >= 0xFF3B && cp <= 0xFF40) return true;
  if (cp >= 0xFF5B && cp <= 0xFF65) return true;
  if (cp == 0xB7 || cp == 0xA1 || cp == 0xBF || cp == 0xAB || cp == 0xBB) return true;
  return false;
}

size_t char_count(std::string_view s) { return decode_utf8(s).size(); }

size_t display_width(std::string_view s) {
  size_t w = 0;
  for (char32_t cp : decode_utf8(s)) w += is_wide(cp) ? 2 : 1;
  return w;
}

SmsLength sms_length(std::string_view s) {
  std::u32string cps = decode_utf8(s);
  SmsLength r;
  size_t septets = 0;
  bool gsm = true;
  for (char32_t cp : cps) {
    if (kGsmBasic.find(cp) != std::u32string_view::npos) {
      septets += 1;
    } else if (kGsmExtension.find(cp) != std::u32string_view::npos) {
      septets += 2;
    } else {
      gsm = false;
      break;
    }
  }
  if (gsm) {
    r.encoding = SmsEncoding::kGsm7;
    r.units = septets;
    r.single_limit = 160;
    r.segments = septets == 0 ? 0 : (septets <= 160 ? 1 : (septets + 152) / 153);
  } else {
    size_t units = 0;
    for (char32_t cp : cps) units += cp > 0xFFFF ? 2 : 1;
    r.encoding = SmsEncoding::kUcs2;
    r.units = units;
    r.single_limit = 70;
    r.segments = units == 0 ? 0 : (units <= 70 ? 1 : (units + 66) / 67);
  }
  return r;
}

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace marketlm::adcopy
