// GenerationConfig::validate: ranges and contradictions, one clear message each.
#include "marketlm/generate/generation_config.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace marketlm {
namespace {

std::string fmt(float v) {
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%g", static_cast<double>(v));
  return buf;
}

Status bad(const std::string& field, const std::string& value, const std::string& expected) {
  return invalid_argument("generation config: " + field + " = " + value + "; expected " + expected);
}

}  // namespace

Status GenerationConfig::validate() const {
  if (max_new_tokens && *max_new_tokens < 1)
    return bad("max_new_tokens", std::to_string(*max_new_tokens), "an integer >= 1");
  if (!max_new_tokens && max_length < 1)
    return bad("max_length", std::to_string(max_length), "an integer >= 1");
  if (min_new_tokens < 0) return bad("min_new_tokens", std::to_string(min_new_tokens), ">= 0");
  if (min_length < 0) return bad("min_length", std::to_string(min_length), ">= 0");
  if (max_new_tokens && min_new_tokens > *max_new_tokens)
    return bad("min_new_tokens", std::to_string(min_new_tokens),
               "<= max_new_tokens (" + std::to_string(*max_new_tokens) + ")");
  if (!max_new_tokens && min_length > max_length)
    return bad("min_length", std::to_string(min_length),
               "<= max_length (" + std::to_string(max_length) + ")");

  if (!std::isfinite(temperature))
    return bad("temperature", fmt(temperature), "a finite number > 0");
  if (do_sample && temperature <= 0.0f)
    return bad("temperature", fmt(temperature),
               "a number > 0 when do_sample is true (for deterministic output use do_sample=false)");
  if (top_k < 0) return bad("top_k", std::to_string(top_k), ">= 0 (0 disables top-k)");
  if (!(top_p > 0.0f && top_p <= 1.0f))
    return bad("top_p", fmt(top_p), "a number in (0, 1] (1 disables top-p)");
  if (!(min_p >= 0.0f && min_p <= 1.0f))
    return bad("min_p", fmt(min_p), "a number in [0, 1] (0 disables min-p)");
  if (!(typical_p > 0.0f && typical_p <= 1.0f))
    return bad("typical_p", fmt(typical_p), "a number in (0, 1] (1 disables typical-p)");
  if (!(repetition_penalty > 0.0f) || !std::isfinite(repetition_penalty))
    return bad("repetition_penalty", fmt(repetition_penalty), "a finite number > 0 (1 disables)");
  if (no_repeat_ngram_size < 0)
    return bad("no_repeat_ngram_size", std::to_string(no_repeat_ngram_size), ">= 0 (0 disables)");

  for (int32_t id : eos_token_id)
    if (id < 0) return bad("eos_token_id", std::to_string(id), "token ids >= 0");
  for (const auto& s : stop_strings)
    if (s.empty()) return bad("stop_strings", "\"\"", "non-empty strings");

  if (num_beams < 1) return bad("num_beams", std::to_string(num_beams), ">= 1");
  if (!std::isfinite(length_penalty)) return bad("length_penalty", fmt(length_penalty), "a finite number");
  if (num_return_sequences < 1)
    return bad("num_return_sequences", std::to_string(num_return_sequences), ">= 1");
  if (!do_sample && num_beams == 1 && num_return_sequences > 1)
    return bad("num_return_sequences", std::to_string(num_return_sequences),
               "1 for greedy decoding (greedy would return the same sequence every time); set "
               "do_sample=true to sample several, or num_beams >= num_return_sequences for beam search");
  if (num_beams > 1 && num_return_sequences > num_beams)
    return bad("num_return_sequences", std::to_string(num_return_sequences),
               "<= num_beams (" + std::to_string(num_beams) + ") for beam search");

  for (size_t i = 0; i < bad_words_ids.size(); ++i) {
    if (bad_words_ids[i].empty())
      return bad("bad_words_ids[" + std::to_string(i) + "]", "[]", "a non-empty list of token ids");
    for (int32_t id : bad_words_ids[i])
      if (id < 0) return bad("bad_words_ids[" + std::to_string(i) + "]", std::to_string(id), "ids >= 0");
  }
  for (const auto& w : bad_words)
    if (w.empty()) return bad("bad_words", "\"\"", "non-empty strings");
  for (size_t i = 0; i < force_words_ids.size(); ++i) {
    if (force_words_ids[i].empty())
      return bad("force_words_ids[" + std::to_string(i) + "]", "[]", "at least one token sequence");
    for (const auto& alt : force_words_ids[i]) {
      if (alt.empty())
        return bad("force_words_ids[" + std::to_string(i) + "]", "[]", "non-empty token sequences");
      for (int32_t id : alt)
        if (id < 0) return bad("force_words_ids[" + std::to_string(i) + "]", std::to_string(id), "ids >= 0");
      for (int32_t id : alt)
        if (is_eos(id))
          return bad("force_words_ids[" + std::to_string(i) + "]", std::to_string(id),
                     "no EOS token inside a force word");
    }
  }
  for (size_t i = 0; i < sequence_bias.size(); ++i) {
    const std::string name = "sequence_bias[" + std::to_string(i) + "]";
    if (sequence_bias[i].first.empty()) return bad(name, "[]", "a non-empty list of token ids");
    for (int32_t id : sequence_bias[i].first)
      if (id < 0) return bad(name, std::to_string(id), "ids >= 0");
    if (!std::isfinite(sequence_bias[i].second)) return bad(name, fmt(sequence_bias[i].second), "a finite bias");
  }
  for (const auto& [id, b] : logit_bias) {
    if (id < 0) return bad("logit_bias", std::to_string(id), "token ids >= 0");
    if (std::isnan(b)) return bad("logit_bias[" + std::to_string(id) + "]", "nan", "a number");
  }

  if (!(distinct_threshold >= 0.0f && distinct_threshold <= 1.0f))
    return bad("distinct_threshold", fmt(distinct_threshold), "a number in [0, 1]");
  if (distinct_ngram < 1) return bad("distinct_ngram", std::to_string(distinct_ngram), ">= 1");
  if (distinct_max_attempts < 0)
    return bad("distinct_max_attempts", std::to_string(distinct_max_attempts), ">= 0");
  if (distinct_variants && !do_sample && num_beams == 1 && num_return_sequences > 1)
    return bad("distinct_variants", "true", "do_sample=true or num_beams > 1");
  if (top_logprobs < 0 || top_logprobs > 100)
    return bad("top_logprobs", std::to_string(top_logprobs), "an integer in [0, 100]");
  if (max_redraws < 0) return bad("max_redraws", std::to_string(max_redraws), ">= 0");
  return Status::ok();
}

int GenerationConfig::new_token_budget(int prompt_len) const {
  if (max_new_tokens) return *max_new_tokens;
  return std::max(0, max_length - prompt_len);
}

bool GenerationConfig::is_eos(int32_t token) const {
  return std::find(eos_token_id.begin(), eos_token_id.end(), token) != eos_token_id.end();
}

}  // namespace marketlm
