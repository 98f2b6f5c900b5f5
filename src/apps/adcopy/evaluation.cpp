#include "marketlm/apps/adcopy/evaluation.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "marketlm/apps/adcopy/buyer_voice.h"
#include "marketlm/apps/adcopy/english_pairs.h"
#include "marketlm/apps/adcopy/metrics.h"
#include "marketlm/apps/adcopy/text_width.h"
#include "marketlm/apps/adcopy/rules.h"
#include "marketlm/core/file_io.h"
#include "marketlm/core/lines.h"

namespace marketlm::adcopy {
namespace {

std::set<std::string> attributes(const Brief& b) {
  std::set<std::string> s(b.features.begin(), b.features.end());
  if (!b.product.empty()) s.insert(b.product);
  return s;
}

bool passes_channel(const Brief& b, const std::string& text) {
  auto ch = find_channel(b.channel);
  if (!ch) return false;
  const ChannelPreset& c = **ch;
  // Multi-field channels: judge the text against its first field only.
  CheckReport r = check_text(c.fields[0], WordRules::from_brief(b), text, true);
  return r.all_passed();
}

}  // namespace

std::string AdcopyMetrics::to_json(int indent) const {
  nlohmann::json j;
  j["n"] = n;
  j["bleu4_corpus_words"] = bleu4_corpus;
  j["bleu4_chars_chatglm"] = bleu4_chars;
  j["rouge1_f"] = rouge1;
  j["rouge2_f"] = rouge2;
  j["rougeL_f"] = rouge_l;
  j["distinct1"] = distinct1;
  j["distinct2"] = distinct2;
  j["feature_coverage"] = feature_coverage;
  j["constraint_pass_rate"] = constraint_pass_rate;
  j["mean_chars"] = mean_chars;
  j["stutter_rate"] = stutter_rate;
  j["buyer_voice_rate"] = buyer_voice_rate;
  if (english_word_rate >= 0) j["english_word_rate"] = english_word_rate;
  else j["english_word_rate"] = nullptr;
  if (tokens_per_second >= 0) j["tokens_per_second"] = tokens_per_second;
  else j["tokens_per_second"] = nullptr;
  return j.dump(indent);
}

Result<AdcopyMetrics> evaluate_adcopy(const std::vector<AdPair>& refs,
                                      const std::vector<std::string>& predictions,
                                      const JiebaSegmenter& seg,
                                      const std::unordered_set<std::string>* words) {
  if (refs.size() != predictions.size())
    return invalid_argument("evaluation needs one prediction per reference: " +
                            std::to_string(predictions.size()) + " predictions for " +
                            std::to_string(refs.size()) + " references");
  AdcopyMetrics m;
  m.n = refs.size();
  if (m.n == 0) return invalid_argument("evaluation data is empty");
  std::vector<Tokens> hyp_words, ref_words;
  double sb = 0, r1 = 0, r2 = 0, rl = 0, cov = 0, pass = 0, chars = 0, stutter = 0, buyer = 0;
  size_t en_words = 0, en_known = 0;
  for (size_t i = 0; i < m.n; ++i) {
    const std::string& pred = predictions[i];
    const std::string& ref = refs[i].completion;
    Tokens hw = seg.cut_words(pred), rw = seg.cut_words(ref);
    sb += sentence_bleu_smoothed(char_tokens(pred), char_tokens(ref), 4);
    r1 += rouge_n(hw, rw, 1).f1;
    r2 += rouge_n(hw, rw, 2).f1;
    rl += rouge_l(hw, rw).f1;
    cov += feature_coverage(refs[i].brief.features, pred);
    pass += passes_channel(refs[i].brief, pred) ? 1 : 0;
    chars += static_cast<double>(char_tokens(pred).size());
    stutter += has_stutter(pred) ? 1 : 0;
    buyer += speaks_as_buyer(refs[i].brief, pred) ? 1 : 0;
    if (words != nullptr) {
      for (const std::string& w : english_words(pred)) {
        ++en_words;
        // "it's", "dress's": the list has the possessive, not every contraction.
        en_known += words->count(w) || words->count(w.substr(0, w.find('\''))) ? 1 : 0;
      }
    }
    hyp_words.push_back(std::move(hw));
    ref_words.push_back(std::move(rw));
  }
  double n = static_cast<double>(m.n);
  m.bleu4_corpus = 100.0 * corpus_bleu(hyp_words, ref_words, 4);
  m.bleu4_chars = 100.0 * sb / n;
  m.rouge1 = 100.0 * r1 / n;
  m.rouge2 = 100.0 * r2 / n;
  m.rouge_l = 100.0 * rl / n;
  m.distinct1 = distinct_n(hyp_words, 1);
  m.distinct2 = distinct_n(hyp_words, 2);
  m.feature_coverage = cov / n;
  m.constraint_pass_rate = pass / n;
  m.mean_chars = chars / n;
  m.stutter_rate = stutter / n;
  m.buyer_voice_rate = buyer / n;
  if (en_words > 0) m.english_word_rate = static_cast<double>(en_known) / static_cast<double>(en_words);
  return m;
}

Result<std::unordered_set<std::string>> load_word_list(const std::string& path) {
  ML_ASSIGN_OR_RETURN(std::string text, read_file(path));
  std::unordered_set<std::string> out;
  ML_RETURN_IF_ERROR(for_each_line(text, [&](std::string_view line, size_t) -> Status {
    std::string w = lower_ascii(line);
    while (!w.empty() && (w.back() == ' ' || w.back() == '\t')) w.pop_back();
    out.insert(std::move(w));
    return Status::ok();
  }));
  if (out.empty()) return data_error(path + ": no words (expected one word per line)");
  return out;
}

Result<std::vector<std::string>> load_predictions(const std::string& path) {
  ML_ASSIGN_OR_RETURN(std::string text, read_file(path));
  std::vector<std::string> out;
  size_t pos = 0, line_no = 0;
  bool jsonl = false;
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] == '{') jsonl = true;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!jsonl) {
      out.push_back(line);
      continue;
    }
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {
      return data_error(path + ":" + std::to_string(line_no) + ": malformed JSON: " + e.what());
    }
    bool found = false;
    for (const char* key : {"prediction", "copy", "text", "completion"}) {
      if (j.is_object() && j.contains(key) && j[key].is_string()) {
        out.push_back(j[key].get<std::string>());
        found = true;
        break;
      }
    }
    if (!found)
      return data_error(path + ":" + std::to_string(line_no) +
                        ": expected a string field 'prediction' (or copy/text/completion)");
  }
  // A trailing newline in a plain-text file does not add a prediction.
  if (!jsonl && !out.empty() && out.back().empty() && !text.empty() && text.back() == '\n')
    out.pop_back();
  return out;
}

std::string retrieval_baseline(const std::vector<AdPair>& train, const Brief& query) {
  std::set<std::string> q = attributes(query);
  double best = -1.0;
  const AdPair* pick = nullptr;
  for (const auto& p : train) {
    std::set<std::string> a = attributes(p.brief);
    size_t inter = 0;
    for (const auto& x : q) inter += a.count(x);
    size_t uni = q.size() + a.size() - inter;
    double s = uni ? static_cast<double>(inter) / uni : 0.0;
    if (s > best) {
      best = s;
      pick = &p;
    }
  }
  return pick ? pick->completion : std::string();
}

std::string template_baseline(const Brief& b) {
  if (resolved_language(b) == Language::kZh) {
    std::string s = "这款" + (b.product.empty() ? std::string("产品") : b.product);
    for (size_t i = 0; i < b.features.size(); ++i) s += (i == 0 ? "，" : "、") + b.features[i];
    if (!b.target.empty()) s += "，" + b.target;
    s += "。";
    return s;
  }
  std::string s = b.product.empty() ? std::string("Our product") : b.product;
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  for (size_t i = 0; i < b.features.size(); ++i) s += (i == 0 ? ": " : ", ") + b.features[i];
  if (!b.target.empty()) s += ". " + b.target;
  s += ".";
  return s;
}

}  // namespace marketlm::adcopy
