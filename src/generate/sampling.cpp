// Greedy choice, seeded sampling, log-softmax, top alternatives.
#include "marketlm/generate/sampling.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace marketlm {
namespace {
constexpr float kNegInf = -std::numeric_limits<float>::infinity();
}  // namespace

int32_t argmax_token(std::span<const float> scores) {
  int32_t best = -1;
  for (size_t i = 0; i < scores.size(); ++i) {
    if (scores[i] == kNegInf || std::isnan(scores[i])) continue;
    if (best < 0 || scores[i] > scores[best]) best = static_cast<int32_t>(i);
  }
  return best;
}

int32_t sample_token(std::span<const float> scores, Rng& rng) {
  const int32_t top = argmax_token(scores);
  if (top < 0) return -1;
  const double mx = scores[top];
  double sum = 0;
  for (float s : scores)
    if (s != kNegInf && !std::isnan(s)) sum += std::exp(static_cast<double>(s) - mx);
  const double u = rng.uniform_f64() * sum;
  double cum = 0;
  int32_t last = top;
  for (size_t i = 0; i < scores.size(); ++i) {
    const float s = scores[i];
    if (s == kNegInf || std::isnan(s)) continue;
    const double p = std::exp(static_cast<double>(s) - mx);
    if (p <= 0) continue;
    cum += p;
    last = static_cast<int32_t>(i);
    if (u < cum) return last;
  }
  return last;  // rounding left u just above the total: take the last possible token
}

void log_softmax(std::span<const float> scores, std::span<float> out) {
  float mx = kNegInf;
  for (float s : scores) mx = std::max(mx, s);
  if (mx == kNegInf) {
    std::fill(out.begin(), out.end(), kNegInf);
    return;
  }
  double sum = 0;
  for (float s : scores) sum += std::exp(static_cast<double>(s) - mx);
  const double lse = mx + std::log(sum);
  for (size_t i = 0; i < scores.size(); ++i)
    out[i] = scores[i] == kNegInf ? kNegInf : static_cast<float>(scores[i] - lse);
}

std::vector<TokenLogprob> top_logprobs(std::span<const float> logprobs, int k) {
  std::vector<int32_t> idx;
  for (size_t i = 0; i < logprobs.size(); ++i)
    if (logprobs[i] != kNegInf && !std::isnan(logprobs[i])) idx.push_back(static_cast<int32_t>(i));
  const size_t n = std::min(idx.size(), static_cast<size_t>(std::max(k, 0)));
  std::partial_sort(idx.begin(), idx.begin() + n, idx.end(), [&](int32_t a, int32_t b) {
    return logprobs[a] != logprobs[b] ? logprobs[a] > logprobs[b] : a < b;
  });
  std::vector<TokenLogprob> out;
  for (size_t i = 0; i < n; ++i) out.push_back({idx[i], logprobs[idx[i]]});
  return out;
}

}  // namespace marketlm
