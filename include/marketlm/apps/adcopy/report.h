// Output of a batch of ad variants: each text with its length as the channel
// counts it, every rule checked (pass/fail), a score, and the brief features
// it covers; rendered as text, JSON or CSV. For the google_rsa channel the
// CSV has Google Ads Editor's columns (Headline 1..15, Description 1..4).
#pragma once

#include <string>
#include <vector>

#include "marketlm/apps/adcopy/brief.h"
#include "marketlm/apps/adcopy/channel.h"
#include "marketlm/apps/adcopy/rules.h"

namespace marketlm::adcopy {

struct PartReport {
  std::string field, text;
  size_t chars = 0, display_width = 0;
  size_t length = 0, limit = 0;  // in the field's unit
  std::string unit;
};

struct VariantReport {
  AdVariant variant;
  std::vector<PartReport> parts;
  CheckReport checks;
  std::vector<std::string> features_covered;
  double feature_coverage = 1.0;
  double max_similarity = 0.0;  // to any earlier variant (character-bigram Jaccard)
  bool passed() const { return checks.all_passed(); }
};

// Measures and checks every variant against the brief and its channel.
Result<std::vector<VariantReport>> assess_variants(const Brief& brief,
                                                   const std::vector<AdVariant>& variants);

std::string format_text(const std::vector<VariantReport>& reports);
std::string format_json(const Brief& brief, const std::vector<VariantReport>& reports, int indent = 2);
// RFC 4180 CSV. google_rsa: one row per variant, Ads Editor columns. Other
// channels: one row per text with variant, field, text, chars, width, length,
// limit, passed, failed_rules, score, features_covered.
std::string format_csv(const ChannelPreset& channel, const std::vector<VariantReport>& reports);
std::string csv_escape(const std::string& field);

}  // namespace marketlm::adcopy
