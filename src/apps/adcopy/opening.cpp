#include "marketlm/apps/adcopy/opening.h"

#include <array>
#include <string_view>

namespace marketlm::adcopy {
namespace {

// Characters a target may end with that the separator replaces.
constexpr std::array<std::string_view, 17> kTrailing = {" ", "\t", ".", ",", ";", ":", "!", "?", "。", "，",
                                                        "；", "：", "！", "？", "、", "…", "　"};

std::string without_trailing_punctuation(std::string s) {
  for (bool cut = true; cut && !s.empty();) {
    cut = false;
    for (std::string_view t : kTrailing) {
      if (s.size() >= t.size() && std::string_view(s).substr(s.size() - t.size()) == t) {
        s.resize(s.size() - t.size());
        cut = true;
        break;
      }
    }
  }
  return s;
}

}  // namespace

std::string target_opening(const Brief& brief) {
  std::string t = without_trailing_punctuation(brief.target);
  size_t lead = 0;
  while (lead < t.size() && (t[lead] == ' ' || t[lead] == '\t')) ++lead;
  t.erase(0, lead);
  if (t.empty()) return "";
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
