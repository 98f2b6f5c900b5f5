// The composable sampler chain: each stage rewrites one row of next-token
// scores in place, given the token history. "Processors" change which tokens
// are allowed or how likely (penalties, bans, biases); "warpers" reshape the
// distribution before sampling (temperature, top-k, top-p, min-p, typical-p)
// and run only when do_sample is true. A removed token gets -infinity.
// The semantics follow Hugging Face's LogitsProcessor classes; each class
// notes the one it matches.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "marketlm/generate/generation_config.h"

namespace marketlm {

// The tokens a row of scores follows: the prompt, then the generated tokens.
struct TokenHistory {
  std::span<const int32_t> ids;
  int prompt_len = 0;
  int new_len() const { return static_cast<int>(ids.size()) - prompt_len; }
};

class LogitsProcessor {
 public:
  virtual ~LogitsProcessor() = default;
  virtual const char* name() const = 0;
  virtual void apply(std::span<float> scores, const TokenHistory& history) const = 0;
};

// HF RepetitionPenaltyLogitsProcessor: for every distinct token already in
// the history (prompt included), a positive score is divided by the penalty
// and a negative one multiplied by it.
class RepetitionPenalty final : public LogitsProcessor {
 public:
  explicit RepetitionPenalty(float penalty) : penalty_(penalty) {}
  const char* name() const override { return "repetition_penalty"; }
  void apply(std::span<float> scores, const TokenHistory& h) const override;

 private:
  float penalty_;
};

// HF NoRepeatNGramLogitsProcessor: bans every token that would complete an
// n-gram already present in the history (prompt included).
class NoRepeatNGram final : public LogitsProcessor {
 public:
  explicit NoRepeatNGram(int n) : n_(n) {}
  const char* name() const override { return "no_repeat_ngram"; }
  void apply(std::span<float> scores, const TokenHistory& h) const override;

 private:
  int n_;
};

// HF MinNewTokensLengthLogitsProcessor + MinLengthLogitsProcessor: EOS tokens
// are banned until min_new_tokens new tokens exist and the whole sequence has
// min_length tokens.
class MinNewTokens final : public LogitsProcessor {
 public:
  MinNewTokens(int min_new_tokens, int min_length, std::vector<int32_t> eos)
      : min_new_(min_new_tokens), min_length_(min_length), eos_(std::move(eos)) {}
  const char* name() const override { return "min_new_tokens"; }
  void apply(std::span<float> scores, const TokenHistory& h) const override;

 private:
  int min_new_, min_length_;
  std::vector<int32_t> eos_;
};

// HF NoBadWordsLogitsProcessor: a one-token bad word is always banned; for a
// longer one, its last token is banned whenever the history ends with the
// rest of it. So no bad word can ever be completed.
class BadWords final : public LogitsProcessor {
 public:
  explicit BadWords(std::vector<std::vector<int32_t>> words) : words_(std::move(words)) {}
  const char* name() const override { return "bad_words"; }
  void apply(std::span<float> scores, const TokenHistory& h) const override;

 private:
  std::vector<std::vector<int32_t>> words_;
};

// Adds a fixed bias to chosen tokens' scores (OpenAI's logit_bias); ids
// outside the vocabulary are ignored (generate() rejects them up front).
class LogitBias final : public LogitsProcessor {
 public:
  explicit LogitBias(std::map<int32_t, float> bias) : bias_(std::move(bias)) {}
  const char* name() const override { return "logit_bias"; }
  void apply(std::span<float> scores, const TokenHistory& h) const override;

 private:
  std::map<int32_t, float> bias_;
};

// HF SequenceBiasLogitsProcessor: each entry (token sequence, bias) adds its
// bias to the sequence's last token. A 1-token sequence gets it on every
// step; a longer one only when the history (prompt included) ends with all
// its tokens but the last, and, as HF does, only once the history is at
// least as long as the whole sequence. Biases of different sequences that
// match at one step add up; a sequence listed twice keeps its last bias.
// A -inf score stays -inf.
class SequenceBias final : public LogitsProcessor {
 public:
  explicit SequenceBias(std::vector<std::pair<std::vector<int32_t>, float>> biases);
  const char* name() const override { return "sequence_bias"; }
  void apply(std::span<float> scores, const TokenHistory& h) const override;

 private:
  std::vector<std::pair<std::vector<int32_t>, float>> biases_;  // distinct sequences
};

// HF TemperatureLogitsWarper: scores / temperature.
class Temperature final : public LogitsProcessor {
 public:
  explicit Temperature(float t) : t_(t) {}
  const char* name() const override { return "temperature"; }
  void apply(std::span<float> scores, const TokenHistory& h) const override;

 private:
  float t_;
};

// HF TopKLogitsWarper: keeps tokens whose score is >= the k-th largest score
// (ties at the boundary are kept); k is raised to min_keep and capped at V.
class TopK final : public LogitsProcessor {
 public:
  TopK(int k, int min_keep = 1) : k_(k), min_keep_(min_keep) {}
  const char* name() const override { return "top_k"; }
  void apply(std::span<float> scores, const TokenHistory& h) const override;

 private:
  int k_, min_keep_;
};

// HF TopPLogitsWarper (nucleus): keeps the most probable tokens, in order,
// while the probability mass before each is < p; at least min_keep.
class TopP final : public LogitsProcessor {
 public:
  TopP(float p, int min_keep = 1) : p_(p), min_keep_(min_keep) {}
  const char* name() const override { return "top_p"; }
  void apply(std::span<float> scores, const TokenHistory& h) const override;

 private:
  float p_;
  int min_keep_;
};

// HF MinPLogitsWarper: removes tokens whose probability is < p times the top
// token's probability; at least min_keep are kept.
class MinP final : public LogitsProcessor {
 public:
  MinP(float p, int min_keep = 1) : p_(p), min_keep_(min_keep) {}
  const char* name() const override { return "min_p"; }
  void apply(std::span<float> scores, const TokenHistory& h) const override;

 private:
  float p_;
  int min_keep_;
};

// HF TypicalLogitsWarper (locally typical sampling): ranks tokens by
// |(-log p) - entropy| and keeps the closest ones until their mass reaches p
// (the token that crosses p is kept, and ties with it); at least min_keep.
class TypicalP final : public LogitsProcessor {
 public:
  TypicalP(float p, int min_keep = 1) : p_(p), min_keep_(min_keep) {}
  const char* name() const override { return "typical_p"; }
  void apply(std::span<float> scores, const TokenHistory& h) const override;

 private:
  float p_;
  int min_keep_;
};

// An ordered list of stages, applied first to last.
class ProcessorChain {
 public:
  void add(std::unique_ptr<LogitsProcessor> p) { stages_.push_back(std::move(p)); }
  void apply(std::span<float> scores, const TokenHistory& h) const {
    for (const auto& s : stages_) s->apply(scores, h);
  }
  size_t size() const { return stages_.size(); }
  bool empty() const { return stages_.empty(); }
  std::vector<std::string> names() const;

 private:
  std::vector<std::unique_ptr<LogitsProcessor>> stages_;
};

// The processors a config enables, in this order (sequence_bias first, as in
// HF's list): sequence_bias, repetition_penalty, no_repeat_ngram, min_new_tokens, bad_words, logit_bias, force_words.
// prompt_len sets the new-token budget that force words must fit in.
ProcessorChain make_processors(const GenerationConfig& config, int prompt_len);
// The warpers a config enables (only meaningful with do_sample), in this
// order: temperature, top_k, top_p, min_p, typical_p.
ProcessorChain make_warpers(const GenerationConfig& config, int min_tokens_to_keep = 1);

}  // namespace marketlm
