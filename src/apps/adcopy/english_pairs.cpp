#include "marketlm/apps/adcopy/english_pairs.h"

#include <cctype>
#include <map>
#include <unordered_set>

#include "marketlm/apps/adcopy/prepare.h"
#include "marketlm/apps/adcopy/prompt.h"
#include "marketlm/apps/adcopy/text_width.h"
#include "marketlm/core/lines.h"

namespace marketlm::adcopy {
namespace {

Result<size_t> column(const std::vector<std::string>& header, const std::string& name, std::string_view source) {
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return i;
  std::string have;
  for (const auto& h : header) have += (have.empty() ? "" : ", ") + h;
  return data_error(std::string(source) + ":1: no '" + name + "' column in the header (columns: " + have +
                    "); expected Title, Review Text, Rating and Class Name");
}

}  // namespace

Result<std::vector<ClothingReview>> parse_clothing_reviews(std::string_view csv, std::string_view source) {
  ML_ASSIGN_OR_RETURN(auto rows, parse_csv_rows(csv, source));
  if (rows.empty()) return data_error(std::string(source) + ": empty file; expected a CSV header");
  const auto& header = rows[0].fields;
  ML_ASSIGN_OR_RETURN(size_t c_title, column(header, "Title", source));
  ML_ASSIGN_OR_RETURN(size_t c_text, column(header, "Review Text", source));
  ML_ASSIGN_OR_RETURN(size_t c_rating, column(header, "Rating", source));
  ML_ASSIGN_OR_RETURN(size_t c_class, column(header, "Class Name", source));
  std::vector<ClothingReview> out;
  for (size_t r = 1; r < rows.size(); ++r) {
    const CsvRow& row = rows[r];
    const std::string where = std::string(source) + ":" + std::to_string(row.line);
    if (row.fields.size() != header.size())
      return data_error(where + ": expected " + std::to_string(header.size()) +
                        " fields like the header, got " + std::to_string(row.fields.size()) +
                        " (an unquoted comma or a stray quote?)");
    const std::string& rating = row.fields[c_rating];
    if (rating.size() != 1 || rating[0] < '1' || rating[0] > '5')
      return data_error(where + ": 'Rating' is '" + rating + "'; expected an integer from 1 to 5");
    ClothingReview cr;
    cr.line = row.line;
    cr.row = r - 1;
    cr.title = clean_text(row.fields[c_title]);
    cr.text = clean_text(row.fields[c_text]);
    cr.class_name = clean_text(row.fields[c_class]);
    cr.rating = rating[0] - '0';
    out.push_back(std::move(cr));
  }
  return out;
}

Result<std::vector<ClothingReview>> parse_labelled_sentences(std::string_view text, std::string_view source,
                                                             const std::string& product) {
  std::vector<ClothingReview> out;
  Status st = for_each_line(text, [&](std::string_view l, size_t line) -> Status {
    auto where = [&] { return std::string(source) + ":" + std::to_string(line); };
    const size_t tab = l.rfind('\t');
    if (tab == std::string_view::npos)
      return data_error(where() + ": expected \"sentence<TAB>label\", found no tab");
    const std::string_view label = l.substr(tab + 1);
    if (label != "0" && label != "1")
      return data_error(where() + ": label must be 0 or 1, got '" + std::string(label) + "'");
    ClothingReview r;
    r.line = line;
    r.row = out.size();
    r.text = std::string(l.substr(0, tab));
    r.class_name = product;
    r.rating = label == "1" ? 5 : 1;
    out.push_back(std::move(r));
    return Status::ok();
  });
  if (!st) return st;
  return out;
}

std::vector<std::string> english_words(std::string_view text) {
  std::vector<std::string> out;
  std::string w;
  for (size_t i = 0; i <= text.size(); ++i) {
    const char c = i < text.size() ? text[i] : ' ';
    if (is_ascii_letter(c)) {
      w += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (c == '\'' && !w.empty() && i + 1 < text.size() && is_ascii_letter(text[i + 1])) {
      w += c;  // it's, don't
    } else if (!w.empty()) {
      out.push_back(std::move(w));
      w.clear();
    }
  }
  return out;
}

bool is_english_feature_term(const std::string& word, const std::set<std::string>& stopwords) {
  if (word.size() < 3) return false;
  for (char c : word)
    if (!is_ascii_letter(c)) return false;
  return stopwords.count(word) == 0;
}

std::string english_copy(const ClothingReview& r) {
  if (r.title.empty()) return r.text;
  if (r.text.empty()) return r.title;
  const char last = r.title.back();
  const bool ends = last == '.' || last == '!' || last == '?';
  return r.title + (ends ? " " : ". ") + r.text;
}

std::vector<AdPair> english_review_pairs(const std::vector<ClothingReview>& reviews,
                                         const std::set<std::string>& stopwords, size_t features_per_review,
                                         int min_rating, size_t min_df, const std::string& id_prefix,
                                         const std::string& source) {
  std::vector<std::vector<std::string>> words(reviews.size());
  TermStats stats;
  for (size_t i = 0; i < reviews.size(); ++i) {
    words[i] = english_words(reviews[i].title + " " + reviews[i].text);
    std::unordered_set<std::string> seen;
    for (const auto& w : words[i])
      if (is_english_feature_term(w, stopwords) && seen.insert(w).second) ++stats.df[w];
    ++stats.n_docs;
  }
  std::vector<AdPair> out;
  std::unordered_set<std::string> seen_copy;
  for (size_t i = 0; i < reviews.size(); ++i) {
    const ClothingReview& r = reviews[i];
    if (r.rating < min_rating || r.text.empty()) continue;
    const std::string product = lower_ascii(r.class_name);
    auto is_term = [&](const std::string& w) {
      if (w == product || w + "s" == product || w + "es" == product) return false;
      auto it = stats.df.find(w);
      return is_english_feature_term(w, stopwords) && it != stats.df.end() && it->second >= min_df;
    };
    std::vector<std::string> feats = top_tfidf_terms_if(words[i], stats, features_per_review, is_term);
    std::string copy = english_copy(r);
    if (feats.empty() || !seen_copy.insert(copy).second) continue;
    AdPair p;
    p.id = id_prefix + "-" + std::to_string(r.row);
    p.source = source;
    p.brief.product = product;
    p.brief.features = std::move(feats);
    p.brief.language = Language::kEn;
    p.prompt = render_prompt(p.brief);
    p.completion = std::move(copy);
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace marketlm::adcopy
