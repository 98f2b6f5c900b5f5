#include "marketlm/apps/adcopy/prepare.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "marketlm/apps/adcopy/buyer_voice.h"
#include "marketlm/apps/adcopy/english_pairs.h"
#include "marketlm/apps/adcopy/metrics.h"
#include "marketlm/apps/adcopy/prompt.h"
#include "marketlm/apps/adcopy/text_width.h"
#include "marketlm/core/file_io.h"
#include "marketlm/train/dataset.h"

namespace marketlm::adcopy {
namespace {

Status write_jsonl(const std::string& path, const std::vector<AdPair>& pairs) {
  AtomicFileWriter w;
  ML_RETURN_IF_ERROR(w.open(path));
  for (const auto& p : pairs) {
    ML_RETURN_IF_ERROR(w.write(pair_to_jsonl(p)));
    ML_RETURN_IF_ERROR(w.write("\n"));
  }
  return w.commit();
}

}  // namespace

bool is_copy_like(const std::string& text) {
  std::u32string cps = decode_utf8(text);
  size_t cjk = 0, visible = 0;
  for (size_t i = 0; i < cps.size(); ++i) {
    if (is_space(cps[i])) continue;
    ++visible;
    if (is_cjk_ideograph(cps[i])) ++cjk;
    // "??" or "！！！": mojibake or shouting, not copy.
    if (i > 0 && cps[i] == cps[i - 1] && is_punctuation(cps[i])) return false;
  }
  return visible > 0 && cjk * 10 >= visible * 7;
}

std::string PrepareSummary::to_json(int indent) const {
  nlohmann::json j;
  j["adgen_total"] = adgen_total;
  j["adgen_train"] = adgen_train;
  j["adgen_eval"] = adgen_eval;
  j["reviews_read"] = reviews_read;
  j["review_pairs"] = review_pairs;
  j["review_pairs_buyer_voice_dropped"] = review_pairs_buyer_voice;
  j["corpus_lines"] = corpus_lines;
  j["english_reviews_read"] = english_reviews_read;
  j["english_pairs"] = english_pairs;
  j["english_eval_pairs"] = english_eval_pairs;
  j["files"] = files;
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool is_feature_term(const std::string& word, const std::set<std::string>& stopwords) {
  std::u32string cps = decode_utf8(word);
  if (cps.size() < 2) return false;
  for (char32_t c : cps)
    if (!is_cjk_ideograph(c)) return false;
  return stopwords.count(word) == 0;
}

std::vector<std::string> top_tfidf_terms(const std::vector<std::string>& words, const TermStats& stats,
                                         const std::set<std::string>& stopwords, size_t k,
                                         const std::string& exclude) {
  return top_tfidf_terms_if(words, stats, k, [&](const std::string& w) {
    return w != exclude && is_feature_term(w, stopwords);
  });
}

std::vector<std::string> top_tfidf_terms_if(const std::vector<std::string>& words, const TermStats& stats,
                                            size_t k, const std::function<bool(const std::string&)>& is_term) {
  std::vector<std::string> order;  // first-appearance order
  std::map<std::string, size_t> tf;
  for (const auto& w : words) {
    if (!is_term(w)) continue;
    if (tf[w]++ == 0) order.push_back(w);
  }
  struct Scored {
    double score;
    size_t pos;
  };
  std::vector<Scored> scored;
  for (size_t i = 0; i < order.size(); ++i) {
    auto it = stats.df.find(order[i]);
    double df = it == stats.df.end() ? 0.0 : static_cast<double>(it->second);
    double idf = std::log(static_cast<double>(stats.n_docs + 1) / (1.0 + df));
    scored.push_back({static_cast<double>(tf[order[i]]) * idf, i});
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const Scored& a, const Scored& b) { return a.score > b.score; });
  if (scored.size() > k) scored.resize(k);
  std::sort(scored.begin(), scored.end(), [](const Scored& a, const Scored& b) { return a.pos < b.pos; });
  std::vector<std::string> out;
  for (const auto& s : scored) out.push_back(order[s.pos]);
  return out;
}

Result<std::set<std::string>> load_stopwords(const std::string& path, const std::string& lang) {
  ML_ASSIGN_OR_RETURN(std::string text, read_file(path));
  try {
    auto j = nlohmann::json::parse(text);
    if (!j.is_object() || !j.contains(lang) || !j[lang].is_array())
      return data_error(path + ": expected an object with a \"" + lang + "\" array of stop words");
    std::set<std::string> out;
    for (const auto& w : j[lang])
      if (w.is_string()) out.insert(w.get<std::string>());
    return out;
  } catch (const nlohmann::json::exception& e) {
    return data_error(path + ": malformed JSON: " + e.what());
  }
}

Result<std::set<std::string>> load_stopwords_zh(const std::string& path) { return load_stopwords(path, "zh"); }

std::vector<AdPair> review_pairs(const std::vector<Review>& reviews, const JiebaSegmenter& seg,
                                 const std::set<std::string>& stopwords, const PrepareOptions& opt) {
  // Document frequencies over every review (positive and negative).
  std::vector<std::vector<std::string>> words(reviews.size());
  TermStats stats;
  for (size_t i = 0; i < reviews.size(); ++i) {
    words[i] = seg.cut_words(reviews[i].text);
    std::unordered_set<std::string> seen;
    for (const auto& w : words[i])
      if (is_feature_term(w, stopwords) && seen.insert(w).second) ++stats.df[w];
    ++stats.n_docs;
  }
  std::vector<AdPair> out;
  std::unordered_set<std::string> seen_text;  // the same review posted twice counts once
  for (size_t i = 0; i < reviews.size(); ++i) {
    const Review& r = reviews[i];
    if (r.label != 1) continue;
    size_t n = char_count(r.text);
    if (n < opt.min_review_chars || n > opt.max_review_chars) continue;
    if (!is_copy_like(r.text)) continue;
    std::vector<std::string> feats =
        top_tfidf_terms(words[i], stats, stopwords, opt.features_per_review, r.category);
    if (feats.empty() || !seen_text.insert(r.text).second) continue;
    AdPair p;
    p.id = "reviews-" + std::to_string(i);
    p.source = "reviews";
    p.brief.product = r.category;
    p.brief.features = std::move(feats);
    p.brief.language = Language::kZh;
    p.prompt = render_review_prompt(p.brief);
    p.completion = r.text;
    out.push_back(std::move(p));
  }
  return out;
}

namespace {
// Which training pairs get rewritten: FNV-1a of the id from this start value
// (not FNV's usual offset basis; the shipped model was trained on these picks).
uint64_t pick_hash(const std::string& id) {
  constexpr uint64_t kPickSeed = 1469598103934665603ull;
  return fnv1a64(id.data(), id.size(), kPickSeed);
}

// The prompt of a pair's brief: review pairs carry the review line.
std::string pair_prompt(const AdPair& p, const FieldSpec* field = nullptr) {
  return p.source == "reviews" ? render_review_prompt(p.brief, field) : render_prompt(p.brief, field);
}
}  // namespace

bool picked_for_goal_brief(const std::string& id, int every) {
  return every > 0 && pick_hash(id) % static_cast<uint64_t>(every) == 0;
}

bool picked_for_channel_brief(const std::string& id, int every) {
  return every > 0 && (pick_hash(id) >> 16) % static_cast<uint64_t>(every) == 0;
}

bool channel_brief(AdPair& p, const std::vector<std::string>& channels) {
  for (const std::string& name : channels) {
    auto ch = find_channel(name);
    if (!ch.is_ok() || (*ch)->fields.size() != 1) continue;
    const FieldSpec& f = (*ch)->fields[0];
    if (measure(p.completion, f.unit) > limit_for(f, p.completion)) continue;
    p.brief.channel = (*ch)->name;
    p.prompt = pair_prompt(p, &f);
    return true;
  }
  return false;
}

void goal_brief(AdPair& p) {
  Brief& b = p.brief;
  if (b.product.empty() || b.features.empty()) return;
  const bool zh = resolved_language(b) == Language::kZh;
  const std::string& f = b.features[(pick_hash(p.id) >> 8) % b.features.size()];
  b.target = zh ? "提供" + f + "的" + b.product : "offer " + b.product + " with " + f;
  b.product.clear();
  p.prompt = pair_prompt(p);
}

namespace {
// Training pairs only: goal briefs, then channel prompts.
void vary_briefs(std::vector<AdPair>& pairs, const PrepareOptions& opt) {
  for (AdPair& p : pairs) {
    if (picked_for_goal_brief(p.id, opt.goal_brief_every)) goal_brief(p);
    if (picked_for_channel_brief(p.id, opt.channel_brief_every)) channel_brief(p, {"sms", "weibo"});
  }
}
}  // namespace

Result<PrepareSummary> prepare_adcopy_data(const PrepareOptions& opt, const Logger& log,
                                           const ProgressSink& progress) {
  if (opt.eval_fraction <= 0.0 || opt.eval_fraction >= 1.0)
    return invalid_argument("eval fraction must be in (0, 1), got " + std::to_string(opt.eval_fraction));
  PrepareSummary sum;
  auto step = [&](const char* stage, int64_t done, int64_t total) {
    if (progress) progress(ProgressEvent{stage, done, total, {}, done == total});
  };
  ML_RETURN_IF_ERROR(make_dirs(opt.out_dir));
  const std::string out = opt.out_dir + "/";

  // (a) ADGEN pairs and the held-out split.
  step("adgen", 0, 1);
  ML_ASSIGN_OR_RETURN(auto adgen, load_adgen(opt.data_dir + "/advertisegen/dev.json"));
  Split split = held_out_split(adgen.size(), opt.eval_fraction, opt.seed);
  std::vector<AdPair> train, eval;
  for (size_t i : split.train) train.push_back(pair_from_adgen(adgen[i], i));
  for (size_t i : split.eval) eval.push_back(pair_from_adgen(adgen[i], i));
  vary_briefs(train, opt);
  ML_RETURN_IF_ERROR(write_jsonl(out + "adgen_train.jsonl", train));
  ML_RETURN_IF_ERROR(write_jsonl(out + "adgen_eval.jsonl", eval));
  sum.adgen_total = adgen.size();
  sum.adgen_train = train.size();
  sum.adgen_eval = eval.size();
  sum.files.push_back(out + "adgen_train.jsonl");
  sum.files.push_back(out + "adgen_eval.jsonl");
  log.info("adcopy prepare-data: ADGEN " + std::to_string(adgen.size()) + " pairs -> " +
           std::to_string(train.size()) + " train, " + std::to_string(eval.size()) + " held out");
  step("adgen", 1, 1);

  // (b) review pairs.
  step("reviews", 0, 2);
  const std::string zip = opt.data_dir + "/chinese_reviews/online_shopping_10_cats.zip";
  ML_ASSIGN_OR_RETURN(std::string csv, read_zip_member(zip, "online_shopping_10_cats.csv"));
  ML_ASSIGN_OR_RETURN(auto reviews, parse_shopping_reviews(csv, zip + ":online_shopping_10_cats.csv"));
  csv.clear();
  if (opt.max_reviews > 0 && reviews.size() > opt.max_reviews) {
    // Keep every k-th review so all ten categories stay represented.
    std::vector<Review> sub;
    size_t stride = reviews.size() / opt.max_reviews;
    for (size_t i = 0; i < reviews.size() && sub.size() < opt.max_reviews; i += stride)
      sub.push_back(reviews[i]);
    reviews = std::move(sub);
  }
  sum.reviews_read = reviews.size();
  ML_ASSIGN_OR_RETURN(auto seg, JiebaSegmenter::load(opt.jieba_dict));
  ML_ASSIGN_OR_RETURN(auto stopwords, load_stopwords_zh(opt.data_dir + "/lexicons/stopwords-iso.json"));
  step("reviews", 1, 2);
  std::vector<AdPair> rp = review_pairs(reviews, seg, stopwords, opt);
  if (opt.drop_buyer_voice)
    sum.review_pairs_buyer_voice =
        std::erase_if(rp, [](const AdPair& p) { return has_buyer_voice(p.completion); });
  vary_briefs(rp, opt);
  ML_RETURN_IF_ERROR(write_jsonl(out + "reviews_pairs.jsonl", rp));
  sum.review_pairs = rp.size();
  sum.files.push_back(out + "reviews_pairs.jsonl");
  log.info("adcopy prepare-data: " + std::to_string(reviews.size()) + " shopping reviews -> " +
           std::to_string(rp.size()) + " feature->review pairs" +
           (opt.drop_buyer_voice ? " (" + std::to_string(sum.review_pairs_buyer_voice) + " in a buyer's voice left out)"
                                 : std::string()));
  step("reviews", 2, 2);

  // English stop words, read once for both English stages.
  std::set<std::string> stop_en;
  if (!opt.english_csv.empty() || !opt.english_eval_txt.empty()) {
    ML_ASSIGN_OR_RETURN(stop_en, load_stopwords(opt.data_dir + "/lexicons/stopwords-iso.json", "en"));
  }

  // (c) English pairs from clothing reviews.
  if (!opt.english_csv.empty()) {
    step("english", 0, 1);
    const std::string en_path = opt.data_dir + "/" + opt.english_csv;
    ML_ASSIGN_OR_RETURN(std::string en_csv, read_file(en_path));
    ML_ASSIGN_OR_RETURN(auto en_reviews, parse_clothing_reviews(en_csv, en_path));
    std::vector<AdPair> ep =
        english_review_pairs(en_reviews, stop_en, opt.features_per_review, opt.english_min_rating);
    ML_RETURN_IF_ERROR(write_jsonl(out + "english_pairs.jsonl", ep));
    sum.english_reviews_read = en_reviews.size();
    sum.english_pairs = ep.size();
    sum.files.push_back(out + "english_pairs.jsonl");
    log.info("adcopy prepare-data: " + std::to_string(en_reviews.size()) + " English clothing reviews -> " +
             std::to_string(ep.size()) + " English pairs");
    step("english", 1, 1);
  }

  // (c') English held-out pairs from another source and product.
  if (!opt.english_eval_txt.empty()) {
    const std::string path = opt.data_dir + "/" + opt.english_eval_txt;
    ML_ASSIGN_OR_RETURN(std::string txt, read_file(path));
    ML_ASSIGN_OR_RETURN(auto sentences, parse_labelled_sentences(txt, path, opt.english_eval_product));
    std::vector<AdPair> ev = english_review_pairs(sentences, stop_en, opt.features_per_review, 4, 2, "amazon",
                                                  "amazon_cells_en");
    ML_RETURN_IF_ERROR(write_jsonl(out + "english_eval.jsonl", ev));
    sum.english_eval_pairs = ev.size();
    sum.files.push_back(out + "english_eval.jsonl");
    log.info("adcopy prepare-data: " + std::to_string(sentences.size()) + " Amazon cell-phone sentences -> " +
             std::to_string(ev.size()) + " English held-out pairs");
  }

  // (d) plain-text corpus: shopping and food-delivery reviews, deduplicated.
  step("corpus", 0, 1);
  const std::string waimai_path = opt.data_dir + "/chinese_reviews/waimai_10k.csv";
  ML_ASSIGN_OR_RETURN(std::string wcsv, read_file(waimai_path));
  ML_ASSIGN_OR_RETURN(auto waimai, parse_waimai_reviews(wcsv, waimai_path));
  AtomicFileWriter w;
  ML_RETURN_IF_ERROR(w.open(out + "reviews_corpus.txt"));
  std::unordered_set<std::string> seen;
  for (const auto* list : {&reviews, &waimai}) {
    for (const auto& r : *list) {
      if (!seen.insert(r.text).second) continue;
      ML_RETURN_IF_ERROR(w.write(r.text));
      ML_RETURN_IF_ERROR(w.write("\n"));
      ++sum.corpus_lines;
    }
  }
  ML_RETURN_IF_ERROR(w.commit());
  sum.files.push_back(out + "reviews_corpus.txt");
  step("corpus", 1, 1);

  nlohmann::json manifest = nlohmann::json::parse(sum.to_json());
  manifest["seed"] = opt.seed;
  manifest["eval_fraction"] = opt.eval_fraction;
  manifest["features_per_review"] = opt.features_per_review;
  manifest["review_chars"] = {opt.min_review_chars, opt.max_review_chars};
  manifest["max_reviews"] = opt.max_reviews;
  manifest["goal_brief_every"] = opt.goal_brief_every;
  manifest["channel_brief_every"] = opt.channel_brief_every;
  manifest["drop_buyer_voice"] = opt.drop_buyer_voice;
  manifest["sources"] = {opt.data_dir + "/advertisegen/dev.json", zip, waimai_path,
                         opt.data_dir + "/lexicons/stopwords-iso.json", opt.jieba_dict};
  if (!opt.english_eval_txt.empty()) manifest["sources"].push_back(opt.data_dir + "/" + opt.english_eval_txt);
  if (!opt.english_csv.empty()) {
    manifest["sources"].push_back(opt.data_dir + "/" + opt.english_csv);
    manifest["english_min_rating"] = opt.english_min_rating;
  }
  manifest["eval_ids"] = nlohmann::json::array();
  for (const auto& p : eval) manifest["eval_ids"].push_back(p.id);
  ML_RETURN_IF_ERROR(write_file_atomic(out + "manifest.json",
                                       manifest.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"));
  sum.files.push_back(out + "manifest.json");
  return sum;
}

}  // namespace marketlm::adcopy
