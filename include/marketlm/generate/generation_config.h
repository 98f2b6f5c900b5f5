// GenerationConfig: every decoding option, with Hugging Face's names, meanings
// and defaults (transformers.GenerationConfig), plus a few marketlm options
// marked "marketlm:" below. Plain data: validate() once, (de)serialise as
// generation_config.json. See docs/generation.md for each option.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "marketlm/core/status.h"

namespace marketlm {

// HF early_stopping: true, false or "never".
enum class EarlyStopping { kFalse, kTrue, kNever };

struct GenerationConfig {
  // ---- length ----
  int max_length = 20;                  // prompt + new tokens; used when max_new_tokens is unset
  std::optional<int> max_new_tokens{};    // new tokens; wins over max_length when set
  int min_length = 0;                   // prompt + new tokens before EOS is allowed
  int min_new_tokens = 0;               // new tokens before EOS is allowed

  // ---- sampling ----
  bool do_sample = false;               // false: greedy (num_beams == 1) or beam search
  float temperature = 1.0f;
  int top_k = 50;                       // 0 disables
  float top_p = 1.0f;                   // 1 disables
  float min_p = 0.0f;                   // 0 disables
  float typical_p = 1.0f;               // 1 disables
  uint64_t seed = 0;                    // marketlm: seeds the sampler's Rng

  // ---- penalties ----
  float repetition_penalty = 1.0f;      // 1 disables
  int no_repeat_ngram_size = 0;         // 0 disables

  // ---- special tokens and stopping ----
  std::vector<int32_t> eos_token_id{};    // one id or a list; empty = never stop on a token
  std::optional<int32_t> bos_token_id{};  // kept for round-trip only
  std::optional<int32_t> pad_token_id{};  // kept for round-trip only
  std::vector<std::string> stop_strings{};  // stop when the text contains one; the stop
                                          // string is left out of the output text

  // ---- beam search ----
  int num_beams = 1;
  float length_penalty = 1.0f;          // score = sum logprob / new_len^length_penalty
  EarlyStopping early_stopping = EarlyStopping::kFalse;

  int num_return_sequences = 1;

  // ---- word constraints ----
  std::vector<std::vector<int32_t>> bad_words_ids{};  // never produced (last token blocked)
  std::vector<std::string> bad_words{};   // marketlm: text backstop, checked on decoded text
  // Each entry is one required word given as alternative token sequences
  // (HF's disjunctive form); one alternative must appear in every output.
  std::vector<std::vector<std::vector<int32_t>>> force_words_ids{};
  std::map<int32_t, float> logit_bias{};  // marketlm (OpenAI-style): added to that token's logit
  // HF sequence_bias: each (token sequence, bias) adds bias to the
  // sequence's last token whenever the tokens before it end the history
  // (a 1-token sequence: always). JSON: [[[ids], bias], ...].
  std::vector<std::pair<std::vector<int32_t>, float>> sequence_bias{};

  // ---- marketlm: distinct variants ----
  bool distinct_variants = false;       // redraw near-duplicate return sequences
  float distinct_threshold = 0.7f;      // reject when character n-gram Jaccard > this
  int distinct_ngram = 3;               // n of the character n-grams
  int distinct_max_attempts = 4;        // redraws allowed per returned sequence

  // ---- marketlm: per-token outputs ----
  bool output_logprobs = false;         // log-probability of each chosen token
  int top_logprobs = 0;                 // also return this many alternatives per token
  int max_redraws = 16;                 // text-backstop redraws per token before giving up

  // Unknown keys read from generation_config.json (a JSON object as text),
  // written back unchanged so a round trip keeps them.
  std::string extra_json = "{}";

  // Checks the options alone (ranges and contradictions). Returns
  // kInvalidArgument naming the field, its value and what was expected.
  Status validate() const;
  // The number of new tokens allowed for a prompt of prompt_len tokens.
  int new_token_budget(int prompt_len) const;
  bool is_eos(int32_t token) const;
};

// generation_config.json (Hugging Face format). Fields missing from the JSON
// keep their defaults; unknown fields land in extra_json. The result is
// validated.
Result<GenerationConfig> generation_config_from_json(std::string_view json_text);
// Writes the fields that differ from the defaults (as HF does), plus extra_json.
std::string generation_config_to_json(const GenerationConfig& config);
Result<GenerationConfig> load_generation_config(const std::string& path);
Status save_generation_config(const std::string& path, const GenerationConfig& config);

}  // namespace marketlm
