#include "marketlm/apps/adcopy/feature_boost.h"

#include "marketlm/apps/adcopy/text_width.h"

#include <algorithm>
#include <cctype>
#include <unordered_map>
#include <unordered_set>

namespace marketlm::adcopy {
namespace {

// Logit bias that finishes an English feature begun with its head.
constexpr float kFinishWordBias = 100.0f;

// a starts with b, or b starts with a (both non-empty); when first_any_case,
// the first byte may differ in ASCII case (a capitalised feature word).
bool prefix_either_way(std::string_view a, std::string_view b, bool first_any_case) {
  const size_t n = std::min(a.size(), b.size());
  if (n == 0) return false;
  for (size_t i = 0; i < n; ++i) {
    if (a[i] == b[i]) continue;
    const bool first_case = first_any_case && i == 0 &&
                            std::tolower(static_cast<unsigned char>(a[i])) == std::tolower(static_cast<unsigned char>(b[i]));
    if (!first_case) return false;
  }
  return true;
}

bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// The first character of f (a whole UTF-8 sequence), or up to 3 bytes of
// ASCII (one letter is in every English word).
std::string head_of(std::string_view f) {
  const unsigned char c = static_cast<unsigned char>(f[0]);
  size_t n = c < 0x80 ? 3 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
  if (c < 0x80) {
    size_t k = 0;
    while (k < f.size() && k < n && static_cast<unsigned char>(f[k]) < 0x80) ++k;
    n = k;
  }
  return std::string(f.substr(0, std::min(n, f.size())));
}

// The text ends with the feature's first k bytes, begun where the feature
// may begin: anywhere for Chinese, at a word boundary for an English word
// ("slow" does not begin "low price").
bool ends_with_begun(std::string_view lt, std::string_view feature, size_t k, bool word) {
  if (!ends_with(lt, feature.substr(0, k))) return false;
  return !word || lt.size() == k || !is_ascii_letter(lt[lt.size() - k - 1]);
}

size_t count_of(std::string_view s, std::string_view w) {
  size_t n = 0;
  for (size_t p = s.find(w); p != std::string_view::npos; p = s.find(w, p + w.size())) ++n;
  return n;
}

}  // namespace

FeatureBooster::FeatureBooster(const std::vector<std::string>& features,
                               const std::vector<std::string>& token_bytes, const std::vector<int32_t>& skip,
                               float start_boost, float continue_boost, int max_starts)
    : start_boost_(start_boost), continue_boost_(continue_boost), max_starts_(max_starts) {
  const std::unordered_set<int32_t> skipped(skip.begin(), skip.end());
  std::unordered_set<std::string> seen;
  for (const std::string& f : features) {
    Feature feat;
    feat.lower = lower_ascii(f);
    if (feat.lower.empty() || !seen.insert(feat.lower).second) continue;
    feat.head = head_of(feat.lower);
    feat.word = is_ascii_letter(feat.lower[0]);
    feat.at.resize(feat.lower.size());
    // Tokens are matched in the feature's own case, except its first letter
    // ("light" may start as "Light"), so a boost never writes "BReathable".
    for (size_t k = 0; k < f.size(); ++k) {
      const std::string_view rest = std::string_view(f).substr(k);
      for (size_t id = 0; id < token_bytes.size(); ++id) {
        if (skipped.count(static_cast<int32_t>(id))) continue;
        std::string_view t = token_bytes[id];
        if (k == 0) {
          const size_t first = t.find_first_not_of(' ');
          t = first == std::string_view::npos ? std::string_view() : t.substr(first);
        }
        // A token that writes an English feature and more must end its word
        // there (" range." for "range", not " rangers").
        const bool runs_on = feat.word && t.size() > rest.size() && is_ascii_letter(t[rest.size()]);
        if (!runs_on && prefix_either_way(t, rest, k == 0)) {
          feat.at[k].push_back(static_cast<int32_t>(id));
          if (k == 0 && t.size() < token_bytes[id].size()) feat.spaced_starts.push_back(static_cast<int32_t>(id));
        }
      }
    }
    features_.push_back(std::move(feat));
  }
  if (std::any_of(features_.begin(), features_.end(), [](const Feature& f) { return f.word; })) {
    for (size_t id = 0; id < token_bytes.size(); ++id)
      if (!skipped.count(static_cast<int32_t>(id)) && !token_bytes[id].empty() && is_ascii_letter(token_bytes[id][0]))
        letter_tokens_.push_back(static_cast<int32_t>(id));
  }
}

std::vector<std::pair<int32_t, float>> FeatureBooster::biases(std::string_view text) const {
  std::vector<std::pair<int32_t, float>> out;
  if (features_.empty() || (start_boost_ == 0.0f && continue_boost_ == 0.0f)) return out;
  const std::string lt = lower_ascii(text);
  std::unordered_map<int32_t, size_t> slot;  // token -> index in out
  auto give = [&](int32_t id, float b) {
    auto [it, fresh] = slot.emplace(id, out.size());
    if (fresh) {
      out.emplace_back(id, b);
    } else {
      out[it->second].second = std::max(out[it->second].second, b);
    }
  };
  // Mid-feature: the text ends with at least the head of an unwritten
  // feature. Then only its continuation is helped; a start boost there is what
  // wrote stutters such as 低价低价格 (a feature begun, then begun again).
  bool mid_feature = false;
  for (const Feature& f : features_) {
    if (lt.find(f.lower) != std::string::npos) continue;
    for (size_t k = f.head.size(); k < f.lower.size() && !mid_feature; ++k)
      mid_feature = ends_with_begun(lt, f.lower, k, f.word);
  }
  for (const Feature& f : features_) {
    if (lt.find(f.lower) != std::string::npos) continue;  // written: no more help
    if (start_boost_ != 0.0f && !mid_feature && count_of(lt, f.head) < static_cast<size_t>(max_starts_)) {
      const bool in_word = f.word && !lt.empty() && is_ascii_letter(lt.back());
      for (int32_t id : in_word ? f.spaced_starts : f.at[0]) give(id, start_boost_);
    }
    if (continue_boost_ == 0.0f) continue;
    for (size_t k = 1; k < f.at.size(); ++k) {
      if (!ends_with_begun(lt, f.lower, k, f.word)) continue;
      // An English feature begun with its head is finished: a small model
      // often prefers another suffix ("Brea" + "torable") over the boost.
      const float b = f.word && k >= f.head.size() ? kFinishWordBias : continue_boost_;
      for (int32_t id : f.at[k]) give(id, b);
    }
  }
  // An English feature just finished ends its word: "low price" + "ntial"
  // would make another word of it.
  for (const Feature& f : features_) {
    if (!f.word || !ends_with_begun(lt, f.lower, f.lower.size(), true)) continue;
    for (int32_t id : letter_tokens_) {
      auto [it, fresh] = slot.emplace(id, out.size());
      if (fresh) out.emplace_back(id, -kFinishWordBias);
      else out[it->second].second = -kFinishWordBias;
    }
    break;
  }
  return out;
}

}  // namespace marketlm::adcopy
