// Beam search with Hugging Face's semantics (BeamSearchScorer/BeamHypotheses):
// each step the processors run on the log-softmax of every beam's logits, the
// beam's running sum is added, and the best max(2, 1 + #eos) * num_beams
// candidates are scanned in order: an EOS candidate ranked within num_beams
// becomes a finished hypothesis (score = sum / new_len^length_penalty, new_len
// counting the EOS), other candidates fill the next num_beams beams.
// early_stopping decides when the search may stop (see is_done). One
// difference from HF: the search starts from one live beam instead of
// num_beams copies of the prompt with -1e9 placeholder scores, so a tiny
// vocabulary never yields placeholder hypotheses. With do_sample (HF's beam
// sampling) the warpers run on each beam's processed log-probs and the
// candidates are drawn, not taken best first. A stop string ends a beam
// the way EOS does; a candidate whose text holds a bad word (text check) is
// skipped.
#include <algorithm>
#include <cmath>
#include <limits>

#include "generate/engine_internal.h"
#include "marketlm/core/rng.h"
#include "marketlm/generate/constraints.h"
#include "marketlm/generate/distinct.h"
#include "marketlm/generate/utf8_stream.h"

namespace marketlm::detail {
namespace {

struct Beam {
  std::vector<int32_t> gen;
  double sum = 0;
  int slot = 0;
  std::vector<GeneratedToken> info;
};

struct Hyp {
  std::vector<int32_t> gen;
  double sum = 0;
  double score = 0;
  FinishReason reason = FinishReason::kLength;
  std::vector<GeneratedToken> info;
  std::string cut_text;  // kStopString: the text before the stop string
};

// The n best finished hypotheses (HF BeamHypotheses).
class Hypotheses {
 public:
  Hypotheses(int n, float length_penalty, EarlyStopping es) : n_(n), lp_(length_penalty), es_(es) {}

  void add(Hyp h, int new_len) {
    h.score = h.sum / std::pow(static_cast<double>(new_len), static_cast<double>(lp_));
    if (static_cast<int>(items_.size()) < n_ || h.score > worst_) {
      items_.push_back(std::move(h));
      if (static_cast<int>(items_.size()) > n_) {
        auto it = std::min_element(items_.begin(), items_.end(),
                                   [](const Hyp& a, const Hyp& b) { return a.score < b.score; });
        items_.erase(it);
        worst_ = std::min_element(items_.begin(), items_.end(), [](const Hyp& a, const Hyp& b) {
                   return a.score < b.score;
                 })->score;
      } else {
        worst_ = std::min(worst_, items_.back().score);
      }
    }
  }

  // best_sum: the best candidate sum this step; new_len: the new length those
  // candidates have; max_new: the token budget.
  bool is_done(double best_sum, int new_len, int max_new) const {
    if (static_cast<int>(items_.size()) < n_) return false;
    if (es_ == EarlyStopping::kTrue) return true;
    const int len = (es_ == EarlyStopping::kNever && lp_ > 0) ? max_new : new_len;
    const double best_possible = best_sum / std::pow(static_cast<double>(len), static_cast<double>(lp_));
    return worst_ >= best_possible;
  }

  std::vector<Hyp> sorted() const {
    std::vector<Hyp> v = items_;
    std::stable_sort(v.begin(), v.end(), [](const Hyp& a, const Hyp& b) { return a.score > b.score; });
    return v;
  }

 private:
  int n_;
  float lp_;
  EarlyStopping es_;
  std::vector<Hyp> items_;
  double worst_ = 1e9;
};

struct Candidate {
  double score;
  int beam;
  int32_t token;
  float logprob;
};

// Raw decoded bytes of gen (not sanitised), for stop-string and bad-word checks.
std::string raw_text_of(const GenerationHooks& hooks, const std::vector<int32_t>& gen) {
  if (hooks.token_bytes) {
    std::string s;
    for (int32_t t : gen) s += hooks.token_bytes(t);
    return s;
  }
  if (hooks.decode) return hooks.decode(gen);
  return {};
}

// The longest token prefix of gen whose text lies inside text[0, pos).
size_t tokens_before(const GenerationHooks& hooks, const std::vector<int32_t>& gen, size_t pos) {
  for (size_t k = gen.size(); k > 0; --k) {
    const std::string t = raw_text_of(hooks, std::vector<int32_t>(gen.begin(), gen.begin() + k));
    if (t.size() <= pos) return k;
  }
  return 0;
}

std::string text_of(const GenerationHooks& hooks, const std::vector<int32_t>& gen) {
  if (hooks.token_bytes) {
    std::string s;
    for (int32_t t : gen) s += hooks.token_bytes(t);
    return sanitize_utf8(s);
  }
  if (hooks.decode) return hooks.decode(gen);
  return {};
}

// Moves k candidates drawn without replacement (probability proportional to
// exp(score)) to the front of c, in draw order. Weights are taken relative to
// the best candidate still in the pool, so a very peaked distribution never
// underflows to an all-zero pool.
void sample_without_replacement(std::vector<Candidate>& c, size_t k, Rng& rng) {
  std::vector<double> w(c.size());
  for (size_t j = 0; j < k; ++j) {
    double mx = -std::numeric_limits<double>::infinity();
    for (size_t i = j; i < c.size(); ++i) mx = std::max(mx, c[i].score);
    double total = 0;
    for (size_t i = j; i < c.size(); ++i) total += w[i] = std::exp(c[i].score - mx);
    const double u = rng.uniform_f64() * total;
    double cum = 0;
    size_t pick = j;
    for (size_t i = j; i < c.size(); ++i) {
      if (w[i] <= 0) continue;
      pick = i;  // the last drawable one, should rounding run past the end
      cum += w[i];
      if (u < cum) break;
    }
    std::swap(c[j], c[pick]);
  }
}

}  // namespace

Result<GenerationOutput> run_beam_search(Decoder& dec, const Request& req) {
  const GenerationConfig& cfg = *req.cfg;
  const int n_beams = cfg.num_beams;
  const int v = req.vocab;
  const int plen = static_cast<int>(req.prompt.size());
  const bool want_info = cfg.output_logprobs || cfg.top_logprobs > 0;
  GenerationOutput out;
  out.prompt_tokens = plen;
  ML_RETURN_IF_ERROR(dec.reserve(n_beams, plen + req.budget));
  std::vector<float> rows(static_cast<size_t>(n_beams) * v);
  ML_RETURN_IF_ERROR(dec.prefill(0, req.prompt, rows.data()));
  ++out.prefill_calls;

  const ProcessorChain processors = make_processors(cfg, plen);
  // HF keeps at least 1 + #eos tokens per beam when warping, so a beam can
  // always continue with a non-EOS token.
  const int min_keep = std::max(2, 1 + static_cast<int>(cfg.eos_token_id.size()));
  const ProcessorChain warpers = cfg.do_sample ? make_warpers(cfg, min_keep) : ProcessorChain();
  Rng rng(cfg.seed);
  Hypotheses hyps(n_beams, cfg.length_penalty, cfg.early_stopping);
  std::vector<Beam> beams(1);
  const size_t n_keep = static_cast<size_t>(std::max<int>(2, 1 + static_cast<int>(cfg.eos_token_id.size())) * n_beams);
  std::vector<float> lp(v);
  bool done = false;
  const bool text_checks = !cfg.stop_strings.empty() || !cfg.bad_words.empty();

  for (int step = 0; !done; ++step) {
    const int new_len = step + 1;
    std::vector<Candidate> cands;
    std::vector<std::vector<TokenLogprob>> tops(beams.size());
    for (size_t b = 0; b < beams.size(); ++b) {
      std::span<const float> row(rows.data() + b * v, v);
      if (std::any_of(row.begin(), row.end(), [](float x) { return std::isnan(x); }))
        return failed_precondition("generate: the model returned NaN logits for beam " + std::to_string(b) +
                                   " at new token " + std::to_string(step));
      log_softmax(row, lp);
      std::vector<int32_t> hist = req.prompt;
      hist.insert(hist.end(), beams[b].gen.begin(), beams[b].gen.end());
      processors.apply(lp, TokenHistory{hist, plen});
      if (cfg.do_sample) warpers.apply(lp, TokenHistory{hist, plen});
      if (cfg.top_logprobs > 0) tops[b] = top_logprobs(lp, cfg.top_logprobs);
      std::vector<int32_t> ids;
      for (int t = 0; t < v; ++t)
        if (std::isfinite(lp[t])) ids.push_back(t);
      if (!cfg.do_sample && ids.size() > n_keep) {
        // The global best n_keep lie within each beam's own best n_keep, so
        // only those become candidates (V = 50k would otherwise mean 50k per beam).
        std::nth_element(ids.begin(), ids.begin() + n_keep, ids.end(), [&](int32_t a, int32_t c) {
          return lp[a] != lp[c] ? lp[a] > lp[c] : a < c;
        });
        ids.resize(n_keep);
      }
      for (int32_t t : ids) cands.push_back({beams[b].sum + lp[t], static_cast<int>(b), t, lp[t]});
    }
    if (cands.empty())
      return failed_precondition("generate: every token was masked for every beam at new token " +
                                 std::to_string(step) + "; the bans leave nothing to choose");
    const size_t k = std::min(n_keep, cands.size());
    auto better = [](const Candidate& a, const Candidate& c) {
      if (a.score != c.score) return a.score > c.score;
      return a.beam != c.beam ? a.beam < c.beam : a.token < c.token;
    };
    if (cfg.do_sample) {
      // Beam sampling: draw k candidates without replacement with probability
      // softmax(score) over all beams' candidates, then order them by score.
      sample_without_replacement(cands, k, rng);
      std::sort(cands.begin(), cands.begin() + k, better);
    } else {
      std::partial_sort(cands.begin(), cands.begin() + k, cands.end(), better);
    }
    std::vector<Candidate> next;
    for (size_t r = 0; r < k && static_cast<int>(next.size()) < n_beams; ++r) {
      const Candidate& c = cands[r];
      if (cfg.is_eos(c.token)) {
        if (static_cast<int>(r) >= n_beams) continue;
        Hyp h{beams[c.beam].gen, c.score, 0, FinishReason::kEos, beams[c.beam].info, {}};
        hyps.add(std::move(h), new_len);
      } else if (text_checks) {
        std::vector<int32_t> g = beams[c.beam].gen;
        g.push_back(c.token);
        const std::string text = raw_text_of(*req.hooks, g);
        if (!cfg.bad_words.empty() && find_bad_word(text, cfg.bad_words) >= 0) continue;
        size_t stop = std::string::npos;
        for (const auto& st : cfg.stop_strings) stop = std::min(stop, text.find(st));
        if (stop == std::string::npos) {
          next.push_back(c);
          continue;
        }
        // A stop string ends the beam like EOS (same rank rule); it is cut from the output.
        if (static_cast<int>(r) >= n_beams) continue;
        const size_t keep = tokens_before(*req.hooks, g, stop);
        Hyp h{std::vector<int32_t>(g.begin(), g.begin() + keep), c.score, 0, FinishReason::kStopString, {}, {}};
        if (want_info) {
          h.info = beams[c.beam].info;
          h.info.push_back({c.token, c.logprob, tops[c.beam]});
          h.info.resize(keep);
        }
        h.cut_text = sanitize_utf8(std::string_view(text).substr(0, stop));
        hyps.add(std::move(h), new_len);
      } else {
        next.push_back(c);
      }
    }
    done = hyps.is_done(cands[0].score, new_len, req.budget);
    if (done || next.empty()) break;

    // New beams; the first child of a parent keeps the parent's slot, other
    // children go to slots no surviving parent owns (so no copy overwrites a source).
    std::vector<Beam> fresh(next.size());
    std::vector<char> slot_taken(n_beams, 0);
    std::vector<char> parent_seen(beams.size(), 0);
    std::vector<size_t> need_slot;
    for (size_t j = 0; j < next.size(); ++j) {
      const Beam& p = beams[next[j].beam];
      fresh[j].gen = p.gen;
      fresh[j].gen.push_back(next[j].token);
      fresh[j].sum = next[j].score;
      if (want_info) {
        fresh[j].info = p.info;
        fresh[j].info.push_back({next[j].token, next[j].logprob, tops[next[j].beam]});
      }
      if (!parent_seen[next[j].beam]) {
        parent_seen[next[j].beam] = 1;
        fresh[j].slot = p.slot;
        slot_taken[p.slot] = 1;
      } else {
        need_slot.push_back(j);
      }
    }
    int free_slot = 0;
    for (size_t j : need_slot) {
      while (slot_taken[free_slot]) ++free_slot;
      slot_taken[free_slot] = 1;
      ML_RETURN_IF_ERROR(dec.copy_slot(beams[next[j].beam].slot, free_slot));
      fresh[j].slot = free_slot;
    }
    beams = std::move(fresh);

    if (new_len >= req.budget) {  // out of tokens: the live beams become hypotheses
      for (Beam& b : beams) hyps.add(Hyp{b.gen, b.sum, 0, FinishReason::kLength, b.info, {}}, new_len);
      break;
    }
    std::vector<int> slots;
    std::vector<int32_t> tokens;
    for (const Beam& b : beams) {
      slots.push_back(b.slot);
      tokens.push_back(b.gen.back());
    }
    ML_RETURN_IF_ERROR(dec.decode(slots, tokens, rows.data()));
    ++out.decode_calls;
  }

  std::vector<Hyp> ranked = hyps.sorted();
  const int n = cfg.num_return_sequences;
  if (static_cast<int>(ranked.size()) < n)
    return failed_precondition("generate: beam search found only " + std::to_string(ranked.size()) +
                               " finished sequences but num_return_sequences=" + std::to_string(n));
  const bool has_text = req.hooks->decode || req.hooks->token_bytes;
  std::vector<std::string> texts;
  for (const Hyp& h : ranked)
    texts.push_back(h.reason == FinishReason::kStopString ? h.cut_text : text_of(*req.hooks, h.gen));
  // Choose n: best first, skipping near-duplicates when distinct_variants is on.
  std::vector<int> chosen, dup_of;
  std::vector<char> used(ranked.size(), 0);
  // The output index of the first chosen hypothesis that hyp i is too close to, or -1.
  auto close_to = [&](size_t i) {
    for (size_t c = 0; c < chosen.size(); ++c) {
      const double sim = has_text ? char_ngram_jaccard(texts[i], texts[chosen[c]], cfg.distinct_ngram)
                                  : token_ngram_jaccard(ranked[i].gen, ranked[chosen[c]].gen, cfg.distinct_ngram);
      if (sim > cfg.distinct_threshold) return static_cast<int>(c);
    }
    return -1;
  };
  for (size_t i = 0; i < ranked.size() && static_cast<int>(chosen.size()) < n; ++i) {
    if (cfg.distinct_variants && close_to(i) >= 0) continue;
    chosen.push_back(static_cast<int>(i));
    dup_of.push_back(-1);
    used[i] = 1;
  }
  for (size_t i = 0; i < ranked.size() && static_cast<int>(chosen.size()) < n; ++i) {
    if (used[i]) continue;  // not enough distinct ones: fill with the best left, marked
    dup_of.push_back(close_to(i));
    chosen.push_back(static_cast<int>(i));
  }
  for (size_t c = 0; c < chosen.size(); ++c) {
    const Hyp& h = ranked[chosen[c]];
    GeneratedSequence g;
    g.token_ids = h.gen;
    g.text = texts[chosen[c]];
    g.finish_reason = h.reason;
    g.score = h.score;
    g.tokens = h.info;
    g.duplicate_of = dup_of[c];
    g.force_words_met = cfg.force_words_ids.empty() || force_words_met(cfg.force_words_ids, h.gen);
    out.sequences.push_back(std::move(g));
  }
  return out;
}

}  // namespace marketlm::detail
