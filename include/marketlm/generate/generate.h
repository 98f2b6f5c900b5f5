// generate(): Hugging Face-style text generation on any Decoder.
//
//   GenerationConfig cfg;
//   cfg.max_new_tokens = 40;
//   cfg.do_sample = true;
//   cfg.top_p = 0.9f;
//   cfg.num_return_sequences = 3;
//   cfg.eos_token_id = {50256};
//   GenerationHooks hooks;
//   hooks.token_bytes = [&](int32_t id) { return tokenizer.token_bytes(id); };
//   hooks.on_token = [](const StreamEvent& e) { std::fwrite(e.text.data(), 1, e.text.size(), stdout); return true; };
//   Result<GenerationOutput> out = generate(model, prompt_ids, cfg, hooks);
//
// Greedy (do_sample=false, num_beams=1), sampling (do_sample=true; several
// return sequences are decoded as one batch that shares the prompt's cache:
// the prompt is prefilled once and its slot copied) or beam search
// (num_beams > 1). Not thread-safe on one Decoder: one call at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "marketlm/core/status.h"
#include "marketlm/generate/decoder.h"
#include "marketlm/generate/generation_config.h"
#include "marketlm/generate/sampling.h"

namespace marketlm {

enum class FinishReason {
  kEos,         // an eos_token_id was chosen (it is not in token_ids)
  kLength,      // max_new_tokens / max_length reached
  kStopString,  // a stop string appeared (it is cut from text)
  kCallback,    // the streaming callback asked to stop
  kBadWord,     // the bad-word text check rejected max_redraws tokens in a row
  kRejected,    // hooks.accept rejected every token the sequence could take next
};
// The engine's own name: "eos", "length", "stop_string", "callback", "bad_word".
const char* finish_reason_name(FinishReason r);
// The OpenAI API name, for JSON front doors: "stop" (EOS or a stop string, as
// OpenAI reports both), "length", "content_filter" (the bad-word check ended
// the sequence), and the marketlm-specific "callback" (a streaming callback
// stopped generation).
const char* finish_reason_openai(FinishReason r);

// One generated token with its log-probability under the processed
// distribution it was chosen from (after every processor and, when sampling,
// every warper), and the best alternatives in that distribution.
struct GeneratedToken {
  int32_t token = 0;
  float logprob = 0.0f;
  std::vector<TokenLogprob> top;  // config.top_logprobs entries, best first
};

struct GeneratedSequence {
  std::vector<int32_t> token_ids;  // new tokens only; no EOS, nothing of a stop string
  // Decoded new text (needs hooks.decode or hooks.token_bytes). With a stop
  // string it ends right before the stop string, which can be a few bytes
  // more than decode(token_ids) when one token straddles the boundary.
  std::string text;
  FinishReason finish_reason = FinishReason::kLength;
  // Sampling/greedy: sum of the chosen tokens' logprobs (EOS included).
  // Beam search: HF's sequence score, sum of logprobs / new_len^length_penalty.
  double score = 0.0;
  std::vector<GeneratedToken> tokens;  // per token_ids entry, when output_logprobs or top_logprobs
  bool force_words_met = true;         // every force word appears (false only if cut short)
  int duplicate_of = -1;  // distinct_variants: the earlier sequence this one is too close to
                          // (only when distinct_max_attempts ran out)
};

struct GenerationOutput {
  std::vector<GeneratedSequence> sequences;  // num_return_sequences, in order (beams: best first)
  int prompt_tokens = 0;
  int prefill_calls = 0;   // decoder.prefill calls made
  int decode_calls = 0;    // decoder.decode calls made (batched steps)
  int restarts = 0;        // sequences rejected and redrawn (distinct / force words)
};

// One streaming event: a sequence chose a token. `text` holds the newly
// completed characters (never half a UTF-8 character; text that could still
// turn into a stop string is held back until it cannot).
struct StreamEvent {
  int sequence = 0;        // index into GenerationOutput::sequences
  int32_t token = -1;      // -1 on a restart event
  std::string_view text;   // valid UTF-8, possibly empty
  float logprob = 0.0f;
  bool finished = false;   // the last event of this sequence (text holds the rest)
  bool restarted = false;  // the sequence was rejected (near-duplicate / missing force
                           // word) and starts over: drop the text streamed for it so far
};

struct GenerationHooks {
  // ids -> text. Needed by stop_strings, bad_words and distinct_variants on
  // text, unless token_bytes is given.
  std::function<std::string(const std::vector<int32_t>&)> decode;
  // id -> the token's raw bytes (may be part of a UTF-8 character). Preferred
  // for text: it makes streaming exact.
  std::function<std::string(int32_t)> token_bytes;
  // Called after each chosen token (greedy/sampling only). Return false to
  // stop every sequence (finish_reason kCallback).
  std::function<bool(const StreamEvent&)> on_token;
  // A veto on candidate tokens (greedy/sampling only; needs a text hook):
  // called with the sequence index, the raw text generated so far (it may end
  // inside a UTF-8 character), the candidate token's bytes and whether the
  // candidate is an EOS token (then `piece` is empty). Return false to reject
  // it: the token is masked and another drawn, like the bad_words text check.
  // After max_redraws rejections in one step the best remaining token by the
  // processed scores (before warpers such as top_p) that the hook accepts is
  // taken, so a constraint never dead-ends while any allowed token remains;
  // when none remains the sequence finishes with kRejected. Use it for rules
  // decided on text: length limits, banned words across token boundaries,
  // a required word before EOS.
  std::function<bool(int sequence, std::string_view text, std::string_view piece, bool eos)> accept;
  // Per-step logit biases (greedy/sampling only; needs a text hook): called
  // once per step of each live sequence with its index, its new token ids
  // and the raw text generated so far (it may end inside a UTF-8
  // character); returns (token id, bias) pairs. Each bias is added to that
  // token's score after the processors (penalties, bans, sequence_bias) and
  // before the warpers (temperature, top-k, top-p), so a banned token stays
  // banned; ids outside the vocabulary are ignored, and a repeated id gets
  // the sum. Use it for biases that change with the text: boost a phrase
  // until it has been written, then stop. The reported logprobs include it.
  std::function<std::vector<std::pair<int32_t, float>>(int sequence, std::span<const int32_t> new_ids,
                                                       std::string_view text)>
      dynamic_bias;
};

// Runs generation for one prompt. Errors (never a crash): empty prompt, ids
// outside the vocabulary, prompt or prompt + new tokens longer than
// decoder.max_positions(), invalid or contradictory config, too few decoder
// slots, a text option without a text hook, every token masked.
Result<GenerationOutput> generate(Decoder& decoder, const std::vector<int32_t>& prompt_ids,
                                  const GenerationConfig& config, const GenerationHooks& hooks = {});

// The output as JSON text for front doors (CLI --json, HTTP):
// {"prompt_tokens":N,"prefill_calls":..,"decode_calls":..,"restarts":..,
//  "sequences":[{"text":..,"token_ids":[..],"finish_reason":"stop","finish_detail":"eos","score":..,
//  "force_words_met":true,"duplicate_of":-1,
//  "tokens":[{"token":..,"logprob":..,"top":[{"token":..,"logprob":..}]}]}]}
// ("tokens" only when logprobs were asked for). finish_reason is the OpenAI
// name (finish_reason_openai), finish_detail the engine's (finish_reason_name).
// Invalid UTF-8 becomes U+FFFD.
std::string generation_output_to_json(const GenerationOutput& output);

}  // namespace marketlm
