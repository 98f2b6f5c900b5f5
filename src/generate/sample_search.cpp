// Greedy decoding and sampling for num_return_sequences sequences decoded as
// one batch: the prompt is prefilled once into slot 0 and copied to the other
// slots; each step chooses one token per live sequence and runs one batched
// decode for those that go on.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "generate/engine_internal.h"
#include "marketlm/core/rng.h"
#include "marketlm/generate/constraints.h"
#include "marketlm/generate/distinct.h"
#include "marketlm/generate/utf8_stream.h"

namespace marketlm::detail {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

struct Seq {
  explicit Seq(const GenerationHooks* hooks) : text(hooks) {}
  std::vector<int32_t> gen;
  std::vector<GeneratedToken> info;
  TextTracker text;
  bool live = true;
  FinishReason reason = FinishReason::kLength;
  size_t stop_pos = std::string::npos;
  double sum_logprob = 0;
  int attempts = 0;
  int duplicate_of = -1;
};

class SamplingRun {
 public:
  SamplingRun(Decoder& d, const Request& r)
      : dec_(d), req_(r), cfg_(*r.cfg), v_(r.vocab), rng_(cfg_.seed),
        processors_(make_processors(cfg_, static_cast<int>(r.prompt.size()))) {
    if (cfg_.do_sample) warpers_ = make_warpers(cfg_, 1);
  }

  Result<GenerationOutput> run();

 private:
  // Chooses the next token of sequence s from its row; -1 = every token masked,
  // -2 = the bad-word text check rejected max_redraws tokens.
  int32_t choose(int s, std::vector<float>& scores, float* logprob, std::vector<TokenLogprob>* top);
  Status restart(int s);
  bool too_similar(int s, int* other) const;
  bool emit(int s, int32_t token, float logprob, bool final, bool restarted);
  void finish(int s, FinishReason why);
  // The tokens that stay in the output (those before a stop string).
  std::vector<int32_t> kept_tokens(int s) const {
    const Seq& q = seqs_[s];
    if (q.stop_pos == std::string::npos) return q.gen;
    const size_t k = q.text.tokens_within(q.stop_pos, q.gen);
    return std::vector<int32_t>(q.gen.begin(), q.gen.begin() + k);
  }

  Decoder& dec_;
  const Request& req_;
  const GenerationConfig& cfg_;
  const int v_;
  Rng rng_;
  ProcessorChain processors_, warpers_;
  std::vector<Seq> seqs_;
  std::vector<float> rows_;     // [n, V] next-token logits per sequence
  std::vector<float> prompt_logits_;
  int spare_slot_ = -1;         // a pristine copy of the prompt's cache, when reserved
  bool cancelled_ = false;
  GenerationOutput out_;
};

int32_t SamplingRun::choose(int s, std::vector<float>& scores, float* logprob,
                            std::vector<TokenLogprob>* top) {
  Seq& q = seqs_[s];
  std::vector<int32_t> hist = req_.prompt;
  hist.insert(hist.end(), q.gen.begin(), q.gen.end());
  const TokenHistory h{hist, static_cast<int>(req_.prompt.size())};
  processors_.apply(scores, h);
  if (req_.hooks->dynamic_bias) {
    for (const auto& [id, b] : req_.hooks->dynamic_bias(s, q.gen, q.text.raw()))
      if (id >= 0 && id < v_) scores[id] += b;
  }
  const auto& accept = req_.hooks->accept;
  std::vector<float> processed;  // the fallback of the accept hook ranks these
  if (accept) processed = scores;
  warpers_.apply(scores, h);
  // The accept hook's verdict on one candidate (true when there is no hook).
  auto accepted = [&](int32_t tok) {
    if (!accept) return true;
    if (cfg_.is_eos(tok)) return accept(s, q.text.raw(), std::string_view(), true);
    const std::string piece = req_.hooks->token_bytes ? req_.hooks->token_bytes(tok)
                                                      : q.text.text_with(q.gen, tok).substr(q.text.raw().size());
    return accept(s, q.text.raw(), piece, false);
  };
  auto bad_word = [&](int32_t tok) {
    return !cfg_.bad_words.empty() && !cfg_.is_eos(tok) &&
           find_bad_word(q.text.text_with(q.gen, tok), cfg_.bad_words) >= 0;
  };
  auto finish_choice = [&](int32_t tok, std::vector<float>& dist) {
    std::vector<float> lp(dist.size());
    log_softmax(dist, lp);
    *logprob = lp[tok];
    if (cfg_.top_logprobs > 0) *top = top_logprobs(lp, cfg_.top_logprobs);
    return tok;
  };
  for (int attempt = 0;; ++attempt) {
    const int32_t tok = cfg_.do_sample ? sample_token(scores, rng_) : argmax_token(scores);
    const bool exhausted = tok < 0 || attempt > cfg_.max_redraws;
    if (exhausted && !accept) return tok < 0 ? -1 : -2;
    if (exhausted) {
      // Every candidate the warpers left was vetoed: take the best token of
      // the processed scores that passes both checks.
      std::vector<int32_t> order;
      for (int32_t t = 0; t < static_cast<int32_t>(processed.size()); ++t)
        if (processed[t] != kNegInf) order.push_back(t);
      std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
        return processed[a] != processed[b] ? processed[a] > processed[b] : a < b;
      });
      for (int32_t t : order) {
        if (bad_word(t) || !accepted(t)) {
          processed[t] = kNegInf;
          continue;
        }
        return finish_choice(t, processed);
      }
      return -3;
    }
    if (bad_word(tok)) {
      if (attempt >= cfg_.max_redraws && !accept) return -2;
      scores[tok] = kNegInf;  // redraw without it
      if (accept) processed[tok] = kNegInf;
      continue;
    }
    if (!accepted(tok)) {
      scores[tok] = kNegInf;
      processed[tok] = kNegInf;
      continue;
    }
    return finish_choice(tok, scores);
  }
}

Status SamplingRun::restart(int s) {
  seqs_[s] = Seq(req_.hooks);  // the caller restores the attempt count
  if (spare_slot_ >= 0) {
    ML_RETURN_IF_ERROR(dec_.copy_slot(spare_slot_, s));
  } else {
    std::vector<float> tmp(v_);
    ML_RETURN_IF_ERROR(dec_.prefill(s, req_.prompt, tmp.data()));
    ++out_.prefill_calls;
  }
  std::copy(prompt_logits_.begin(), prompt_logits_.end(), rows_.begin() + static_cast<size_t>(s) * v_);
  ++out_.restarts;
  return Status::ok();
}

bool SamplingRun::too_similar(int s, int* other) const {
  const Seq& q = seqs_[s];
  for (int j = 0; j < static_cast<int>(seqs_.size()); ++j) {
    const Seq& o = seqs_[j];
    if (j == s || o.live) continue;
    const double sim = q.text.enabled()
                           ? char_ngram_jaccard(q.text.raw().substr(0, q.stop_pos),
                                                o.text.raw().substr(0, o.stop_pos), cfg_.distinct_ngram)
                           : token_ngram_jaccard(q.gen, o.gen, cfg_.distinct_ngram);
    if (sim > cfg_.distinct_threshold) {
      *other = j;
      return true;
    }
  }
  return false;
}

bool SamplingRun::emit(int s, int32_t token, float logprob, bool final, bool restarted) {
  if (!req_.hooks->on_token) return true;
  Seq& q = seqs_[s];
  std::string piece =
      restarted ? std::string() : q.text.take_stream(cfg_.stop_strings, final, q.stop_pos);
  StreamEvent e;
  e.sequence = s;
  e.token = token;
  e.text = piece;
  e.logprob = logprob;
  e.finished = final;
  e.restarted = restarted;
  return req_.hooks->on_token(e);
}

void SamplingRun::finish(int s, FinishReason why) {
  seqs_[s].live = false;
  seqs_[s].reason = why;
}

Result<GenerationOutput> SamplingRun::run() {
  const int n = cfg_.num_return_sequences;
  const bool may_restart = n > 1 ? (cfg_.distinct_variants || !cfg_.force_words_ids.empty())
                                 : !cfg_.force_words_ids.empty();
  const int n_slots = may_restart && dec_.max_slots() > n ? n + 1 : n;
  const int plen = static_cast<int>(req_.prompt.size());
  ML_RETURN_IF_ERROR(dec_.reserve(n_slots, plen + req_.budget));
  out_.prompt_tokens = plen;
  prompt_logits_.assign(v_, 0.0f);
  ML_RETURN_IF_ERROR(dec_.prefill(0, req_.prompt, prompt_logits_.data()));
  ++out_.prefill_calls;
  if (n_slots > n) {
    spare_slot_ = n;
    ML_RETURN_IF_ERROR(dec_.copy_slot(0, spare_slot_));
  }
  for (int s = 1; s < n; ++s) ML_RETURN_IF_ERROR(dec_.copy_slot(0, s));
  rows_.resize(static_cast<size_t>(n) * v_);
  for (int s = 0; s < n; ++s) std::copy(prompt_logits_.begin(), prompt_logits_.end(), rows_.begin() + s * v_);
  for (int s = 0; s < n; ++s) seqs_.emplace_back(req_.hooks);

  const bool want_info = cfg_.output_logprobs || cfg_.top_logprobs > 0;
  std::vector<float> scores(v_);
  for (int step = 0;; ++step) {
    std::vector<int> dec_slots;
    std::vector<int32_t> dec_tokens;
    for (int s = 0; s < n && !cancelled_; ++s) {
      Seq& q = seqs_[s];
      if (!q.live) continue;
      std::copy(rows_.begin() + s * v_, rows_.begin() + (s + 1) * v_, scores.begin());
      if (std::any_of(scores.begin(), scores.end(), [](float x) { return std::isnan(x); }))
        return failed_precondition("generate: the model returned NaN logits for sequence " +
                                   std::to_string(s) + " at new token " + std::to_string(q.gen.size()));
      float lp = 0;
      std::vector<TokenLogprob> top;
      const int32_t tok = choose(s, scores, &lp, &top);
      if (tok == -1 && !req_.hooks->accept)
        return failed_precondition("generate: every token was masked for sequence " + std::to_string(s) +
                                   " at new token " + std::to_string(q.gen.size()) +
                                   "; the bans (bad_words_ids, no_repeat_ngram_size, logit_bias, "
                                   "min_new_tokens) leave nothing to choose");
      if (tok == -2) {
        finish(s, FinishReason::kBadWord);
      } else if (tok == -3 || tok == -1) {
        finish(s, FinishReason::kRejected);
      } else if (cfg_.is_eos(tok)) {
        q.sum_logprob += lp;
        finish(s, FinishReason::kEos);
      } else {
        q.sum_logprob += lp;
        q.gen.push_back(tok);
        if (want_info) q.info.push_back({tok, lp, std::move(top)});
        q.text.push(q.gen);
        if (!cfg_.stop_strings.empty()) {
          q.stop_pos = q.text.find_stop(cfg_.stop_strings);
          if (q.stop_pos != std::string::npos) finish(s, FinishReason::kStopString);
        }
        if (q.live && static_cast<int>(q.gen.size()) >= req_.budget) finish(s, FinishReason::kLength);
      }
      // A finished sequence may be rejected and redrawn from the prompt.
      if (!q.live && q.reason != FinishReason::kBadWord && q.reason != FinishReason::kRejected) {
        int other = -1;
        const bool dup = cfg_.distinct_variants && n > 1 && too_similar(s, &other);
        const bool missing = !cfg_.force_words_ids.empty() && !force_words_met(cfg_.force_words_ids, kept_tokens(s));
        if ((dup || missing) && q.attempts < cfg_.distinct_max_attempts) {
          const int attempts = q.attempts + 1;
          ML_RETURN_IF_ERROR(restart(s));
          seqs_[s].attempts = attempts;
          if (!emit(s, -1, 0.0f, false, true)) cancelled_ = true;
          continue;
        }
        if (dup) q.duplicate_of = other;
      }
      if (!emit(s, tok < 0 ? -1 : tok, lp, !q.live, false)) cancelled_ = true;
      if (q.live) {
        dec_slots.push_back(s);
        dec_tokens.push_back(tok);
      }
    }
    if (cancelled_) {
      for (int s = 0; s < n; ++s)
        if (seqs_[s].live) {
          finish(s, FinishReason::kCallback);
        }
      break;
    }
    if (dec_slots.empty()) {
      bool any = false;
      for (const Seq& q : seqs_) any = any || q.live;
      if (!any) break;
      continue;  // only restarted sequences: their rows already hold the prompt's logits
    }
    std::vector<float> logits(dec_slots.size() * static_cast<size_t>(v_));
    ML_RETURN_IF_ERROR(dec_.decode(dec_slots, dec_tokens, logits.data()));
    ++out_.decode_calls;
    for (size_t i = 0; i < dec_slots.size(); ++i)
      std::copy(logits.begin() + i * v_, logits.begin() + (i + 1) * v_, rows_.begin() + dec_slots[i] * v_);
  }

  for (int s = 0; s < n; ++s) {
    Seq& q = seqs_[s];
    GeneratedSequence g;
    size_t keep = q.gen.size();
    if (q.stop_pos != std::string::npos) keep = q.text.tokens_within(q.stop_pos, q.gen);
    g.token_ids.assign(q.gen.begin(), q.gen.begin() + keep);
    if (want_info) g.tokens.assign(q.info.begin(), q.info.begin() + std::min(keep, q.info.size()));
    if (q.text.enabled()) g.text = sanitize_utf8(q.text.raw().substr(0, q.stop_pos));
    g.finish_reason = q.reason;
    g.score = q.sum_logprob;
    g.force_words_met = cfg_.force_words_ids.empty() || force_words_met(cfg_.force_words_ids, g.token_ids);
    g.duplicate_of = q.duplicate_of;
    out_.sequences.push_back(std::move(g));
  }
  return std::move(out_);
}

}  // namespace

Result<GenerationOutput> run_sampling(Decoder& decoder, const Request& req) {
  SamplingRun run(decoder, req);
  return run.run();
}

}  // namespace marketlm::detail
