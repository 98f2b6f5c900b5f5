#include "marketlm/apps/adcopy/opening.h"

#include <array>
#include <cctype>

namespace marketlm::adcopy {
namespace {

// Punctuation a target may end with, which the separator replaces.
constexpr std::array<std::string_view, 14> kEndPunctuation = {".", ",", ";", ":", "!", "?", "。", "，",
                                                              "；", "：", "！", "？", "、", "…"};

// The target without surrounding whitespace (trim, brief.h) and without
// the punctuation it ends with.
std::string trimmed(std::string_view target) {
  std::string t = trim(target);
  for (bool cut = true; cut && !t.empty();) {
    cut = false;
    for (std::string_view p : kEndPunctuation) {
      if (std::string_view(t).ends_with(p)) {
        t = trim(std::string_view(t).substr(0, t.size() - p.size()));
        cut = true;
        break;
      }
    }
  }
  return t;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

}  // namespace

Result<TargetOpening> parse_target_opening(std::string_view s) {
  if (s == "off") return TargetOpening::kOff;
  if (s == "offers") return TargetOpening::kOffers;
  if (s == "always") return TargetOpening::kAlways;
  return invalid_argument("--target-opening '" + std::string(s) + "': expected off, offers or always");
}

const char* target_opening_name(TargetOpening t) {
  switch (t) {
    case TargetOpening::kOff: return "off";
    case TargetOpening::kOffers: return "offers";
    case TargetOpening::kAlways: return "always";
  }
  return "?";
}

bool target_reads_as_offer(const Brief& brief) {
  const std::string t = trimmed(brief.target);
  if (t.empty()) return false;
  if (resolved_language(brief) == Language::kEn) {
    size_t end = 0;
    while (end < t.size() && std::isalpha(static_cast<unsigned char>(t[end]))) ++end;
    std::string w = t.substr(0, end);
    for (char& c : w) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!w.empty() && w.back() == 's') w.pop_back();
    for (std::string_view v : {"offer", "provide", "bring", "give", "deliver"})
      if (w == v) return true;
    return false;
  }
  for (std::string_view m : {"提供", "为您", "为你"})
    if (t.find(m) != std::string_view::npos) return true;
  for (std::string_view m : {"专为", "给您", "带给", "让您", "帮您"})
    if (starts_with(t, m)) return true;
  return false;
}

std::string target_opening(const Brief& brief, TargetOpening mode) {
  std::string t = trimmed(brief.target);
  if (t.empty() || mode == TargetOpening::kOff) return "";
  if (mode == TargetOpening::kOffers && !target_reads_as_offer(brief)) return "";
  if (resolved_language(brief) == Language::kEn) {
    if (t[0] >= 'a' && t[0] <= 'z') t[0] = static_cast<char>(t[0] - 'a' + 'A');
    return t + ",";  // the next word brings its own space (byte-level BPE tokens start with one)
  }
  return t + "，";
}

bool opening_fits(const FieldSpec& field, const std::string& opening) {
  return !opening.empty() && 2 * measure(opening, field.unit) <= limit_for(field, opening);
}

}  // namespace marketlm::adcopy
