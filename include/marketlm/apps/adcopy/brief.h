// The ad brief: what a marketer tells marketlm about the copy they want.
// Built from CLI flags or a JSON file ({"product": ..., "features": [...], ...}),
// then validated once against the channel's limits with errors that name the
// field, the value and what was expected.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "marketlm/apps/adcopy/channel.h"
#include "marketlm/core/status.h"

namespace marketlm::adcopy {

enum class Objective { kNone, kAwareness, kConsideration, kConversion };
enum class Language { kAuto, kZh, kEn };

const char* objective_name(Objective o);  // "", "awareness", ...
const char* language_name(Language l);    // "auto", "zh", "en"
// Accepts the English names and 品牌认知/认知, 考虑/种草, 转化/购买.
Result<Objective> parse_objective(std::string_view s);
Result<Language> parse_language(std::string_view s);

struct Brief {
  std::string product;             // 办公用品
  std::string target;              // free-text goal: 提供高质量的办公用品
  Objective objective = Objective::kNone;
  std::vector<std::string> features;  // 低价格, 高质量, 多样化
  std::string audience;            // 企业采购
  std::string tone;                // 专业 / playful
  std::string channel = "generic";
  std::vector<std::string> keywords;  // must appear in the copy
  std::vector<std::string> banned;    // must not appear
  Language language = Language::kAuto;
};

// Splits "低价格、高质量，多样化" or "cheap, durable; light" into trimmed,
// non-empty items. Separators: 、，,;；|/ and newlines (ASCII '/' only).
std::vector<std::string> split_list(std::string_view s);
// Trims ASCII and Unicode whitespace (incl. U+3000) at both ends.
std::string trim(std::string_view s);

// Parses a brief from JSON text. `source` names the file in errors. Fields:
// product, target, objective, features, audience, tone, channel, keywords,
// banned, language (list fields take an array of strings or one string that
// split_list splits). Unknown fields are errors (they are usually typos).
Result<Brief> parse_brief_json(std::string_view json_text, std::string_view source = "brief");
std::string brief_to_json(const Brief& b, int indent = -1);

// Language actually used: kAuto resolves to zh when any CJK ideograph appears
// in product, target, features or keywords, en otherwise.
Language resolved_language(const Brief& b);

// Checks the brief against its channel: known channel, something to write
// about (product or target), no keyword that is also banned, and every
// required keyword able to fit the channel's limits. Errors are
// invalid_argument with the field name.
Status validate_brief(const Brief& b);

}  // namespace marketlm::adcopy
