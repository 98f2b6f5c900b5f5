// Character and token n-gram Jaccard similarity.
#include "marketlm/generate/distinct.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <string>
#include <vector>

namespace marketlm {
namespace {

// Splits UTF-8 text into code points (as byte strings), folding ASCII case.
std::vector<std::string> chars_of(std::string_view s) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (c >= 0x80 && c < 0xC0) len = 1;  // stray continuation byte: its own "character"
    len = std::min(len, s.size() - i);
    std::string ch(s.substr(i, len));
    if (len == 1) ch[0] = static_cast<char>(std::tolower(c));
    out.push_back(std::move(ch));
    i += len;
  }
  return out;
}

template <typename T>
double jaccard(const std::vector<T>& a, const std::vector<T>& b, int n) {
  auto grams = [n](const std::vector<T>& v) {
    std::set<std::vector<T>> g;
    if (v.empty()) return g;
    if (static_cast<int>(v.size()) < n) {
      g.insert(v);
      return g;
    }
    for (size_t i = 0; i + n <= v.size(); ++i) g.insert(std::vector<T>(v.begin() + i, v.begin() + i + n));
    return g;
  };
  const auto ga = grams(a), gb = grams(b);
  if (ga.empty() && gb.empty()) return 1.0;
  size_t inter = 0;
  for (const auto& x : ga) inter += gb.count(x);
  const size_t uni = ga.size() + gb.size() - inter;
  return static_cast<double>(inter) / static_cast<double>(uni);
}

}  // namespace

double char_ngram_jaccard(std::string_view a, std::string_view b, int n) {
  return jaccard(chars_of(a), chars_of(b), std::max(n, 1));
}

double token_ngram_jaccard(std::span<const int32_t> a, std::span<const int32_t> b, int n) {
  return jaccard(std::vector<int32_t>(a.begin(), a.end()), std::vector<int32_t>(b.begin(), b.end()),
                 std::max(n, 1));
}

}  // namespace marketlm
