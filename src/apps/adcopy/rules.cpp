#include "marketlm/apps/adcopy/rules.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "marketlm/apps/adcopy/text_width.h"

namespace marketlm::adcopy {
namespace {

bool is_ascii_letter(char32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char32_t c) { return c >= '0' && c <= '9'; }
bool is_exclamation(char32_t c) { return c == U'!' || c == U'！'; }
bool is_question(char32_t c) { return c == U'?' || c == U'？'; }

// Index of the first banned word found in `lowered` at or after byte `from`
// (occurrences may start before `from` as long as they end after it).
const std::string* find_banned(const std::vector<std::string>& banned, const std::string& lowered,
                               size_t from) {
  for (const auto& w : banned) {
    if (w.empty()) continue;
    std::string lw = lower_ascii(w);
    size_t start = from >= lw.size() ? from - lw.size() + 1 : 0;
    if (lowered.find(lw, start) != std::string::npos) return &w;
  }
  return nullptr;
}

std::string fmt_len(size_t len, size_t lim, LengthUnit u) {
  return std::to_string(len) + " > " + std::to_string(lim) + " " + length_unit_name(u);
}

// The longest suffix of `text` (lower-cased) that is a proper prefix of `kw`.
size_t overlap_bytes(const std::string& text, const std::string& kw) {
  size_t m = std::min(text.size(), kw.size() - 1);
  for (size_t k = m; k > 0; --k)
    if (text.compare(text.size() - k, k, kw, 0, k) == 0) return k;
  return 0;
}

std::set<std::u32string> ngram_set(std::string_view s, int n) {
  std::u32string cps;
  for (char32_t c : decode_utf8(s))
    if (!is_space(c) && !is_punctuation(c)) cps.push_back(c);
  std::set<std::u32string> grams;
  if (cps.empty()) return grams;
  if (cps.size() < static_cast<size_t>(n)) {
    grams.insert(cps);
    return grams;
  }
  for (size_t i = 0; i + n <= cps.size(); ++i) grams.insert(cps.substr(i, n));
  return grams;
}

}  // namespace

bool CheckReport::all_passed() const {
  return std::all_of(results.begin(), results.end(), [](const RuleResult& r) { return r.passed; });
}

std::string CheckReport::first_failure() const {
  for (const auto& r : results)
    if (!r.passed) return r.rule + ": " + r.detail;
  return {};
}

void CheckReport::add(std::string rule, bool passed, std::string detail) {
  results.push_back({std::move(rule), passed, std::move(detail)});
}

RuleResult check_length(const FieldSpec& field, std::string_view text) {
  size_t len = measure(text, field.unit);
  size_t lim = limit_for(field, text);
  if (len > lim) return {kRuleLength, false, fmt_len(len, lim, field.unit)};
  return {kRuleLength, true, {}};
}

RuleResult check_banned(const std::vector<std::string>& banned, std::string_view text) {
  std::string lowered = lower_ascii(text);
  if (const std::string* w = find_banned(banned, lowered, 0))
    return {kRuleBannedWord, false, "contains banned word '" + *w + "'"};
  return {kRuleBannedWord, true, {}};
}

RuleResult check_required(const std::vector<std::string>& required, std::string_view text) {
  std::string lowered = lower_ascii(text);
  std::string missing;
  for (const auto& k : required) {
    if (k.empty() || lowered.find(lower_ascii(k)) != std::string::npos) continue;
    if (!missing.empty()) missing += "', '";
    missing += k;
  }
  if (!missing.empty()) return {kRuleRequiredKeyword, false, "missing keyword '" + missing + "'"};
  return {kRuleRequiredKeyword, true, {}};
}

RuleResult check_no_exclamation(std::string_view text) {
  for (char32_t c : decode_utf8(text))
    if (is_exclamation(c)) return {kRuleNoExclamation, false, "headline contains '!'"};
  return {kRuleNoExclamation, true, {}};
}

RuleResult check_no_all_caps(std::string_view text) {
  // Words of 4+ ASCII letters written all in capitals ("FREE"); acronyms of up
  // to three letters (USB, CPU) pass, as do mixed-case words ("iPhone").
  std::u32string cps = decode_utf8(text);
  size_t i = 0;
  while (i < cps.size()) {
    if (!is_ascii_letter(cps[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    bool all_upper = true;
    while (j < cps.size() && is_ascii_letter(cps[j])) {
      if (cps[j] >= 'a' && cps[j] <= 'z') all_upper = false;
      ++j;
    }
    if (all_upper && j - i >= 4)
      return {kRuleNoAllCaps, false, "all-caps word '" + encode_utf8(cps.substr(i, j - i)) + "'"};
    i = j;
  }
  return {kRuleNoAllCaps, true, {}};
}

RuleResult check_no_repeated_punctuation(std::string_view text) {
  // Chinese writes its ellipsis and dash as exactly two marks (……, ——): allowed.
  std::u32string cps = decode_utf8(text);
  for (size_t i = 1; i < cps.size(); ++i) {
    char32_t a = cps[i - 1], b = cps[i];
    bool cjk_pair = (a == U'…' || a == U'—') && a == b && (i < 2 || cps[i - 2] != a) &&
                    (i + 1 >= cps.size() || cps[i + 1] != a);
    bool same = a == b && is_punctuation(a) && !cjk_pair;
    bool mixed = (is_exclamation(a) || is_question(a)) && (is_exclamation(b) || is_question(b));
    if (same || mixed)
      return {kRuleNoRepeatedPunct, false,
              "repeated punctuation '" + encode_utf8(cps.substr(i - 1, 2)) + "'"};
  }
  return {kRuleNoRepeatedPunct, true, {}};
}

RuleResult check_no_phone_number(std::string_view text) {
  // A run of digits and phone separators (space - . ( ) +) holding 7+ digits.
  std::u32string cps = decode_utf8(text);
  auto is_sep = [](char32_t c) {
    return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '+' || c == U'－';
  };
  size_t i = 0;
  while (i < cps.size()) {
    if (!is_digit(cps[i]) && cps[i] != '+' && cps[i] != '(') {
      ++i;
      continue;
    }
    size_t j = i, digits = 0, last_digit = i;
    while (j < cps.size() && (is_digit(cps[j]) || is_sep(cps[j]))) {
      if (is_digit(cps[j])) {
        ++digits;
        last_digit = j;
      }
      ++j;
    }
    if (digits >= 7)
      return {kRuleNoPhoneNumber, false,
              "looks like a phone number: '" + encode_utf8(cps.substr(i, last_digit - i + 1)) + "'"};
    i = j > i ? j : i + 1;
  }
  return {kRuleNoPhoneNumber, true, {}};
}

RuleResult check_supported_characters(std::string_view text) {
  for (char32_t c : decode_utf8(text)) {
    bool emoji = (c >= 0x1F000 && c <= 0x1FAFF) || (c >= 0x2600 && c <= 0x27BF) || c == 0xFE0F;
    bool half_katakana = c >= 0xFF61 && c <= 0xFF9F;
    if (emoji || half_katakana) {
      std::string ch;
      append_utf8(ch, c);
      return {kRuleSupportedChars, false,
              std::string(emoji ? "emoji" : "half-width katakana") + " '" + ch + "' is not allowed"};
    }
  }
  return {kRuleSupportedChars, true, {}};
}

CheckReport check_text(const FieldSpec& field, const WordRules& words, std::string_view text,
                       bool require_keywords) {
  CheckReport r;
  bool empty = display_width(text) == 0 || trim(text).empty();
  r.add(kRuleNotEmpty, !empty, empty ? field.name + " is empty" : "");
  r.results.push_back(check_length(field, text));
  r.results.push_back(check_banned(words.banned, text));
  if (require_keywords) r.results.push_back(check_required(words.required, text));
  if (field.google_editorial) {
    if (field.is_headline) {
      r.results.push_back(check_no_exclamation(text));
    } else {
      size_t n = 0;
      for (char32_t c : decode_utf8(text)) n += is_exclamation(c) ? 1 : 0;
      r.add(kRuleNoExclamation, n <= 1, n <= 1 ? "" : "more than one '!' in a description");
    }
    r.results.push_back(check_no_all_caps(text));
    r.results.push_back(check_no_repeated_punctuation(text));
    r.results.push_back(check_no_phone_number(text));
    r.results.push_back(check_supported_characters(text));
  }
  return r;
}

std::string AdVariant::joined() const {
  std::string s;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) s += '\n';
    s += parts[i].text;
  }
  return s;
}

CheckReport validate_variant(const ChannelPreset& channel, const WordRules& words,
                             const AdVariant& v) {
  CheckReport report;
  for (const auto& p : v.parts) {
    const FieldSpec* f = channel.field(p.field);
    if (!f) {
      report.add(kRuleFieldCount, false,
                 "channel '" + channel.name + "' has no field '" + p.field + "'");
      continue;
    }
    CheckReport one = check_text(*f, words, p.text, false);
    for (auto& r : one.results) {
      if (!r.passed) r.detail = f->name + ": " + r.detail;
      report.results.push_back(std::move(r));
    }
  }
  for (const auto& f : channel.fields) {
    int n = 0;
    for (const auto& p : v.parts) n += p.field == f.name ? 1 : 0;
    bool ok = n >= f.min_count && n <= f.max_count;
    report.add(kRuleFieldCount, ok,
               ok ? "" : f.name + ": " + std::to_string(n) + " texts, expected " +
                             std::to_string(f.min_count) + "-" + std::to_string(f.max_count));
  }
  report.results.push_back(check_required(words.required, v.joined()));
  return report;
}

PrefixChecker::PrefixChecker(const FieldSpec& field, WordRules words, bool require_keywords)
    : field_(field), words_(std::move(words)), require_keywords_(require_keywords) {}

size_t PrefixChecker::remaining(std::string_view prefix) const {
  std::string_view complete = prefix.substr(0, prefix.size() - incomplete_utf8_tail(prefix));
  size_t len = measure(complete, field_.unit) + (complete.size() < prefix.size() ? 1 : 0);
  size_t lim = limit_for(field_, complete);
  return len >= lim ? 0 : lim - len;
}

RuleResult PrefixChecker::check_append(std::string_view prefix, std::string_view piece) const {
  std::string full;
  full.reserve(prefix.size() + piece.size());
  full.append(prefix).append(piece);
  size_t tail = incomplete_utf8_tail(full);
  std::string_view complete = std::string_view(full).substr(0, full.size() - tail);
  size_t len = measure(complete, field_.unit) + (tail ? 1 : 0);
  size_t lim = limit_for(field_, complete);
  if (len > lim) return {kRuleLength, false, fmt_len(len, lim, field_.unit)};

  std::string lowered = lower_ascii(complete);
  size_t from = std::min(prefix.size(), lowered.size());
  if (from > 0) --from;  // an occurrence must end inside the new text
  if (const std::string* w = find_banned(words_.banned, lowered, from))
    return {kRuleBannedWord, false, "would create banned word '" + *w + "'"};

  if (require_keywords_) {
    // Room still needed for the keywords that have not appeared yet; a
    // keyword already begun at the end of the text needs only its rest.
    size_t need = 0;
    std::string missing;
    for (const auto& k : words_.required) {
      std::string lk = lower_ascii(k);
      if (lk.empty() || lowered.find(lk) != std::string::npos) continue;
      size_t ov = overlap_bytes(lowered, lk);
      need += measure(std::string_view(k).substr(ov), field_.unit);
      if (!missing.empty()) missing += "', '";
      missing += k;
    }
    if (need > 0 && len + need > lim)
      return {kRuleRequiredKeyword, false,
              "no room left for keyword '" + missing + "' (" + std::to_string(lim - len) + " left, " +
                  std::to_string(need) + " needed)"};
  }

  if (field_.google_editorial) {
    if (field_.is_headline) {
      RuleResult r = check_no_exclamation(complete);
      if (!r.passed) return r;
    } else {
      size_t n = 0;
      for (char32_t c : decode_utf8(complete)) n += is_exclamation(c) ? 1 : 0;
      if (n > 1) return {kRuleNoExclamation, false, "more than one '!' in a description"};
    }
    RuleResult r = check_no_repeated_punctuation(complete);
    if (!r.passed) return r;
    r = check_no_phone_number(complete);
    if (!r.passed) return r;
    r = check_supported_characters(complete);
    if (!r.passed) return r;
    // Judge only words that are finished (followed by a non-letter).
    size_t end = complete.size();
    while (end > 0 && std::isalpha(static_cast<unsigned char>(complete[end - 1]))) --end;
    r = check_no_all_caps(complete.substr(0, end));
    if (!r.passed) return r;
  }
  return {"prefix", true, {}};
}

double ngram_jaccard(std::string_view a, std::string_view b, int n) {
  auto ga = ngram_set(a, n), gb = ngram_set(b, n);
  if (ga.empty() && gb.empty()) return 1.0;
  size_t inter = 0;
  for (const auto& g : ga) inter += gb.count(g);
  size_t uni = ga.size() + gb.size() - inter;
  return static_cast<double>(inter) / static_cast<double>(uni);
}

std::vector<DuplicatePair> find_near_duplicates(const std::vector<std::string>& texts,
                                                double threshold, int n) {
  std::vector<DuplicatePair> out;
  for (size_t i = 0; i < texts.size(); ++i)
    for (size_t j = i + 1; j < texts.size(); ++j) {
      double s = ngram_jaccard(texts[i], texts[j], n);
      if (s >= threshold) out.push_back({i, j, s});
    }
  return out;
}

std::vector<size_t> keep_distinct(const std::vector<std::string>& texts, double threshold, int n) {
  std::vector<size_t> kept;
  for (size_t i = 0; i < texts.size(); ++i) {
    bool dup = false;
    for (size_t k : kept)
      if (ngram_jaccard(texts[i], texts[k], n) >= threshold) dup = true;
    if (!dup) kept.push_back(i);
  }
  return kept;
}

}  // namespace marketlm::adcopy
