#include "marketlm/apps/adcopy/generator.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <memory>

#include "marketlm/apps/adcopy/buyer_voice.h"
#include "marketlm/apps/adcopy/feature_boost.h"
#include "marketlm/apps/adcopy/metrics.h"
#include "marketlm/apps/adcopy/opening.h"
#include "marketlm/apps/adcopy/prompt.h"
#include "marketlm/apps/adcopy/text_width.h"
#include "marketlm/generate/constraints.h"
#include "marketlm/generate/utf8_stream.h"

namespace marketlm::adcopy {
namespace {

bool has_control_char(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7F) return true;
  return false;
}

bool is_ascii_space(char c) { return c == ' ' || c == '\t'; }

// `full` with its unfinished last character (byte-level tokens can stop
// inside one) replaced by the longest character of that UTF-8 length in
// every unit: U+0100 (2 bytes: outside GSM-7), 中 (3 bytes: wide, UCS-2),
// U+20000 (4 bytes: wide, two UCS-2 units). Judging this stand-in keeps a
// started character from being one that can no longer fit.
std::string worst_case_completion(std::string_view full, size_t tail) {
  std::string out(full.substr(0, full.size() - tail));
  const unsigned char lead = static_cast<unsigned char>(full[full.size() - tail]);
  if (lead >= 0xF0) {
    out += "\xF0\xA0\x80\x80";
  } else if (lead >= 0xE0) {
    out += "\xE4\xB8\xAD";
  } else {
    out += "\xC4\x80";
  }
  return out;
}

// The ASCII letters at the end of `s` (a word still being written).
std::string_view trailing_ascii_word(std::string_view s) {
  size_t b = s.size();
  while (b > 0 && std::isalpha(static_cast<unsigned char>(s[b - 1]))) --b;
  return s.substr(b);
}

// Google's no-all-caps rule judges finished words, so a word of 4+ capitals
// can still become "ABCDe"; near the limit it cannot. Refuse such a word as
// soon as its fourth capital is written so no text runs into that dead end.
bool caps_word_started(std::string_view s) {
  std::string_view w = trailing_ascii_word(s);
  if (w.size() < 4) return false;
  for (char c : w)
    if (!(c >= 'A' && c <= 'Z')) return false;
  return true;
}

// The copy's joined length in the field's unit.
size_t joined_length(const FieldSpec& f, const std::vector<std::string>& words) {
  std::string joined;
  for (const auto& w : words) joined += w;
  return measure(joined, f.unit);
}

}  // namespace

// Ranking of finished candidates: EOS before anything else, then text
// without a stutter (多样多样) before text with one, then text without a
// buyer's voice (收到, 下次还买) before text with one, then the model's mean
// log-likelihood plus weight x feature coverage; the sample order breaks ties.
bool ranks_before(const TextCandidate& a, const TextCandidate& b, double coverage_weight) {
  const bool ea = a.finish == FinishReason::kEos, eb = b.finish == FinishReason::kEos;
  if (ea != eb) return ea;
  if (a.stutter != b.stutter) return !a.stutter;
  if (a.buyer_voice != b.buyer_voice) return !a.buyer_voice;
  return a.mean_logprob + coverage_weight * a.feature_coverage > b.mean_logprob + coverage_weight * b.feature_coverage;
}

bool is_clean(const TextCandidate& c) {
  return c.finish == FinishReason::kEos && !c.stutter && !c.buyer_voice;
}

Status GenerateOptions::validate() const {
  if (num_variants < 1) return invalid_argument("num_variants (-n) must be at least 1, got " + std::to_string(num_variants));
  if (!(temperature > 0.0f)) return invalid_argument("temperature must be > 0, got " + std::to_string(temperature));
  if (!(top_p > 0.0f && top_p <= 1.0f)) return invalid_argument("top_p must be in (0, 1], got " + std::to_string(top_p));
  if (top_k < 0) return invalid_argument("top_k must be >= 0, got " + std::to_string(top_k));
  if (!(repetition_penalty > 0.0f))
    return invalid_argument("repetition_penalty must be > 0, got " + std::to_string(repetition_penalty));
  if (oversample < 1) return invalid_argument("oversample must be at least 1, got " + std::to_string(oversample));
  if (max_rounds < 1) return invalid_argument("max_rounds must be at least 1, got " + std::to_string(max_rounds));
  if (!(distinct_threshold > 0.0 && distinct_threshold <= 1.0))
    return invalid_argument("distinct_threshold must be in (0, 1], got " + std::to_string(distinct_threshold));
  if (max_new_tokens < 0) return invalid_argument("max_new_tokens must be >= 0, got " + std::to_string(max_new_tokens));
  if (min_length < 0) return invalid_argument("min_length must be >= 0, got " + std::to_string(min_length));
  if (!(feature_boost >= 0.0f && feature_boost <= 100.0f))
    return invalid_argument("feature_boost must be in [0, 100] (0 = off), got " + std::to_string(feature_boost));
  if (!(opening_feature_boost >= 0.0f && opening_feature_boost <= 100.0f))
    return invalid_argument("opening_feature_boost must be in [0, 100] (0 = off), got " +
                            std::to_string(opening_feature_boost));
  if (!(feature_continue_scale >= 0.0f && feature_continue_scale <= 10.0f))
    return invalid_argument("feature_continue_scale must be in [0, 10], got " + std::to_string(feature_continue_scale));
  if (feature_max_starts < 1)
    return invalid_argument("feature_max_starts must be at least 1, got " + std::to_string(feature_max_starts));
  if (!(coverage_weight >= 0.0 && coverage_weight <= 1e6))
    return invalid_argument("coverage_weight must be in [0, 1e6], got " + std::to_string(coverage_weight));
  return Status::ok();
}

Result<size_t> keyword_field(const ChannelPreset& channel, const std::vector<std::string>& keywords) {
  if (channel.fields.size() == 1) return size_t{0};
  size_t best = channel.fields.size();
  for (size_t i = 0; i < channel.fields.size(); ++i) {
    const FieldSpec& f = channel.fields[i];
    std::string joined;
    for (const auto& k : keywords) joined += k;
    if (joined_length(f, keywords) > limit_for(f, joined)) continue;
    if (best == channel.fields.size() || f.max_length > channel.fields[best].max_length) best = i;
  }
  if (best == channel.fields.size())
    return invalid_argument("the required keywords together are longer than any one field of channel '" +
                            channel.name + "' allows; every keyword must fit in one text: use fewer or shorter keywords");
  return best;
}

Result<AdcopyGenerator> AdcopyGenerator::create(Decoder* decoder, const Tokenizer* tokenizer) {
  if (!decoder || !tokenizer) return invalid_argument("adcopy generator: no model or no tokenizer");
  AdcopyGenerator g(decoder, tokenizer);
  auto special = [&](const char* name, int32_t* id) -> Status {
    auto t = tokenizer->token_to_id(name);
    if (!t || !tokenizer->is_special(*t))
      return failed_precondition(std::string("the tokenizer has no special token ") + name +
                                 ": this is not an ad-copy model (its tokenizer must register <|brief|>, "
                                 "<|copy|> and <|endoftext|> as special tokens; see docs/adcopy.md)");
    *id = *t;
    return Status::ok();
  };
  // The markers reach the model as text (encode_prompt), but an ad-copy
  // tokenizer registers them: their absence means the wrong model.
  int32_t marker = -1;
  ML_RETURN_IF_ERROR(special(kBriefToken, &marker));
  ML_RETURN_IF_ERROR(special(kCopyToken, &marker));
  ML_RETURN_IF_ERROR(special(kEndOfTextToken, &g.eos_id_));
  if (tokenizer->vocab_size() > decoder->vocab_size())
    return failed_precondition("the tokenizer has " + std::to_string(tokenizer->vocab_size()) +
                               " tokens but the model only " + std::to_string(decoder->vocab_size()) +
                               ": they do not belong together");
  for (const AddedToken& a : tokenizer->added_tokens())
    if (a.special && a.id != g.eos_id_ && a.id < decoder->vocab_size()) g.banned_specials_.push_back(a.id);
  g.token_bytes_.resize(static_cast<size_t>(tokenizer->vocab_size()));
  for (int32_t id = 0; id < tokenizer->vocab_size(); ++id)
    if (!tokenizer->is_special(id)) g.token_bytes_[static_cast<size_t>(id)] = tokenizer->id_to_bytes(id);
  return g;
}

std::vector<int32_t> AdcopyGenerator::encode_prompt(const std::string& prompt) const {
  // Exactly as `marketlm train` tokenizes a JSONL prompt: as text, special
  // tokens not parsed. The shipped model learnt <|brief|> and <|copy|> as the
  // byte pieces of those strings, and feeding it the special ids instead made
  // it start mid-sentence.
  return tok_->encode(prompt, /*allow_special=*/false);
}

Result<std::vector<double>> AdcopyGenerator::mean_logprobs(const std::vector<int32_t>& prompt,
                                                           const std::vector<std::vector<int32_t>>& conts,
                                                           const std::vector<bool>& with_eos) const {
  const int v = decoder_->vocab_size();
  std::vector<double> out(conts.size(), 0.0);
  const size_t chunk = static_cast<size_t>(std::max(1, decoder_->max_slots()));
  std::vector<float> prompt_logits(v);
  for (size_t base = 0; base < conts.size(); base += chunk) {
    const size_t m = std::min(chunk, conts.size() - base);
    size_t longest = 0;
    for (size_t i = 0; i < m; ++i) longest = std::max(longest, conts[base + i].size());
    ML_RETURN_IF_ERROR(decoder_->reserve(static_cast<int>(m), static_cast<int>(prompt.size() + longest)));
    ML_RETURN_IF_ERROR(decoder_->prefill(0, prompt, prompt_logits.data()));
    for (size_t i = 1; i < m; ++i) ML_RETURN_IF_ERROR(decoder_->copy_slot(0, static_cast<int>(i)));
    std::vector<float> rows(m * v);
    for (size_t i = 0; i < m; ++i) std::copy(prompt_logits.begin(), prompt_logits.end(), rows.begin() + i * v);
    std::vector<double> sum(m, 0.0);
    std::vector<int> count(m, 0);
    auto logprob = [&](size_t i, int32_t tok) {
      const float* r = rows.data() + i * v;
      const float mx = *std::max_element(r, r + v);
      double z = 0;
      for (int k = 0; k < v; ++k) z += std::exp(static_cast<double>(r[k]) - mx);
      return static_cast<double>(r[tok]) - mx - std::log(z);
    };
    for (size_t t = 0;; ++t) {
      std::vector<int> slots;
      std::vector<int32_t> toks;
      for (size_t i = 0; i < m; ++i) {
        const auto& c = conts[base + i];
        if (t < c.size()) {
          sum[i] += logprob(i, c[t]);
          ++count[i];
          if (t + 1 < c.size() || with_eos[base + i]) {
            slots.push_back(static_cast<int>(i));
            toks.push_back(c[t]);
          }
        } else if (t == c.size() && with_eos[base + i]) {
          sum[i] += logprob(i, eos_id_);
          ++count[i];
        }
      }
      if (slots.empty()) break;
      std::vector<float> logits(slots.size() * static_cast<size_t>(v));
      ML_RETURN_IF_ERROR(decoder_->decode(slots, toks, logits.data()));
      for (size_t k = 0; k < slots.size(); ++k)
        std::copy(logits.begin() + k * v, logits.begin() + (k + 1) * v, rows.begin() + slots[k] * v);
    }
    for (size_t i = 0; i < m; ++i) out[base + i] = count[i] ? sum[i] / count[i] : 0.0;
  }
  return out;
}

Result<std::vector<TextCandidate>> AdcopyGenerator::sample_field(const Brief& brief, const FieldSpec& field,
                                                                 const std::string& prompt, bool require_keywords,
                                                                 int needed, int field_index,
                                                                 const GenerateOptions& opt,
                                                                 GenerateStats* stats) const {
  WordRules words{brief.banned, require_keywords ? brief.keywords : std::vector<std::string>{}};
  // ADGEN writes "<UNK>" where its crawl lost a character (212 of its
  // training copies), so the model learnt to write it too: never in an ad,
  // nor its first character (kNeverWritten).
  words.banned.push_back(std::string(kNeverWritten));
  const PrefixChecker checker(field, words, require_keywords);
  const std::vector<int32_t> ids = encode_prompt(prompt);
  // Copy that starts from the brief's target (opening.h), when it fits the
  // field and breaks none of its rules.
  const std::string opening = [&] {
    std::string o = target_opening(brief, opt.target_opening);
    const bool usable = opening_fits(field, o) && checker.check_append("", o).passed &&
                        !(field.google_editorial && caps_word_started(o));
    return usable ? o : std::string();
  }();
  const std::vector<int32_t> opening_ids = opening.empty() ? std::vector<int32_t>{} : tok_->encode(opening);
  const int plen = static_cast<int>(ids.size());
  const int room = decoder_->max_positions() - plen - static_cast<int>(opening_ids.size());
  if (room < 2)
    return out_of_range("the prompt for field '" + field.name + "' is " + std::to_string(plen) +
                        " tokens and leaves no room in the model's context of " +
                        std::to_string(decoder_->max_positions()) + " tokens: shorten the brief");
  int budget = opt.max_new_tokens > 0 ? opt.max_new_tokens : static_cast<int>(2 * field.max_length + 16);
  budget = std::min(budget, room);

  GenerationConfig cfg;
  cfg.do_sample = true;
  cfg.temperature = opt.temperature;
  cfg.top_p = opt.top_p;
  cfg.top_k = opt.top_k;
  cfg.repetition_penalty = opt.repetition_penalty;
  cfg.max_new_tokens = budget;
  cfg.eos_token_id = {eos_id_};
  cfg.distinct_variants = true;  // the engine redraws clear repeats early; keep_distinct decides below
  for (int32_t s : banned_specials_) cfg.bad_words_ids.push_back({s});
  // The checker steers the text into the keywords as it nears the field's
  // limit; when the token budget could run out first (up to 3 byte-level
  // tokens per character), the engine's token-level force words are needed too.
  const bool budget_binds = static_cast<size_t>(budget) < 3 * field.max_length;
  if (require_keywords && (opt.force_words || budget_binds) && !brief.keywords.empty()) {
    EncodeFn enc = [this](const std::string& w) { return tok_->encode(w); };
    cfg.force_words_ids = force_words_ids_for(brief.keywords, enc);
    if (force_words_min_tokens(cfg.force_words_ids) > budget) cfg.force_words_ids.clear();  // rely on the checker
  }

  std::unique_ptr<FeatureBooster> booster;
  const float boost = opening.empty() ? opt.feature_boost : opt.opening_feature_boost;
  if (boost > 0.0f && !brief.features.empty()) {
    std::vector<int32_t> skip = banned_specials_;
    skip.push_back(eos_id_);
    booster = std::make_unique<FeatureBooster>(brief.features, token_bytes_, skip, boost,
                                               boost * opt.feature_continue_scale, opt.feature_max_starts);
  }
  // The hooks judge the copy: the opening (or nothing), then the text the
  // engine has generated.
  GenerationHooks hooks;
  hooks.token_bytes = [this](int32_t id) { return tok_->id_to_bytes(id); };
  hooks.accept = [&](int, std::string_view generated, std::string_view piece, bool eos) {
    // The copy with the candidate: the opening, the generated text, the piece
    // (none for EOS); `text` is the copy before the piece.
    std::string full;
    full.reserve(opening.size() + generated.size() + piece.size());
    full.append(opening).append(generated).append(piece);
    const std::string_view text = std::string_view(full).substr(0, full.size() - piece.size());
    if (eos) {
      // The model writes something of its own after the opening.
      if (generated.empty() || is_ascii_space(text.back()) || !is_valid_utf8(text)) return false;
      if (opt.min_length > 0 && measure(text, field.unit) < static_cast<size_t>(opt.min_length)) return false;
      return check_text(field, words, text, require_keywords).all_passed();
    }
    if (piece.empty() || has_control_char(piece)) return false;
    if (text.empty() && is_ascii_space(piece.front())) return false;  // no leading space
    const size_t tail = incomplete_utf8_tail(full);
    if (!is_valid_utf8(std::string_view(full).substr(0, full.size() - tail))) return false;
    if (!checker.check_append(text, piece).passed) return false;
    // Lookahead against dead ends: states the prefix check allows but from
    // which no text can end cleanly.
    if (tail > 0) {
      const std::string w = worst_case_completion(full, tail);
      if (measure(w, field.unit) > limit_for(field, w)) return false;
    }
    if (field.google_editorial && caps_word_started(full)) return false;
    if (is_ascii_space(full.back()) && checker.remaining(full) == 0) return false;  // could never end
    return true;
  };
  if (booster) {
    hooks.dynamic_bias = [&](int, std::span<const int32_t>, std::string_view generated) {
      return opening.empty() ? booster->biases(generated) : booster->biases(opening + std::string(generated));
    };
  }
  std::vector<int32_t> start_ids = ids;  // the prompt, then the opening
  start_ids.insert(start_ids.end(), opening_ids.begin(), opening_ids.end());

  std::vector<TextCandidate> pool;
  const int max_seqs = std::max(1, decoder_->max_slots() - 1);
  // Another round is sampled while fewer than `needed` distinct clean texts
  // are in the pool (is_clean). The others stay in the pool, ranked last,
  // for when no round finds enough.
  for (int round = 0; round < opt.max_rounds; ++round) {
    int have = 0;
    {
      std::vector<std::string> texts;
      for (const auto& c : pool)
        if (is_clean(c)) texts.push_back(c.text);
      have = static_cast<int>(keep_distinct(texts, opt.distinct_threshold).size());
    }
    if (have >= needed) break;
    cfg.num_return_sequences = std::min(max_seqs, (needed - have) * opt.oversample);
    cfg.seed = opt.seed + 1000003ull * static_cast<uint64_t>(round) + 7919ull * static_cast<uint64_t>(field_index);
    auto out = marketlm::generate(*decoder_, start_ids, cfg, hooks);
    if (!out) return out.status().with_context("generating field '" + field.name + "'");
    ++stats->generate_calls;
    stats->prompt_tokens += static_cast<int64_t>(start_ids.size());
    std::vector<TextCandidate> fresh;
    for (const auto& s : out->sequences) {
      ++stats->candidates;
      stats->generated_tokens += static_cast<int64_t>(s.token_ids.size());
      TextCandidate c;
      c.field = field.name;
      c.opened = !opening.empty();
      // The raw bytes: the engine's text turns a character cut by the token
      // budget into U+FFFD, which must count as invalid, not as copy.
      c.text = opening + tok_->decode(s.token_ids);
      c.token_ids = opening_ids;  // the opening's tokens count in the score
      c.token_ids.insert(c.token_ids.end(), s.token_ids.begin(), s.token_ids.end());
      c.finish = s.finish_reason;
      if (c.finish != FinishReason::kEos && c.finish != FinishReason::kLength) {
        ++stats->unfinished;
        continue;
      }
      c.checks = check_text(field, words, c.text, require_keywords);
      if (!c.checks.all_passed() || !is_valid_utf8(c.text)) {
        ++stats->failed_checks;
        continue;
      }
      if (c.finish != FinishReason::kEos) ++stats->unfinished;
      c.feature_coverage = feature_coverage(brief.features, c.text);
      c.stutter = has_stutter(c.text);
      c.buyer_voice = speaks_as_buyer(brief, c.text);
      fresh.push_back(std::move(c));
    }
    std::vector<std::vector<int32_t>> conts;
    std::vector<bool> eos;
    for (const auto& c : fresh) {
      conts.push_back(c.token_ids);
      eos.push_back(c.finish == FinishReason::kEos);
    }
    ML_ASSIGN_OR_RETURN(std::vector<double> lp, mean_logprobs(ids, conts, eos));
    for (size_t i = 0; i < fresh.size(); ++i) {
      fresh[i].mean_logprob = lp[i];
      pool.push_back(std::move(fresh[i]));
    }
  }
  std::stable_sort(pool.begin(), pool.end(), [&](const TextCandidate& a, const TextCandidate& b) {
    return ranks_before(a, b, opt.coverage_weight);
  });
  std::vector<std::string> texts;
  for (const auto& c : pool) texts.push_back(c.text);
  std::vector<size_t> keep = keep_distinct(texts, opt.distinct_threshold);
  stats->duplicates += static_cast<int>(pool.size() - keep.size());
  std::vector<TextCandidate> out;
  for (size_t i : keep) out.push_back(std::move(pool[i]));
  return out;
}

Result<GenerateResult> AdcopyGenerator::generate(const Brief& brief, const GenerateOptions& opt) const {
  ML_RETURN_IF_ERROR(opt.validate());
  ML_RETURN_IF_ERROR(validate_brief(brief));
  ML_ASSIGN_OR_RETURN(const ChannelPreset* channel, find_channel(brief.channel));
  ML_ASSIGN_OR_RETURN(size_t kw_field, keyword_field(*channel, brief.keywords));
  for (const FieldSpec& field : channel->fields)
    if (static_cast<size_t>(opt.min_length) > field.max_length)
      return invalid_argument("min_length " + std::to_string(opt.min_length) + " is more than the " +
                              std::to_string(field.max_length) + " " + length_unit_name(field.unit) +
                              " that channel '" + channel->name + "' allows its " + field.name +
                              ": no text could meet both");
  Brief b = brief;
  b.channel = channel->name;
  GenerateResult res;
  const std::vector<FieldPrompt> prompts = render_channel_prompts(b);
  std::vector<std::vector<TextCandidate>> per_field;
  size_t variants = static_cast<size_t>(opt.num_variants);
  for (size_t f = 0; f < channel->fields.size(); ++f) {
    const FieldSpec& field = channel->fields[f];
    res.prompts.push_back(prompts[f].prompt);
    const int needed = opt.num_variants * field.min_count;
    ML_ASSIGN_OR_RETURN(auto texts, sample_field(b, field, prompts[f].prompt, f == kw_field && !b.keywords.empty(),
                                                 needed, static_cast<int>(f), opt, &res.stats));
    variants = std::min(variants, texts.size() / static_cast<size_t>(field.min_count));
    per_field.push_back(std::move(texts));
  }
  const WordRules words = WordRules::from_brief(b);
  for (size_t v = 0; v < variants; ++v) {
    AdVariant var;
    std::vector<TextCandidate> parts;
    double lp_sum = 0;
    size_t lp_n = 0;
    for (size_t f = 0; f < channel->fields.size(); ++f) {
      const size_t k = static_cast<size_t>(channel->fields[f].min_count);
      for (size_t j = v * k; j < (v + 1) * k; ++j) {
        const TextCandidate& c = per_field[f][j];
        var.parts.push_back({c.field, c.text});
        const size_t n = c.token_ids.size() + (c.finish == FinishReason::kEos ? 1 : 0);
        lp_sum += c.mean_logprob * static_cast<double>(n);
        lp_n += n;
        parts.push_back(c);
      }
    }
    var.score = lp_n ? lp_sum / static_cast<double>(lp_n) : 0.0;
    if (!validate_variant(*channel, words, var).all_passed()) continue;  // never report a failing variant
    res.variants.push_back(std::move(var));
    res.texts.push_back(std::move(parts));
  }
  if (res.variants.size() < static_cast<size_t>(opt.num_variants)) {
    res.shortfall = "found " + std::to_string(res.variants.size()) + " of " + std::to_string(opt.num_variants) +
                    " variants that pass every rule and differ from each other (" +
                    std::to_string(res.stats.candidates) + " texts sampled: " +
                    std::to_string(res.stats.failed_checks) + " failed a rule, " +
                    std::to_string(res.stats.unfinished) + " did not end with EOS, " +
                    std::to_string(res.stats.duplicates) + " near duplicates); try another --seed, a larger "
                    "--oversample, or a looser brief";
  }
  return res;
}

}  // namespace marketlm::adcopy
