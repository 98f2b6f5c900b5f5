#include "marketlm/apps/adcopy/prompt.h"

#include <string_view>

namespace marketlm::adcopy {
namespace {

struct Labels {
  const char* product;
  const char* target;
  const char* objective;
  const char* features;
  const char* audience;
  const char* tone;
  const char* channel;
  const char* field;
  const char* keywords;
  const char* sep;        // between "label" and value
  const char* list_sep;   // between list items
};

constexpr Labels kZh{"产品", "目标", "目的", "特点", "受众", "语气", "渠道", "字段", "关键词", "：", "、"};
constexpr Labels kEn{"Product", "Goal", "Objective", "Features", "Audience", "Tone", "Channel",
                     "Field", "Keywords", ": ", "; "};

const char* objective_zh(Objective o) {
  switch (o) {
    case Objective::kAwareness: return "认知";
    case Objective::kConsideration: return "考虑";
    case Objective::kConversion: return "转化";
    case Objective::kNone: return "";
  }
  return "";
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s += sep;
    s += v[i];
  }
  return s;
}

}  // namespace

size_t prompt_length_hint(const FieldSpec& field, Language lang) {
  if (lang == Language::kZh && field.unit == LengthUnit::kDisplayWidth) return field.max_length / 2;
  if (field.unit == LengthUnit::kSmsUnits && lang == Language::kEn) return 160;
  return field.max_length;
}

std::string render_prompt(const Brief& b, const FieldSpec* field) {
  Language lang = resolved_language(b);
  const Labels& L = lang == Language::kZh ? kZh : kEn;
  std::string out = kBriefToken;
  auto line = [&](const char* label, const std::string& value) {
    if (value.empty()) return;
    out += label;
    out += L.sep;
    out += value;
    out += '\n';
  };
  line(L.product, b.product);
  line(L.target, b.target);
  line(L.objective, lang == Language::kZh ? objective_zh(b.objective) : objective_name(b.objective));
  line(L.features, join(b.features, L.list_sep));
  line(L.audience, b.audience);
  line(L.tone, b.tone);
  auto ch = find_channel(b.channel);
  bool generic = !ch || (*ch)->name == "generic";
  if (!generic || field) {
    line(L.channel, ch ? (lang == Language::kZh ? (*ch)->label_zh : (*ch)->name) : b.channel);
  }
  if (field) {
    size_t n = prompt_length_hint(*field, lang);
    std::string v = lang == Language::kZh
                        ? field->label_zh + "（不超过" + std::to_string(n) + "字）"
                        : field->name + " (at most " + std::to_string(n) + " characters)";
    line(L.field, v);
  }
  line(L.keywords, join(b.keywords, L.list_sep));
  out += kCopyToken;
  return out;
}

std::string render_review_prompt(const Brief& b, const FieldSpec* field) {
  const bool zh = resolved_language(b) == Language::kZh;
  std::string out = render_prompt(b, field);
  out.resize(out.size() - std::string_view(kCopyToken).size());
  out += zh ? "体裁：买家评价\n" : "Kind: customer review\n";
  out += kCopyToken;
  return out;
}

std::vector<FieldPrompt> render_channel_prompts(const Brief& b) {
  auto ch = find_channel(b.channel);
  const ChannelPreset& preset = ch ? **ch : channel_presets().front();
  std::vector<FieldPrompt> out;
  if (preset.name == "generic") {
    out.push_back({preset.fields[0].name, render_prompt(b)});
  } else {
    for (const auto& f : preset.fields) out.push_back({f.name, render_prompt(b, &f)});
  }
  return out;
}

std::string render_completion(const std::string& copy) { return copy + kEndOfTextToken; }

}  // namespace marketlm::adcopy
