// Channel presets: where an ad runs decides how long each piece of copy may
// be and how length is counted. A preset lists one or more fields (Google
// responsive search ads have headlines and descriptions); each field says how
// many texts a variant carries and the limit per text. Sources of every limit
// are in docs/adcopy.md.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "marketlm/core/status.h"

namespace marketlm::adcopy {

// How a limit is counted.
enum class LengthUnit {
  kCodePoints,    // characters as the platform counts them (Meta, generic)
  kDisplayWidth,  // East Asian Wide/Fullwidth count 2 (Google Ads, Weibo, e-mail subject)
  kSmsUnits,      // GSM-7 septets (160 per SMS) or UCS-2 code units (70 per SMS)
};
const char* length_unit_name(LengthUnit u);

struct FieldSpec {
  std::string name;          // "headline", "description", "primary_text", "copy", ...
  std::string label_zh;      // 标题, 描述, ...
  int min_count = 1;         // texts per variant
  int max_count = 1;
  size_t max_length = 0;     // in `unit`; for kSmsUnits the UCS-2 limit (GSM-7 uses 160)
  LengthUnit unit = LengthUnit::kCodePoints;
  size_t advisory_length = 0;  // a softer "visible" length (0 = none), reported not enforced
  bool google_editorial = false;  // apply Google's editorial rules (headline: no '!')
  bool is_headline = false;
};

struct ChannelPreset {
  std::string name;         // "google_rsa", "meta", "sms", "weibo", "email_subject", "generic"
  std::string description;  // one line for --help and errors
  std::string label_zh;     // 谷歌搜索广告, ...
  std::vector<FieldSpec> fields;
  const FieldSpec* field(std::string_view name) const;
  size_t max_field_length() const;  // the largest limit over the fields, in each field's unit
};

// Every preset, in a fixed order; the first one ("generic") is the default.
const std::vector<ChannelPreset>& channel_presets();
// "google_rsa, meta, ..." for error messages.
std::string channel_names();
// Looks up a preset by name (also accepts "google", "rsa", "email", "facebook").
Result<const ChannelPreset*> find_channel(std::string_view name);

// Length of `text` counted in `unit`. For kSmsUnits this is sms_length().units.
size_t measure(std::string_view text, LengthUnit unit);
// Limit for `text` in `field`: for SMS the limit depends on the encoding the
// text forces (160 septets for GSM-7, 70 units for UCS-2); otherwise max_length.
size_t limit_for(const FieldSpec& field, std::string_view text);

}  // namespace marketlm::adcopy
