#include "marketlm/apps/adcopy/metrics.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>

#include "marketlm/apps/adcopy/text_width.h"

namespace marketlm::adcopy {
namespace {

using NgramCounts = std::map<Tokens, size_t>;

NgramCounts ngrams(const Tokens& t, int n) {
  NgramCounts c;
  if (t.size() < static_cast<size_t>(n)) return c;
  for (size_t i = 0; i + n <= t.size(); ++i) ++c[Tokens(t.begin() + i, t.begin() + i + n)];
  return c;
}

// Clipped matches and the hypothesis n-gram count for one order.
std::pair<size_t, size_t> clipped(const Tokens& hyp, const Tokens& ref, int n) {
  NgramCounts h = ngrams(hyp, n), r = ngrams(ref, n);
  size_t match = 0, total = 0;
  for (const auto& [g, c] : h) {
    total += c;
    auto it = r.find(g);
    if (it != r.end()) match += std::min(c, it->second);
  }
  return {match, total};
}

double brevity_penalty(size_t ref_len, size_t hyp_len) {
  if (hyp_len > ref_len) return 1.0;
  if (hyp_len == 0) return 0.0;
  return std::exp(1.0 - static_cast<double>(ref_len) / static_cast<double>(hyp_len));
}

PrfScore prf(size_t overlap, size_t hyp_total, size_t ref_total) {
  PrfScore s;
  s.precision = hyp_total ? static_cast<double>(overlap) / hyp_total : 0.0;
  s.recall = ref_total ? static_cast<double>(overlap) / ref_total : 0.0;
  s.f1 = s.precision + s.recall > 0 ? 2 * s.precision * s.recall / (s.precision + s.recall) : 0.0;
  return s;
}

}  // namespace

Tokens char_tokens(std::string_view s) {
  Tokens t;
  for (char32_t c : decode_utf8(s)) {
    if (is_space(c)) continue;
    std::string one;
    append_utf8(one, c);
    t.push_back(std::move(one));
  }
  return t;
}

double corpus_bleu(const std::vector<Tokens>& hyps, const std::vector<Tokens>& refs, int max_n) {
  std::vector<size_t> num(max_n + 1, 0), den(max_n + 1, 0);
  size_t hyp_len = 0, ref_len = 0;
  size_t n_pairs = std::min(hyps.size(), refs.size());
  for (size_t s = 0; s < n_pairs; ++s) {
    for (int n = 1; n <= max_n; ++n) {
      auto [m, t] = clipped(hyps[s], refs[s], n);
      num[n] += m;
      den[n] += std::max<size_t>(1, t);
    }
    hyp_len += hyps[s].size();
    ref_len += refs[s].size();
  }
  if (n_pairs == 0 || num[1] == 0) return 0.0;
  double log_sum = 0.0;
  for (int n = 1; n <= max_n; ++n) {
    if (num[n] == 0) return 0.0;
    log_sum += std::log(static_cast<double>(num[n]) / static_cast<double>(den[n])) / max_n;
  }
  return brevity_penalty(ref_len, hyp_len) * std::exp(log_sum);
}

double sentence_bleu_smoothed(const Tokens& hyp, const Tokens& ref, int max_n) {
  std::vector<double> p(max_n + 1, 0.0);
  size_t first_num = 0;
  int k = 1;
  for (int n = 1; n <= max_n; ++n) {
    auto [m, t] = clipped(hyp, ref, n);
    size_t d = std::max<size_t>(1, t);
    if (n == 1) first_num = m;
    if (m == 0) {
      p[n] = 1.0 / (std::pow(2.0, k) * static_cast<double>(d));
      ++k;
    } else {
      p[n] = static_cast<double>(m) / static_cast<double>(d);
    }
  }
  if (first_num == 0) return 0.0;
  double log_sum = 0.0;
  for (int n = 1; n <= max_n; ++n) log_sum += std::log(p[n]) / max_n;
  return brevity_penalty(ref.size(), hyp.size()) * std::exp(log_sum);
}

PrfScore rouge_n(const Tokens& hyp, const Tokens& ref, int n) {
  NgramCounts h = ngrams(hyp, n), r = ngrams(ref, n);
  size_t overlap = 0, ht = 0, rt = 0;
  for (const auto& [g, c] : h) {
    ht += c;
    auto it = r.find(g);
    if (it != r.end()) overlap += std::min(c, it->second);
  }
  for (const auto& [g, c] : r) rt += c;
  return prf(overlap, ht, rt);
}

size_t lcs_length(const Tokens& a, const Tokens& b) {
  std::vector<size_t> prev(b.size() + 1, 0), cur(b.size() + 1, 0);
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = a[i - 1] == b[j - 1] ? prev[j - 1] + 1 : std::max(prev[j], cur[j - 1]);
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

PrfScore rouge_l(const Tokens& hyp, const Tokens& ref) {
  return prf(lcs_length(hyp, ref), hyp.size(), ref.size());
}

double distinct_n(const std::vector<Tokens>& texts, int n) {
  std::set<Tokens> uniq;
  size_t total = 0;
  for (const auto& t : texts) {
    if (t.size() < static_cast<size_t>(n)) continue;
    for (size_t i = 0; i + n <= t.size(); ++i) {
      uniq.insert(Tokens(t.begin() + i, t.begin() + i + n));
      ++total;
    }
  }
  return total ? static_cast<double>(uniq.size()) / total : 0.0;
}

std::vector<std::string> covered_features(const std::vector<std::string>& features,
                                          std::string_view text) {
  std::string lt = lower_ascii(text);
  std::vector<std::string> out;
  for (const auto& f : features)
    if (!f.empty() && lt.find(lower_ascii(f)) != std::string::npos) out.push_back(f);
  return out;
}

bool has_stutter(std::string_view text) {
  const std::u32string cps = decode_utf8(text);
  const size_t n = cps.size();
  for (size_t len = 2; 2 * len <= n; ++len) {
    for (size_t i = 0; i + 2 * len <= n; ++i) {
      bool same = true;
      for (size_t k = 0; k < len && same; ++k)
        same = cps[i + k] == cps[i + len + k] && is_cjk_ideograph(cps[i + k]);
      if (same) return true;
    }
  }
  return false;
}

double feature_coverage(const std::vector<std::string>& features, std::string_view text) {
  size_t n = 0;
  for (const auto& f : features) n += f.empty() ? 0 : 1;
  if (n == 0) return 1.0;
  return static_cast<double>(covered_features(features, text).size()) / n;
}

}  // namespace marketlm::adcopy
