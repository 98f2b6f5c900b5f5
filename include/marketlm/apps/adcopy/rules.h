// Rules an ad text must pass, used twice: as a final validator on finished
// copy, and as a prefix check during decoding (a generation constraint that
// rejects a token whose text would break a rule no later text can repair).
// Every check names the rule that failed and why.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "marketlm/apps/adcopy/brief.h"
#include "marketlm/apps/adcopy/channel.h"

namespace marketlm::adcopy {

// Rule names as they appear in reports, JSON and CSV.
inline constexpr const char* kRuleLength = "length";
inline constexpr const char* kRuleNotEmpty = "not_empty";
inline constexpr const char* kRuleBannedWord = "banned_word";
inline constexpr const char* kRuleRequiredKeyword = "required_keyword";
inline constexpr const char* kRuleNoExclamation = "no_exclamation_in_headline";
inline constexpr const char* kRuleNoAllCaps = "no_all_caps_word";
inline constexpr const char* kRuleNoRepeatedPunct = "no_repeated_punctuation";
inline constexpr const char* kRuleNoPhoneNumber = "no_phone_number";
inline constexpr const char* kRuleFieldCount = "field_count";
inline constexpr const char* kRuleSupportedChars = "supported_characters";

struct RuleResult {
  std::string rule;
  bool passed = true;
  std::string detail;  // empty when passed; otherwise what failed and where
};

struct CheckReport {
  std::vector<RuleResult> results;
  bool all_passed() const;
  // The first failure's "rule: detail", or "" when all passed.
  std::string first_failure() const;
  void add(std::string rule, bool passed, std::string detail = {});
};

// Word lists shared by both checks. Matching is case-insensitive for ASCII.
struct WordRules {
  std::vector<std::string> banned;
  std::vector<std::string> required;  // keywords that must appear
  static WordRules from_brief(const Brief& b) { return {b.banned, b.keywords}; }
};

// --- individual checks (each returns one RuleResult) ---
RuleResult check_length(const FieldSpec& field, std::string_view text);
RuleResult check_banned(const std::vector<std::string>& banned, std::string_view text);
// Passes when every keyword appears somewhere in `text`.
RuleResult check_required(const std::vector<std::string>& required, std::string_view text);
RuleResult check_no_exclamation(std::string_view text);      // ! or ！
RuleResult check_no_all_caps(std::string_view text);         // a word of >= 2 letters all upper case
RuleResult check_no_repeated_punctuation(std::string_view text);  // "!!", "??", "。。", "..." ...
RuleResult check_no_phone_number(std::string_view text);     // 7+ digits, separators allowed
// Google rejects emoji and half-width katakana as unsupported characters.
RuleResult check_supported_characters(std::string_view text);

// Final validator for one text of one field: length, not empty, banned words,
// and Google's editorial rules when the field asks for them. Required
// keywords are checked per variant (validate_variant), not per text, unless
// `require_keywords` is set (single-field channels).
CheckReport check_text(const FieldSpec& field, const WordRules& words, std::string_view text,
                       bool require_keywords);

// One variant: the texts generated for each field of the channel.
struct VariantPart {
  std::string field;
  std::string text;
};
struct AdVariant {
  std::vector<VariantPart> parts;
  double score = 0.0;  // model log-probability or a ranker's score; filled by the caller
  std::string joined() const;  // all texts joined with '\n'
};

// Validates a whole variant: each text with check_text, each field's text
// count against min/max, and the required keywords over all its texts.
CheckReport validate_variant(const ChannelPreset& channel, const WordRules& words,
                             const AdVariant& v);

// --- prefix check, for constrained decoding ---
// Tells a decoder whether appending `piece` to the already generated `prefix`
// of one field's text can still lead to valid copy. Rejects when the length
// limit would be exceeded, a banned word would appear, the remaining room can
// no longer hold the required keywords still missing, or (Google fields) an
// editorial rule is already broken. `piece` may end in the middle of a UTF-8
// character (byte-level BPE); an unfinished character counts at its minimum
// width 1 and is judged in full once complete.
class PrefixChecker {
 public:
  PrefixChecker(const FieldSpec& field, WordRules words, bool require_keywords);
  // ok, or the rule that would break ("length: 32 > 30 display width").
  RuleResult check_append(std::string_view prefix, std::string_view piece) const;
  // Room left for more text after `prefix`, in the field's unit.
  size_t remaining(std::string_view prefix) const;

 private:
  FieldSpec field_;
  WordRules words_;
  bool require_keywords_;
};

// --- near duplicates between variants ---
// Jaccard similarity of the sets of character n-grams (code points, with
// whitespace and punctuation removed). Two empty texts have similarity 1.
double ngram_jaccard(std::string_view a, std::string_view b, int n = 2);
struct DuplicatePair {
  size_t i, j;
  double similarity;
};
// Every pair (i < j) whose similarity is >= threshold.
std::vector<DuplicatePair> find_near_duplicates(const std::vector<std::string>& texts,
                                                double threshold = 0.6, int n = 2);
// Greedy filter: keeps texts in order, dropping any too similar to a kept one.
// Returns the indices kept.
std::vector<size_t> keep_distinct(const std::vector<std::string>& texts, double threshold = 0.6,
                                  int n = 2);

}  // namespace marketlm::adcopy
