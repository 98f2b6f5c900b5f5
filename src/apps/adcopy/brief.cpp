#include "marketlm/apps/adcopy/brief.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "marketlm/apps/adcopy/text_width.h"

namespace marketlm::adcopy {
namespace {

using nlohmann::json;

bool is_separator(char32_t cp) {
  switch (cp) {
    case U'、': case U'，': case U',': case U';': case U'；': case U'|': case U'/':
    case U'\n': case U'\r': case U'｜':
      return true;
    default:
      return false;
  }
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

const char* json_type_name(const json& j) { return j.type_name(); }

Result<std::string> get_string(const json& j, const char* field, std::string_view source) {
  if (!j.is_string())
    return invalid_argument(std::string(source) + ": field '" + field + "' must be a string, got " +
                            json_type_name(j) + " (" + j.dump() + ")");
  return trim(j.get<std::string>());
}

Result<std::vector<std::string>> get_list(const json& j, const char* field, std::string_view source) {
  if (j.is_string()) return split_list(j.get<std::string>());
  if (!j.is_array())
    return invalid_argument(std::string(source) + ": field '" + field +
                            "' must be a string or an array of strings, got " + json_type_name(j));
  std::vector<std::string> out;
  for (size_t i = 0; i < j.size(); ++i) {
    if (!j[i].is_string())
      return invalid_argument(std::string(source) + ": field '" + field + "[" + std::to_string(i) +
                              "]' must be a string, got " + json_type_name(j[i]) + " (" +
                              j[i].dump() + ")");
    std::string t = trim(j[i].get<std::string>());
    if (!t.empty()) out.push_back(std::move(t));
  }
  return out;
}

bool contains_ci(std::string_view hay, std::string_view needle) {
  return lower(hay).find(lower(needle)) != std::string::npos;
}

}  // namespace

const char* objective_name(Objective o) {
  switch (o) {
    case Objective::kNone: return "";
    case Objective::kAwareness: return "awareness";
    case Objective::kConsideration: return "consideration";
    case Objective::kConversion: return "conversion";
  }
  return "";
}

const char* language_name(Language l) {
  switch (l) {
    case Language::kAuto: return "auto";
    case Language::kZh: return "zh";
    case Language::kEn: return "en";
  }
  return "auto";
}

Result<Objective> parse_objective(std::string_view s) {
  std::string v = lower(trim(s));
  if (v.empty() || v == "none") return Objective::kNone;
  if (v == "awareness" || v == "认知" || v == "品牌认知" || v == "曝光") return Objective::kAwareness;
  if (v == "consideration" || v == "考虑" || v == "种草") return Objective::kConsideration;
  if (v == "conversion" || v == "转化" || v == "购买" || v == "sales") return Objective::kConversion;
  return invalid_argument("unknown objective '" + std::string(s) +
                          "' (valid: awareness, consideration, conversion)");
}

Result<Language> parse_language(std::string_view s) {
  std::string v = lower(trim(s));
  if (v.empty() || v == "auto") return Language::kAuto;
  if (v == "zh" || v == "zh-cn" || v == "zh_cn" || v == "chinese" || v == "中文") return Language::kZh;
  if (v == "en" || v == "en-us" || v == "english") return Language::kEn;
  return invalid_argument("unknown language '" + std::string(s) + "' (valid: zh, en, auto)");
}

std::string trim(std::string_view s) {
  std::u32string cps = decode_utf8(s);
  size_t b = 0, e = cps.size();
  while (b < e && is_space(cps[b])) ++b;
  while (e > b && is_space(cps[e - 1])) --e;
  return encode_utf8(std::u32string_view(cps).substr(b, e - b));
}

std::vector<std::string> split_list(std::string_view s) {
  std::vector<std::string> out;
  std::u32string cur;
  auto flush = [&] {
    std::string t = trim(encode_utf8(cur));
    if (!t.empty()) out.push_back(std::move(t));
    cur.clear();
  };
  for (char32_t cp : decode_utf8(s)) {
    if (is_separator(cp)) {
      flush();
    } else {
      cur.push_back(cp);
    }
  }
  flush();
  return out;
}

Result<Brief> parse_brief_json(std::string_view json_text, std::string_view source) {
  json j;
  try {
    j = json::parse(json_text);
  } catch (const json::parse_error& e) {
    return invalid_argument(std::string(source) + ": malformed JSON at byte " +
                            std::to_string(e.byte) + ": " + e.what());
  }
  if (!j.is_object())
    return invalid_argument(std::string(source) + ": a brief must be a JSON object, got " +
                            json_type_name(j));
  Brief b;
  static constexpr const char* kFields =
      "product, target, objective, features, audience, tone, channel, keywords, banned, language";
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    const json& v = it.value();
    if (v.is_null()) continue;
    if (k == "product") {
      ML_ASSIGN_OR_RETURN(b.product, get_string(v, "product", source));
    } else if (k == "target") {
      ML_ASSIGN_OR_RETURN(b.target, get_string(v, "target", source));
    } else if (k == "objective") {
      ML_ASSIGN_OR_RETURN(std::string s, get_string(v, "objective", source));
      auto o = parse_objective(s);
      if (!o) return o.status().with_context(std::string(source) + ": field 'objective'");
      b.objective = *o;
    } else if (k == "features") {
      ML_ASSIGN_OR_RETURN(b.features, get_list(v, "features", source));
    } else if (k == "audience") {
      ML_ASSIGN_OR_RETURN(b.audience, get_string(v, "audience", source));
    } else if (k == "tone") {
      ML_ASSIGN_OR_RETURN(b.tone, get_string(v, "tone", source));
    } else if (k == "channel") {
      ML_ASSIGN_OR_RETURN(b.channel, get_string(v, "channel", source));
    } else if (k == "keywords") {
      ML_ASSIGN_OR_RETURN(b.keywords, get_list(v, "keywords", source));
    } else if (k == "banned") {
      ML_ASSIGN_OR_RETURN(b.banned, get_list(v, "banned", source));
    } else if (k == "language" || k == "lang") {
      ML_ASSIGN_OR_RETURN(std::string s, get_string(v, "language", source));
      auto l = parse_language(s);
      if (!l) return l.status().with_context(std::string(source) + ": field 'language'");
      b.language = *l;
    } else {
      return invalid_argument(std::string(source) + ": unknown field '" + k + "' (valid: " + kFields +
                              ")");
    }
  }
  return b;
}

std::string brief_to_json(const Brief& b, int indent) {
  json j = json::object();
  j["product"] = b.product;
  j["target"] = b.target;
  j["objective"] = objective_name(b.objective);
  j["features"] = b.features;
  j["audience"] = b.audience;
  j["tone"] = b.tone;
  j["channel"] = b.channel;
  j["keywords"] = b.keywords;
  j["banned"] = b.banned;
  j["language"] = language_name(b.language);
  return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

Language resolved_language(const Brief& b) {
  if (b.language != Language::kAuto) return b.language;
  auto has_cjk = [](const std::string& s) {
    for (char32_t cp : decode_utf8(s))
      if (is_cjk_ideograph(cp)) return true;
    return false;
  };
  if (has_cjk(b.product) || has_cjk(b.target)) return Language::kZh;
  for (const auto& f : b.features)
    if (has_cjk(f)) return Language::kZh;
  for (const auto& k : b.keywords)
    if (has_cjk(k)) return Language::kZh;
  return Language::kEn;
}

Status validate_brief(const Brief& b) {
  auto ch = find_channel(b.channel);
  if (!ch) return ch.status().with_context("field 'channel'");
  const ChannelPreset& preset = **ch;
  if (b.product.empty() && b.target.empty())
    return invalid_argument(
        "the brief needs a product or a target: both 'product' and 'target' are empty "
        "(e.g. --product 办公用品 or --target \"提供高质量的办公用品\")");
  for (const auto& k : b.keywords) {
    for (const auto& w : b.banned) {
      if (contains_ci(k, w))
        return invalid_argument("required keyword '" + k + "' contains banned word '" + w +
                                "': no copy can satisfy both 'keywords' and 'banned'");
    }
  }
  // Every keyword must fit at least one field of the channel.
  for (const auto& k : b.keywords) {
    bool fits = false;
    std::string limits;
    for (const auto& f : preset.fields) {
      size_t len = measure(k, f.unit);
      size_t lim = limit_for(f, k);
      if (len <= lim) fits = true;
      if (!limits.empty()) limits += ", ";
      limits += f.name + " " + std::to_string(len) + "/" + std::to_string(lim) + " " +
                length_unit_name(f.unit);
    }
    if (!fits)
      return invalid_argument("required keyword '" + k + "' is longer than any field of channel '" +
                              preset.name + "' allows (" + limits + ")");
  }
  // Single-field channels carry every keyword in one text.
  if (preset.fields.size() == 1 && b.keywords.size() > 1) {
    const FieldSpec& f = preset.fields[0];
    std::string joined;
    for (const auto& k : b.keywords) joined += k;
    size_t len = measure(joined, f.unit);
    size_t lim = limit_for(f, joined);
    if (len > lim)
      return invalid_argument("the required keywords together need " + std::to_string(len) + " " +
                              length_unit_name(f.unit) + " but channel '" + preset.name + "' allows " +
                              std::to_string(lim) + " in its one " + f.name);
  }
  return Status::ok();
}

}  // namespace marketlm::adcopy
