// generate(): request checks, the text tracker, and dispatch to greedy/sampling
// or beam search.
#include "marketlm/generate/generate.h"

#include <algorithm>

#include "generate/engine_internal.h"
#include "marketlm/generate/constraints.h"
#include "marketlm/generate/utf8_stream.h"

namespace marketlm {

const char* finish_reason_name(FinishReason r) {
  switch (r) {
    case FinishReason::kEos: return "eos";
    case FinishReason::kLength: return "length";
    case FinishReason::kStopString: return "stop_string";
    case FinishReason::kCallback: return "callback";
    case FinishReason::kBadWord: return "bad_word";
    case FinishReason::kRejected: return "rejected";
  }
  return "unknown";
}

const char* finish_reason_openai(FinishReason r) {
  switch (r) {
    case FinishReason::kEos:
    case FinishReason::kStopString: return "stop";
    case FinishReason::kLength: return "length";
    case FinishReason::kBadWord:
    case FinishReason::kRejected: return "content_filter";
    case FinishReason::kCallback: return "callback";
  }
  return "unknown";
}

namespace detail {
namespace {

Status id_range(const std::string& field, int32_t id, int vocab) {
  if (id >= 0 && id < vocab) return Status::ok();
  return invalid_argument("generate: " + field + " holds token id " + std::to_string(id) +
                          "; expected ids in [0, " + std::to_string(vocab) + ") for this model's vocabulary");
}

}  // namespace

Status check_request(const Decoder& decoder, const std::vector<int32_t>& prompt,
                     const GenerationConfig& cfg, const GenerationHooks& hooks, Request* req) {
  ML_RETURN_IF_ERROR(cfg.validate());
  const int vocab = decoder.vocab_size();
  const int n_ctx = decoder.max_positions();
  const int n = static_cast<int>(prompt.size());
  if (prompt.empty())
    return invalid_argument("generate: the prompt is empty; expected at least one token id "
                            "(e.g. the BOS/EOS token to start from nothing)");
  for (int i = 0; i < n; ++i)
    if (prompt[i] < 0 || prompt[i] >= vocab)
      return invalid_argument("generate: prompt token " + std::to_string(i) + " is " +
                              std::to_string(prompt[i]) + "; expected ids in [0, " +
                              std::to_string(vocab) + ")");
  if (n > n_ctx)
    return out_of_range("generate: the prompt has " + std::to_string(n) +
                        " tokens but the model holds at most " + std::to_string(n_ctx) +
                        " positions; shorten the prompt");
  const int budget = cfg.new_token_budget(n);
  if (budget < 1)
    return invalid_argument("generate: max_length=" + std::to_string(cfg.max_length) +
                            " leaves no room for new tokens after a " + std::to_string(n) +
                            "-token prompt; set max_new_tokens instead");
  if (n + budget > n_ctx)
    return out_of_range("generate: prompt (" + std::to_string(n) + " tokens) + " +
                        std::to_string(budget) + " new tokens = " + std::to_string(n + budget) +
                        " exceeds the model's max_positions (" + std::to_string(n_ctx) +
                        "); lower max_new_tokens to at most " + std::to_string(n_ctx - n) +
                        " or shorten the prompt");
  if (cfg.min_new_tokens > budget)
    return invalid_argument("generate: min_new_tokens=" + std::to_string(cfg.min_new_tokens) +
                            " is more than the " + std::to_string(budget) + " new tokens allowed");
  for (int32_t id : cfg.eos_token_id) ML_RETURN_IF_ERROR(id_range("eos_token_id", id, vocab));
  for (const auto& w : cfg.bad_words_ids)
    for (int32_t id : w) ML_RETURN_IF_ERROR(id_range("bad_words_ids", id, vocab));
  for (const auto& w : cfg.force_words_ids)
    for (const auto& a : w)
      for (int32_t id : a) ML_RETURN_IF_ERROR(id_range("force_words_ids", id, vocab));
  for (const auto& [id, b] : cfg.logit_bias) ML_RETURN_IF_ERROR(id_range("logit_bias", id, vocab));
  for (const auto& [ids, b] : cfg.sequence_bias)
    for (int32_t id : ids) ML_RETURN_IF_ERROR(id_range("sequence_bias", id, vocab));
  if (!cfg.force_words_ids.empty() && force_words_min_tokens(cfg.force_words_ids) > budget)
    return invalid_argument("generate: the force words need at least " +
                            std::to_string(force_words_min_tokens(cfg.force_words_ids)) +
                            " tokens but only " + std::to_string(budget) + " new tokens are allowed");
  const bool has_text = static_cast<bool>(hooks.decode) || static_cast<bool>(hooks.token_bytes);
  if (!cfg.stop_strings.empty() && !has_text)
    return invalid_argument("generate: stop_strings need a text hook; pass GenerationHooks::decode "
                            "or GenerationHooks::token_bytes");
  if (!cfg.bad_words.empty() && !has_text)
    return invalid_argument("generate: bad_words (text check) need a text hook; pass "
                            "GenerationHooks::decode or token_bytes, or use bad_words_ids only");
  if (hooks.accept && !has_text)
    return invalid_argument("generate: the accept hook judges text; pass GenerationHooks::decode or "
                            "GenerationHooks::token_bytes as well");
  if (hooks.dynamic_bias && !has_text)
    return invalid_argument("generate: the dynamic_bias hook is given the text so far; pass "
                            "GenerationHooks::decode or GenerationHooks::token_bytes as well");
  if (cfg.num_beams > 1 && hooks.dynamic_bias)
    return invalid_argument("generate: the dynamic_bias hook works with greedy and sampling, not with beam "
                            "search (num_beams=" + std::to_string(cfg.num_beams) + ")");
  if (cfg.num_beams > 1 && hooks.accept)
    return invalid_argument("generate: the accept hook works with greedy and sampling, not with beam "
                            "search (num_beams=" + std::to_string(cfg.num_beams) + ")");
  if (cfg.num_beams > 1) {
    if (hooks.on_token)
      return invalid_argument("generate: streaming (on_token) works with greedy and sampling, "
                              "not with beam search (num_beams=" + std::to_string(cfg.num_beams) + ")");
  }
  const int slots = cfg.num_beams > 1 ? cfg.num_beams : cfg.num_return_sequences;
  if (slots > decoder.max_slots())
    return resource_exhausted("generate: " +
                              std::string(cfg.num_beams > 1 ? "num_beams=" : "num_return_sequences=") +
                              std::to_string(slots) + " needs " + std::to_string(slots) +
                              " cache slots but the model has " + std::to_string(decoder.max_slots()));
  req->cfg = &cfg;
  req->hooks = &hooks;
  req->prompt = prompt;
  req->vocab = vocab;
  req->budget = budget;
  return Status::ok();
}

void TextTracker::reset() {
  raw_.clear();
  ends_.clear();
  emitted_ = 0;
}

void TextTracker::push(const std::vector<int32_t>& gen) {
  if (!enabled()) return;
  if (hooks_->token_bytes) {
    raw_ += hooks_->token_bytes(gen.back());
    ends_.push_back(raw_.size());
  } else {
    raw_ = hooks_->decode(gen);
  }
}

std::string TextTracker::text_with(const std::vector<int32_t>& gen, int32_t tok) const {
  if (!enabled()) return {};
  if (hooks_->token_bytes) return raw_ + hooks_->token_bytes(tok);
  std::vector<int32_t> g = gen;
  g.push_back(tok);
  return hooks_->decode(g);
}

size_t TextTracker::find_stop(const std::vector<std::string>& stops) const {
  size_t best = std::string::npos;
  for (const auto& s : stops) best = std::min(best, raw_.find(s));
  return best;
}

size_t TextTracker::tokens_within(size_t pos, const std::vector<int32_t>& gen) const {
  if (hooks_->token_bytes) {
    size_t k = 0;
    while (k < ends_.size() && ends_[k] <= pos) ++k;
    return k;
  }
  const std::string want = raw_.substr(0, pos);
  for (size_t k = gen.size(); k > 0; --k) {
    const std::string t = hooks_->decode(std::vector<int32_t>(gen.begin(), gen.begin() + k));
    if (t.size() <= want.size() && want.compare(0, t.size(), t) == 0) return k;
  }
  return 0;
}

std::string TextTracker::take_stream(const std::vector<std::string>& stops, bool final, size_t end) {
  if (!enabled()) return {};
  end = std::min(end, raw_.size());
  if (!final) {
    size_t hold = 0;  // longest tail of raw that starts a stop string
    for (const auto& s : stops)
      for (size_t k = std::min(s.size() - 1, end); k > hold; --k)
        if (raw_.compare(end - k, k, s, 0, k) == 0) {
          hold = k;
          break;
        }
    end -= hold;
    end = utf8_complete_prefix(std::string_view(raw_).substr(0, end));
  }
  if (end <= emitted_) return {};
  std::string piece = sanitize_utf8(std::string_view(raw_).substr(emitted_, end - emitted_));
  emitted_ = end;
  return piece;
}

}  // namespace detail

Result<GenerationOutput> generate(Decoder& decoder, const std::vector<int32_t>& prompt_ids,
                                  const GenerationConfig& config, const GenerationHooks& hooks) {
  detail::Request req;
  ML_RETURN_IF_ERROR(detail::check_request(decoder, prompt_ids, config, hooks, &req));
  if (config.num_beams > 1) return detail::run_beam_search(decoder, req);
  return detail::run_sampling(decoder, req);
}

}  // namespace marketlm
