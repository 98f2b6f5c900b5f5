// Ad-copy generation: a brief in, distinct variants out, each satisfying its
// channel's limits, banned words, editorial rules and required keywords.
//
//   auto tok = Tokenizer::from_pretrained("models/adcopy-zh");
//   auto model = Model::from_pretrained("models/adcopy-zh");
//   auto gen = AdcopyGenerator::create(&model->decoder(), &*tok);
//   GenerateOptions opt;  opt.num_variants = 3;  opt.seed = 1;
//   Result<GenerateResult> r = gen->generate(brief, opt);   // r->variants
//
// How the rules are met (docs/adcopy.md, "Generation"):
//  * while decoding, GenerationHooks::accept asks a PrefixChecker about every
//    candidate token's text: a token that would pass a length limit, spell a
//    banned word (also across tokens), break a Google editorial rule, or leave
//    too little room for a missing keyword is vetoed and another drawn; EOS is
//    allowed only when the text so far passes the field's final check. The
//    text is never cut afterwards;
//  * required keywords go into every text of one field (the only field, or the
//    longest one that holds them all); the checker saves room for them, so
//    the text is steered into them before the limit, and it cannot end
//    without them;
//  * a target that says what the brand offers opens every text of a field
//    that has room for it (opening.h); the model writes on from there;
//  * every text field is sampled several times in one batch that shares the
//    prompt's cache; texts failing the final validator are dropped, near
//    duplicates (character-bigram Jaccard >= distinct_threshold) removed, the
//    rest ranked (finished by EOS first, then text without a stutter, then
//    text without a buyer's voice (buyer_voice.h), then the model's mean
//    log-likelihood per token plus coverage_weight x brief-feature coverage)
//    and dealt into variants;
//  * with feature_boost > 0, tokens that start or continue a brief feature
//    not yet in the text get a logit bonus (GenerationHooks::dynamic_bias,
//    FeatureBooster), so the copy is steered into the brief's features;
//  * every returned variant passes validate_variant. Fewer than asked are
//    returned (with `shortfall` saying why) rather than a failing one.
// Not thread-safe: one generate() at a time per decoder.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "marketlm/apps/adcopy/brief.h"
#include "marketlm/apps/adcopy/opening.h"
#include "marketlm/apps/adcopy/rules.h"
#include "marketlm/core/status.h"
#include "marketlm/generate/decoder.h"
#include "marketlm/generate/generate.h"
#include "marketlm/text/tokenizer.h"

namespace marketlm::adcopy {

// ADGEN's marker for a character its crawl lost, which the shipped model
// learnt from it (the marker is in 212 of its training copies).
inline constexpr std::string_view kLostCharacterMarker = "<UNK>";
// Text the generator never writes whatever the brief says: the marker's
// first character. Banning the whole marker was not enough: the model ran a
// begun marker on into other text ("<UNKAND", then "<蚕丝"); ad copy has no
// use for a bare '<' (7 of the ~25,000 training copies use one, as book-title
// brackets).
inline constexpr std::string_view kNeverWritten = "<";

struct GenerateOptions {
  int num_variants = 3;
  float temperature = 0.8f;
  float top_p = 0.9f;
  int top_k = 0;                    // 0 = off
  float repetition_penalty = 1.2f;
  uint64_t seed = 0;
  int oversample = 2;               // candidates sampled per text still needed
  int max_rounds = 3;               // sampling rounds while too few clean candidates (EOS-ended, no stutter, no buyer voice)
  double distinct_threshold = 0.6;  // ngram_jaccard (bigrams) at or above which texts are near duplicates
  int max_new_tokens = 0;           // 0 = 2 x the field's limit + 16, capped by the context
  // The shortest text a field may end with, in the field's unit (characters,
  // or display width where CJK counts double): EOS is refused until the text
  // is this long (0 = off). Must not exceed any field's limit.
  int min_length = 0;
  // Always give required keywords to the engine as force words. Off by
  // default: the prefix checker saves room for them on the text, and the
  // engine's force words (which judge tokens and keep EOS banned when the
  // keyword was written in other tokens) are added only when the token
  // budget could run out before the field's limit (budget < 3 x limit).
  bool force_words = false;
  // Feature-guided decoding (feature_boost.h): logit bonus for the tokens
  // that start a brief feature not yet written (0 = off; 3 was tuned on a
  // dev split of ADGEN, docs/adcopy.md); the tokens that
  // continue a started one get feature_continue_scale x that.
  float feature_boost = 3.0f;
  float feature_continue_scale = 2.0f;
  int feature_max_starts = 2;         // starts helped per feature (its head's occurrences)
  // Ranking of finished candidates: mean log-likelihood per token +
  // coverage_weight x feature coverage (EOS-finished first). 1000 ranks by
  // coverage strictly first, as before feature_boost existed.
  double coverage_weight = 1000.0;
  // Which targets open the copy (opening.h): with one that fits the field
  // (at most half its limit) and breaks none of its rules, every text of the
  // field starts with the target, and the model writes on from there.
  TargetOpening target_opening = TargetOpening::kOffers;
  // feature_boost for copy opened by the target: the opening already carries
  // the brief, and the full boost pushed the remaining features in as a pile
  // of tags ("低价格外的", "低价格低"; docs/adcopy.md, "Target opening").
  float opening_feature_boost = 1.0f;
  Status validate() const;
};

// One generated text of one field.
struct TextCandidate {
  std::string field;
  std::string text;
  std::vector<int32_t> token_ids;
  double mean_logprob = 0.0;  // model log-likelihood per token (EOS included), raw logits
  FinishReason finish = FinishReason::kLength;
  double feature_coverage = 0.0;
  bool stutter = false;       // has_stutter (metrics.h): ranked after every text without one
  // Buyer-voice markers (buyer_voice.h) other than words of the brief itself:
  // ranked after ad-voiced text (after the stutter test).
  bool buyer_voice = false;
  bool opened = false;        // starts with the brief's target (opening.h); token_ids and the score include it
  CheckReport checks;         // check_text on the finished text
};

// The order of finished candidates: EOS before anything else, then text
// without a stutter before text with one, then text without a buyer's voice
// before text with one, then the higher mean log-likelihood +
// coverage_weight x feature coverage.
bool ranks_before(const TextCandidate& a, const TextCandidate& b, double coverage_weight);

// A clean candidate: ended by EOS, no stutter, not in a buyer's voice. The
// generator samples another round (up to max_rounds) while it has fewer
// distinct clean candidates than it needs.
bool is_clean(const TextCandidate& c);

struct GenerateStats {
  int64_t prompt_tokens = 0;     // over every generate() call
  int64_t generated_tokens = 0;  // sampled tokens over every candidate (EOS not counted)
  int generate_calls = 0;
  int candidates = 0;            // texts sampled
  int failed_checks = 0;         // dropped by the final validator
  int unfinished = 0;            // ended without an accepted EOS (rejected / out of tokens)
  int duplicates = 0;            // dropped as near duplicates
};

struct GenerateResult {
  std::vector<AdVariant> variants;                 // each passes validate_variant; score = mean log-likelihood
  std::vector<std::vector<TextCandidate>> texts;   // per variant, its texts in part order
  std::vector<std::string> prompts;                // per channel field
  GenerateStats stats;
  std::string shortfall;                           // why fewer than num_variants ("" when not)
};

// The field of `channel` whose every text must carry all the brief's
// keywords: the only field, or the one with the largest limit that holds
// them all. Error when no field can hold them together.
Result<size_t> keyword_field(const ChannelPreset& channel, const std::vector<std::string>& keywords);

class AdcopyGenerator {
 public:
  // The tokenizer needs the special tokens of prompt.h (<|brief|>, <|copy|>,
  // <|endoftext|>) and must fit the decoder's vocabulary. Both are borrowed.
  static Result<AdcopyGenerator> create(Decoder* decoder, const Tokenizer* tokenizer);

  // The prompt's ids: special tokens for the markers, the brief's text as
  // plain text (a "<|copy|>" typed in a brief stays text).
  std::vector<int32_t> encode_prompt(const std::string& prompt) const;

  // Validates the brief, then generates. Errors: invalid brief or options, a
  // prompt that leaves no room in the model's context, decoder failures.
  Result<GenerateResult> generate(const Brief& brief, const GenerateOptions& options) const;

  // Mean log-likelihood per token of each continuation after `prompt`
  // (each followed by EOS when with_eos[i]), from the decoder's raw logits.
  Result<std::vector<double>> mean_logprobs(const std::vector<int32_t>& prompt,
                                            const std::vector<std::vector<int32_t>>& continuations,
                                            const std::vector<bool>& with_eos) const;

 private:
  AdcopyGenerator(Decoder* d, const Tokenizer* t) : decoder_(d), tok_(t) {}
  Result<std::vector<TextCandidate>> sample_field(const Brief& brief, const FieldSpec& field,
                                                  const std::string& prompt, bool require_keywords,
                                                  int needed, int field_index, const GenerateOptions& opt,
                                                  GenerateStats* stats) const;
  Decoder* decoder_;
  const Tokenizer* tok_;
  int32_t eos_id_ = -1;
  std::vector<int32_t> banned_specials_;  // special tokens other than EOS: never generated
  std::vector<std::string> token_bytes_;  // raw bytes of every token id (for the feature boost)
};

}  // namespace marketlm::adcopy
