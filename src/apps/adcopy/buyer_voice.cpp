#include "marketlm/apps/adcopy/buyer_voice.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace marketlm::adcopy {
namespace {

constexpr std::array<std::string_view, 17> kChineseMarkers = {
    "买", "收到", "快递", "物流", "发货", "卖家", "客服", "京东", "好评",
    "差评", "下次", "回购", "送货", "退货", "换货", "店家", "掌柜"};
constexpr std::string_view kFirstPerson = "我";

// Whole words, matched ASCII case-insensitively: reviews often write the
// pronoun in lower case ("i ordered", "i'm 5'3").
constexpr std::array<std::string_view, 10> kEnglishWords = {"I", "I'm", "I've", "I'd", "my", "me",
                                                            "ordered", "bought", "purchased", "returned"};

bool word_char(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '\'';
}

bool same_word_ascii_ci(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

// 我 on its own: not the first character of 我们, not the second of 自我.
bool first_person_alone(std::string_view text) {
  constexpr std::string_view we = "们", self = "自";
  for (size_t at = text.find(kFirstPerson); at != std::string_view::npos;
       at = text.find(kFirstPerson, at + 1)) {
    const size_t after = at + kFirstPerson.size();
    const bool plural = text.substr(after, we.size()) == we;
    const bool reflexive = at >= self.size() && text.substr(at - self.size(), self.size()) == self;
    if (!plural && !reflexive) return true;
  }
  return false;
}

}  // namespace

std::vector<std::string> buyer_voice_markers(std::string_view text) {
  std::vector<std::string> found;
  if (first_person_alone(text)) found.emplace_back(kFirstPerson);
  for (std::string_view m : kChineseMarkers)
    if (text.find(m) != std::string_view::npos) found.emplace_back(m);
  // English: split into words of letters and apostrophes.
  std::vector<std::string_view> words;
  for (size_t i = 0; i < text.size();) {
    if (!word_char(text[i])) { ++i; continue; }
    size_t j = i;
    while (j < text.size() && word_char(text[j])) ++j;
    words.push_back(text.substr(i, j - i));
    i = j;
  }
  for (std::string_view m : kEnglishWords)
    if (std::any_of(words.begin(), words.end(), [&](std::string_view w) { return same_word_ascii_ci(w, m); }))
      found.emplace_back(m);
  return found;
}

bool has_buyer_voice(std::string_view text) { return !buyer_voice_markers(text).empty(); }

bool speaks_as_buyer(const Brief& brief, std::string_view text) {
  std::vector<std::string> own = {brief.product, brief.target, brief.audience, brief.tone};
  own.insert(own.end(), brief.features.begin(), brief.features.end());
  own.insert(own.end(), brief.keywords.begin(), brief.keywords.end());
  std::string joined;
  for (const std::string& s : own) joined += s + "\n";
  const std::vector<std::string> in_brief = buyer_voice_markers(joined);
  for (const std::string& m : buyer_voice_markers(text))
    if (std::find(in_brief.begin(), in_brief.end(), m) == in_brief.end()) return true;
  return false;
}

}  // namespace marketlm::adcopy
