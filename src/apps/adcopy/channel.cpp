#include "marketlm/apps/adcopy/channel.h"

#include <algorithm>
#include <cctype>

#include "marketlm/apps/adcopy/text_width.h"

namespace marketlm::adcopy {
namespace {

FieldSpec make_field(std::string name, std::string label_zh, int min_count, int max_count,
                     size_t max_length, LengthUnit unit) {
  FieldSpec f;
  f.name = std::move(name);
  f.label_zh = std::move(label_zh);
  f.min_count = min_count;
  f.max_count = max_count;
  f.max_length = max_length;
  f.unit = unit;
  return f;
}

std::vector<ChannelPreset> build_presets() {
  std::vector<ChannelPreset> v;
  {
    // Free-form copy like ADGEN's (Taobao product copy runs 50-200 characters).
    ChannelPreset p{"generic", "free-form product copy, at most 300 characters", "通用文案", {}};
    p.fields.push_back(make_field("copy", "文案", 1, 1, 300, LengthUnit::kCodePoints));
    v.push_back(std::move(p));
  }
  {
    // Google Ads responsive search ad: 3-15 headlines of 30 and 2-4 descriptions
    // of 90; Chinese/Japanese/Korean characters count double.
    ChannelPreset p{"google_rsa",
                    "Google Ads responsive search ad: 3-15 headlines <= 30, 2-4 descriptions <= 90 "
                    "(CJK characters count 2)",
                    "谷歌搜索广告", {}};
    FieldSpec h = make_field("headline", "标题", 3, 15, 30, LengthUnit::kDisplayWidth);
    h.google_editorial = true;
    h.is_headline = true;
    FieldSpec d = make_field("description", "描述", 2, 4, 90, LengthUnit::kDisplayWidth);
    d.google_editorial = true;
    p.fields.push_back(h);
    p.fields.push_back(d);
    v.push_back(std::move(p));
  }
  {
    // Meta (Facebook/Instagram) feed ads: primary text is cut after about 125
    // characters ("See more"); headline about 40.
    ChannelPreset p{"meta", "Meta feed ad: primary text <= 125 visible characters, headline <= 40",
                    "Meta信息流广告", {}};
    FieldSpec t = make_field("primary_text", "正文", 1, 1, 125, LengthUnit::kCodePoints);
    FieldSpec h = make_field("headline", "标题", 1, 1, 40, LengthUnit::kCodePoints);
    h.is_headline = true;
    p.fields.push_back(t);
    p.fields.push_back(h);
    v.push_back(std::move(p));
  }
  {
    ChannelPreset p{"sms", "one SMS: 70 characters in UCS-2 (any Chinese), 160 in GSM-7",
                    "短信", {}};
    p.fields.push_back(make_field("text", "短信", 1, 1, 70, LengthUnit::kSmsUnits));
    v.push_back(std::move(p));
  }
  {
    // Weibo's classic limit: 140 Chinese characters, two half-width
    // characters counting as one, i.e. 280 display columns.
    ChannelPreset p{"weibo", "Weibo post: 140 Chinese characters (half-width counts half)", "微博",
                    {}};
    p.fields.push_back(make_field("post", "微博", 1, 1, 280, LengthUnit::kDisplayWidth));
    v.push_back(std::move(p));
  }
  {
    // E-mail subject: about 60 characters fit a desktop inbox, about 40 show on
    // a phone (Mailchimp's and Campaign Monitor's guidance).
    ChannelPreset p{"email_subject",
                    "e-mail subject line: <= 60 columns (about 40 visible on a phone; CJK count 2)",
                    "邮件主题", {}};
    FieldSpec s = make_field("subject", "主题", 1, 1, 60, LengthUnit::kDisplayWidth);
    s.advisory_length = 40;
    s.is_headline = true;
    p.fields.push_back(s);
    v.push_back(std::move(p));
  }
  return v;
}

}  // namespace

const char* length_unit_name(LengthUnit u) {
  switch (u) {
    case LengthUnit::kCodePoints: return "characters";
    case LengthUnit::kDisplayWidth: return "display width";
    case LengthUnit::kSmsUnits: return "SMS units";
  }
  return "?";
}

const FieldSpec* ChannelPreset::field(std::string_view n) const {
  for (const auto& f : fields)
    if (f.name == n) return &f;
  return nullptr;
}

size_t ChannelPreset::max_field_length() const {
  size_t m = 0;
  for (const auto& f : fields) m = std::max(m, f.max_length);
  return m;
}

const std::vector<ChannelPreset>& channel_presets() {
  // Immutable after construction (a constant table, not mutable global state).
  static const std::vector<ChannelPreset> kPresets = build_presets();
  return kPresets;
}

std::string channel_names() {
  std::string s;
  for (const auto& p : channel_presets()) {
    if (!s.empty()) s += ", ";
    s += p.name;
  }
  return s;
}

Result<const ChannelPreset*> find_channel(std::string_view name) {
  std::string n = lower_ascii(name);
  for (char& c : n)
    if (c == '-') c = '_';
  if (n.empty()) n = "generic";
  if (n == "google" || n == "rsa" || n == "google_ads") n = "google_rsa";
  if (n == "facebook" || n == "instagram") n = "meta";
  if (n == "email" || n == "e_mail") n = "email_subject";
  for (const auto& p : channel_presets())
    if (p.name == n) return &p;
  return invalid_argument("unknown channel '" + std::string(name) + "' (valid: " + channel_names() +
                          ")");
}

size_t measure(std::string_view text, LengthUnit unit) {
  switch (unit) {
    case LengthUnit::kCodePoints: return char_count(text);
    case LengthUnit::kDisplayWidth: return display_width(text);
    case LengthUnit::kSmsUnits: return sms_length(text).units;
  }
  return 0;
}

size_t limit_for(const FieldSpec& field, std::string_view text) {
  if (field.unit == LengthUnit::kSmsUnits) return sms_length(text).single_limit;
  return field.max_length;
}

}  // namespace marketlm::adcopy
