// Force words (phrasal constrained decoding), bad-word text backstop, variants.
#include "marketlm/generate/constraints.h"

#include <algorithm>
#include <cctype>
#include <limits>
#include <set>

namespace marketlm {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

bool contains_seq(std::span<const int32_t> hay, const std::vector<int32_t>& needle) {
  if (needle.size() > hay.size()) return false;
  return std::search(hay.begin(), hay.end(), needle.begin(), needle.end()) != hay.end();
}

int min_len(const std::vector<std::vector<int32_t>>& alts) {
  int m = std::numeric_limits<int>::max();
  for (const auto& a : alts) m = std::min(m, static_cast<int>(a.size()));
  return m;
}

void force_token(std::span<float> scores, int32_t tok) {
  if (tok < 0 || static_cast<size_t>(tok) >= scores.size()) return;
  float keep = scores[tok] == kNegInf ? 0.0f : scores[tok];
  std::fill(scores.begin(), scores.end(), kNegInf);
  scores[tok] = keep;
}

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

}  // namespace

bool force_words_met(const std::vector<std::vector<std::vector<int32_t>>>& words,
                     std::span<const int32_t> generated) {
  for (const auto& alts : words) {
    bool met = false;
    for (const auto& a : alts) met = met || contains_seq(generated, a);
    if (!met) return false;
  }
  return true;
}

int force_words_min_tokens(const std::vector<std::vector<std::vector<int32_t>>>& words) {
  int n = 0;
  for (const auto& alts : words) n += min_len(alts);
  return n;
}

void ForceWords::apply(std::span<float> scores, const TokenHistory& h) const {
  std::span<const int32_t> gen = h.ids.subspan(static_cast<size_t>(h.prompt_len));
  std::vector<int> unmet;
  int needed = 0;
  for (size_t w = 0; w < words_.size(); ++w) {
    bool met = false;
    for (const auto& a : words_[w]) met = met || contains_seq(gen, a);
    if (!met) {
      unmet.push_back(static_cast<int>(w));
      needed += min_len(words_[w]);
    }
  }
  if (unmet.empty()) return;
  for (int32_t e : eos_)
    if (e >= 0 && static_cast<size_t>(e) < scores.size()) scores[e] = kNegInf;
  const int remaining = max_new_ - static_cast<int>(gen.size());  // tokens left, this one included

  // 1. Complete a word the sequence has started (longest started prefix wins).
  int best_m = 0;
  int32_t best_tok = -1;
  for (int w : unmet) {
    for (const auto& a : words_[w]) {
      const int len = static_cast<int>(a.size());
      const int others = needed - min_len(words_[w]);
      for (int m = std::min(len - 1, static_cast<int>(gen.size())); m > best_m; --m) {
        if (!std::equal(a.begin(), a.begin() + m, gen.end() - m)) continue;
        if ((len - m) + others <= remaining) {
          best_m = m;
          best_tok = a[m];
        }
        break;
      }
    }
  }
  if (best_tok >= 0) {
    force_token(scores, best_tok);
    return;
  }
  // 2. Out of slack: start the best-scoring shortest alternative of an unmet word.
  if (remaining > needed) return;
  int32_t start = -1;
  for (int w : unmet) {
    const int m = min_len(words_[w]);
    for (const auto& a : words_[w]) {
      if (static_cast<int>(a.size()) != m) continue;
      const int32_t t = a[0];
      if (t < 0 || static_cast<size_t>(t) >= scores.size()) continue;
      if (start < 0 || scores[t] > scores[start]) start = t;
    }
  }
  if (start >= 0) force_token(scores, start);
}

int find_bad_word(std::string_view text, const std::vector<std::string>& words) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (size_t w = 0; w < words.size(); ++w) {
    std::string needle = words[w];
    for (char& c : needle) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (needle.empty()) continue;
    for (size_t pos = lower.find(needle); pos != std::string::npos; pos = lower.find(needle, pos + 1)) {
      const bool left_ok = pos == 0 || !is_word_char(lower[pos - 1]) || !is_word_char(needle.front());
      const size_t end = pos + needle.size();
      const bool right_ok = end == lower.size() || !is_word_char(lower[end]) || !is_word_char(needle.back());
      if (left_ok && right_ok) return static_cast<int>(w);
    }
  }
  return -1;
}

std::vector<std::vector<int32_t>> word_variants(const std::string& word, const EncodeFn& encode) {
  std::vector<std::string> forms;
  std::string cap = word, upper = word;
  for (char& c : cap) {
    if (std::isalpha(static_cast<unsigned char>(c))) {
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      break;
    }
  }
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const std::string& f : {word, cap, upper}) {
    forms.push_back(f);
    forms.push_back(" " + f);
  }
  std::set<std::vector<int32_t>> seen;
  std::vector<std::vector<int32_t>> out;
  for (const auto& f : forms) {
    std::vector<int32_t> ids = encode(f);
    if (!ids.empty() && seen.insert(ids).second) out.push_back(std::move(ids));
  }
  return out;
}

std::vector<std::vector<int32_t>> bad_words_ids_for(const std::vector<std::string>& words,
                                                    const EncodeFn& encode) {
  std::vector<std::vector<int32_t>> out;
  for (const auto& w : words)
    for (auto& v : word_variants(w, encode)) out.push_back(std::move(v));
  return out;
}

std::vector<std::vector<std::vector<int32_t>>> force_words_ids_for(
    const std::vector<std::string>& words, const EncodeFn& encode) {
  std::vector<std::vector<std::vector<int32_t>>> out;
  for (const auto& w : words) out.push_back(word_variants(w, encode));
  return out;
}

}  // namespace marketlm
