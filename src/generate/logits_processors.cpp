// The sampler chain stages (see logits_processors.h for each one's rule).
#include "marketlm/generate/logits_processors.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <unordered_set>

#include "marketlm/generate/constraints.h"

namespace marketlm {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

bool in_vocab(int32_t id, std::span<float> scores) {
  return id >= 0 && static_cast<size_t>(id) < scores.size();
}

// Softmax in double; -inf scores get probability 0.
std::vector<double> probs_of(std::span<const float> scores) {
  std::vector<double> p(scores.size(), 0.0);
  float mx = kNegInf;
  for (float s : scores) mx = std::max(mx, s);
  if (mx == kNegInf) return p;
  double sum = 0;
  for (size_t i = 0; i < scores.size(); ++i) {
    p[i] = std::exp(static_cast<double>(scores[i]) - mx);
    sum += p[i];
  }
  for (double& v : p) v /= sum;
  return p;
}

// Indices of the finite scores sorted by descending score; ties keep index
// order. Tokens already at -inf are left out: they are removed whatever their
// rank, and after top-k most of a 50k vocabulary is -inf.
std::vector<int> order_desc(std::span<const float> scores) {
  std::vector<int> idx;
  for (size_t i = 0; i < scores.size(); ++i)
    if (scores[i] != kNegInf) idx.push_back(static_cast<int>(i));
  std::stable_sort(idx.begin(), idx.end(), [&](int a, int b) { return scores[a] > scores[b]; });
  return idx;
}

}  // namespace

void RepetitionPenalty::apply(std::span<float> scores, const TokenHistory& h) const {
  std::unordered_set<int32_t> seen;
  for (int32_t id : h.ids) {
    if (!in_vocab(id, scores) || !seen.insert(id).second) continue;
    float& s = scores[id];
    s = s < 0 ? s * penalty_ : s / penalty_;
  }
}

void NoRepeatNGram::apply(std::span<float> scores, const TokenHistory& h) const {
  const int len = static_cast<int>(h.ids.size());
  if (n_ <= 0 || len + 1 < n_) return;
  const int pre = n_ - 1;  // tokens that must match before the banned one
  const int32_t* tail = h.ids.data() + (len - pre);
  for (int i = 0; i + n_ <= len; ++i) {
    if (std::equal(tail, tail + pre, h.ids.data() + i)) {
      int32_t banned = h.ids[i + pre];
      if (in_vocab(banned, scores)) scores[banned] = kNegInf;
    }
  }
}

void MinNewTokens::apply(std::span<float> scores, const TokenHistory& h) const {
  if (h.new_len() >= min_new_ && static_cast<int>(h.ids.size()) >= min_length_) return;
  for (int32_t e : eos_)
    if (in_vocab(e, scores)) scores[e] = kNegInf;
}

void BadWords::apply(std::span<float> scores, const TokenHistory& h) const {
  for (const auto& w : words_) {
    const size_t pre = w.size() - 1;
    if (pre > h.ids.size()) continue;
    if (std::equal(w.begin(), w.begin() + pre, h.ids.end() - pre) && in_vocab(w.back(), scores))
      scores[w.back()] = kNegInf;
  }
}

void LogitBias::apply(std::span<float> scores, const TokenHistory&) const {
  for (const auto& [id, b] : bias_)
    if (in_vocab(id, scores)) scores[id] += b;
}

SequenceBias::SequenceBias(std::vector<std::pair<std::vector<int32_t>, float>> biases) {
  // HF turns the list into a dict: a repeated sequence keeps its last bias.
  for (auto& [ids, b] : biases) {
    auto same = std::find_if(biases_.begin(), biases_.end(), [&](const auto& e) { return e.first == ids; });
    if (same != biases_.end()) {
      same->second = b;
    } else {
      biases_.emplace_back(std::move(ids), b);
    }
  }
}

void SequenceBias::apply(std::span<float> scores, const TokenHistory& h) const {
  for (const auto& [ids, b] : biases_) {
    if (ids.empty() || !in_vocab(ids.back(), scores)) continue;
    if (ids.size() > 1) {
      if (ids.size() > h.ids.size()) continue;  // HF: longer than the context, ignored
      const size_t pre = ids.size() - 1;
      if (!std::equal(ids.begin(), ids.begin() + pre, h.ids.end() - pre)) continue;
    }
    scores[ids.back()] += b;
  }
}

void Temperature::apply(std::span<float> scores, const TokenHistory&) const {
  for (float& s : scores) s /= t_;
}

void TopK::apply(std::span<float> scores, const TokenHistory&) const {
  const int v = static_cast<int>(scores.size());
  const int k = std::min(std::max(k_, min_keep_), v);
  if (k <= 0 || k >= v) return;
  std::vector<float> tmp(scores.begin(), scores.end());
  std::nth_element(tmp.begin(), tmp.begin() + (k - 1), tmp.end(), std::greater<float>());
  const float kth = tmp[k - 1];
  for (float& s : scores)
    if (s < kth) s = kNegInf;
}

void TopP::apply(std::span<float> scores, const TokenHistory&) const {
  if (p_ >= 1.0f) return;
  const std::vector<double> p = probs_of(scores);
  const std::vector<int> order = order_desc(scores);
  double before = 0;  // mass of the tokens ranked above
  for (size_t r = 0; r < order.size(); ++r) {
    const int id = order[r];
    if (static_cast<int>(r) >= min_keep_ && before >= p_) scores[id] = kNegInf;
    before += p[id];
  }
}

void MinP::apply(std::span<float> scores, const TokenHistory&) const {
  if (p_ <= 0.0f) return;
  const std::vector<double> p = probs_of(scores);
  const double top = *std::max_element(p.begin(), p.end());
  const double threshold = p_ * top;
  const std::vector<int> order = order_desc(scores);
  for (size_t r = 0; r < order.size(); ++r) {
    const int id = order[r];
    if (static_cast<int>(r) >= min_keep_ && p[id] < threshold) scores[id] = kNegInf;
  }
}

void TypicalP::apply(std::span<float> scores, const TokenHistory&) const {
  if (p_ >= 1.0f) return;
  const std::vector<double> p = probs_of(scores);
  double entropy = 0;
  for (double q : p)
    if (q > 0) entropy -= q * std::log(q);
  std::vector<double> shifted(p.size());
  for (size_t i = 0; i < p.size(); ++i)
    shifted[i] = p[i] > 0 ? std::fabs(-std::log(p[i]) - entropy) : std::numeric_limits<double>::infinity();
  std::vector<int> order(p.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return shifted[a] < shifted[b]; });
  // last: the first rank whose cumulative mass reaches p (capped at V-1).
  size_t last = 0;
  double cum = 0;
  for (; last < order.size(); ++last) {
    cum += p[order[last]];
    if (cum >= p_) break;
  }
  last = std::min(last, order.size() - 1);
  const double limit = shifted[order[last]];
  for (size_t r = 0; r < order.size(); ++r) {
    const int id = order[r];
    if (static_cast<int>(r) >= min_keep_ && shifted[id] > limit) scores[id] = kNegInf;
  }
}

std::vector<std::string> ProcessorChain::names() const {
  std::vector<std::string> out;
  for (const auto& s : stages_) out.emplace_back(s->name());
  return out;
}

ProcessorChain make_processors(const GenerationConfig& c, int prompt_len) {
  ProcessorChain chain;
  if (!c.sequence_bias.empty()) chain.add(std::make_unique<SequenceBias>(c.sequence_bias));
  if (c.repetition_penalty != 1.0f) chain.add(std::make_unique<RepetitionPenalty>(c.repetition_penalty));
  if (c.no_repeat_ngram_size > 0) chain.add(std::make_unique<NoRepeatNGram>(c.no_repeat_ngram_size));
  if ((c.min_new_tokens > 0 || c.min_length > 0) && !c.eos_token_id.empty())
    chain.add(std::make_unique<MinNewTokens>(c.min_new_tokens, c.min_length, c.eos_token_id));
  if (!c.bad_words_ids.empty()) chain.add(std::make_unique<BadWords>(c.bad_words_ids));
  if (!c.logit_bias.empty()) chain.add(std::make_unique<LogitBias>(c.logit_bias));
  if (!c.force_words_ids.empty())
    chain.add(std::make_unique<ForceWords>(c.force_words_ids, c.eos_token_id, c.new_token_budget(prompt_len)));
  return chain;
}

ProcessorChain make_warpers(const GenerationConfig& c, int min_keep) {
  ProcessorChain chain;
  if (c.temperature != 1.0f) chain.add(std::make_unique<Temperature>(c.temperature));
  if (c.top_k > 0) chain.add(std::make_unique<TopK>(c.top_k, min_keep));
  if (c.top_p < 1.0f) chain.add(std::make_unique<TopP>(c.top_p, min_keep));
  if (c.min_p > 0.0f) chain.add(std::make_unique<MinP>(c.min_p, min_keep));
  if (c.typical_p < 1.0f) chain.add(std::make_unique<TypicalP>(c.typical_p, min_keep));
  return chain;
}

}  // namespace marketlm
