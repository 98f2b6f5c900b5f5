#include "marketlm/apps/adcopy/report.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "marketlm/apps/adcopy/metrics.h"
#include "marketlm/apps/adcopy/text_width.h"

namespace marketlm::adcopy {
namespace {

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}

std::string failed_rules(const CheckReport& r) {
  std::vector<std::string> f;
  for (const auto& x : r.results)
    if (!x.passed) f.push_back(x.rule + " (" + x.detail + ")");
  return join(f, "; ");
}

// The distinct rule names checked, in order ("length, not_empty, ...").
std::string rules_checked(const CheckReport& r) {
  std::vector<std::string> names;
  for (const auto& x : r.results)
    if (std::find(names.begin(), names.end(), x.rule) == names.end()) names.push_back(x.rule);
  return join(names, ", ");
}

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

}  // namespace

Result<std::vector<VariantReport>> assess_variants(const Brief& brief,
                                                   const std::vector<AdVariant>& variants) {
  ML_ASSIGN_OR_RETURN(const ChannelPreset* ch, find_channel(brief.channel));
  WordRules words = WordRules::from_brief(brief);
  std::vector<VariantReport> out;
  std::vector<std::string> joined;
  for (const auto& v : variants) {
    VariantReport r;
    r.variant = v;
    for (const auto& p : v.parts) {
      PartReport pr;
      pr.field = p.field;
      pr.text = p.text;
      pr.chars = char_count(p.text);
      pr.display_width = display_width(p.text);
      if (const FieldSpec* f = ch->field(p.field)) {
        pr.length = measure(p.text, f->unit);
        pr.limit = limit_for(*f, p.text);
        pr.unit = length_unit_name(f->unit);
      }
      r.parts.push_back(std::move(pr));
    }
    r.checks = validate_variant(*ch, words, v);
    std::string all = v.joined();
    r.features_covered = covered_features(brief.features, all);
    r.feature_coverage = feature_coverage(brief.features, all);
    for (const auto& prev : joined) r.max_similarity = std::max(r.max_similarity, ngram_jaccard(all, prev));
    joined.push_back(all);
    out.push_back(std::move(r));
  }
  return out;
}

namespace {

// Covered features as one list: joined with 、 when one of them is not ASCII
// (Chinese), else with "; " as the English prompt lists them.
std::string feature_list(const std::vector<std::string>& features) {
  const bool ascii = std::all_of(features.begin(), features.end(), [](const std::string& f) {
    return std::all_of(f.begin(), f.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  });
  return join(features, ascii ? "; " : "、");
}

}  // namespace

std::string format_text(const std::vector<VariantReport>& reports) {
  std::string s;
  for (size_t i = 0; i < reports.size(); ++i) {
    const auto& r = reports[i];
    s += "[" + std::to_string(i + 1) + "] score " + fmt(r.variant.score) + " | rules " +
         (r.passed() ? "pass (" + rules_checked(r.checks) + ")" : "FAIL: " + failed_rules(r.checks)) + " | features " +
         std::to_string(r.features_covered.size()) + ": " + feature_list(r.features_covered) + "\n";
    for (const auto& p : r.parts) {
      s += "  " + p.field + " (" + std::to_string(p.length) + "/" + std::to_string(p.limit) + " " +
           p.unit + "): " + p.text + "\n";
    }
  }
  return s;
}

std::string format_json(const Brief& brief, const std::vector<VariantReport>& reports, int indent) {
  using nlohmann::json;
  json j;
  j["brief"] = json::parse(brief_to_json(brief));
  j["variants"] = json::array();
  for (const auto& r : reports) {
    json v;
    v["score"] = r.variant.score;
    v["passed"] = r.passed();
    v["features_covered"] = r.features_covered;
    v["feature_coverage"] = r.feature_coverage;
    v["max_similarity_to_previous"] = r.max_similarity;
    v["parts"] = json::array();
    for (const auto& p : r.parts)
      v["parts"].push_back({{"field", p.field}, {"text", p.text}, {"chars", p.chars},
                            {"display_width", p.display_width}, {"length", p.length},
                            {"limit", p.limit}, {"unit", p.unit}});
    v["rules"] = json::array();
    for (const auto& c : r.checks.results)
      v["rules"].push_back({{"rule", c.rule}, {"passed", c.passed}, {"detail", c.detail}});
    j["variants"].push_back(std::move(v));
  }
  return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

std::string csv_escape(const std::string& f) {
  if (f.find_first_of(",\"\r\n") == std::string::npos) return f;
  std::string s = "\"";
  for (char c : f) {
    if (c == '"') s += '"';
    s += c;
  }
  return s + "\"";
}

std::string format_csv(const ChannelPreset& channel, const std::vector<VariantReport>& reports) {
  std::string s;
  if (channel.name == "google_rsa") {
    const FieldSpec* h = channel.field("headline");
    const FieldSpec* d = channel.field("description");
    std::vector<std::string> header;
    for (int i = 1; i <= h->max_count; ++i) header.push_back("Headline " + std::to_string(i));
    for (int i = 1; i <= d->max_count; ++i) header.push_back("Description " + std::to_string(i));
    s += join(header, ",") + "\r\n";
    for (const auto& r : reports) {
      std::vector<std::string> hs, ds;
      for (const auto& p : r.parts) {
        if (p.field == "headline") hs.push_back(p.text);
        if (p.field == "description") ds.push_back(p.text);
      }
      hs.resize(h->max_count);
      ds.resize(d->max_count);
      std::vector<std::string> row;
      for (auto& x : hs) row.push_back(csv_escape(x));
      for (auto& x : ds) row.push_back(csv_escape(x));
      s += join(row, ",") + "\r\n";
    }
    return s;
  }
  s += "variant,field,text,chars,display_width,length,limit,passed,failed_rules,score,features_covered\r\n";
  for (size_t i = 0; i < reports.size(); ++i) {
    const auto& r = reports[i];
    for (const auto& p : r.parts) {
      std::vector<std::string> row = {std::to_string(i + 1), p.field, csv_escape(p.text),
                                      std::to_string(p.chars), std::to_string(p.display_width),
                                      std::to_string(p.length), std::to_string(p.limit),
                                      r.passed() ? "true" : "false", csv_escape(failed_rules(r.checks)),
                                      fmt(r.variant.score), csv_escape(feature_list(r.features_covered))};
      s += join(row, ",") + "\r\n";
    }
  }
  return s;
}

}  // namespace marketlm::adcopy
