// English brief -> copy pairs from real product reviews, so the ad-copy model
// also sees English briefs (`marketlm adcopy prepare-data` writes them to
// english_pairs.jsonl). Source: the first 1000 rows of the Women's Clothing
// E-Commerce Reviews data (../shared/data/womens_clothing_reviews_sample,
// CC0). Each positive review (Rating >= 4) becomes a pair:
//   product    = Class Name, lower-cased ("dresses")
//   features   = the review's top TF-IDF terms (stopwords-iso's English list,
//                terms seen in at least two reviews)
//   completion = Title + ". " + Review Text (just the text when there is no title)
// with the prompt rendered by render_prompt in English labels.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "marketlm/apps/adcopy/dataset.h"
#include "marketlm/core/status.h"

namespace marketlm::adcopy {

struct ClothingReview {
  size_t line = 0;        // 1-based line of the CSV row (for messages)
  size_t row = 0;         // 0-based data row (the file's unnamed index column)
  std::string title;      // may be empty
  std::string text;       // "Review Text", whitespace collapsed; may be empty
  std::string class_name; // "Dresses"
  int rating = 0;         // 1..5
};

// Parses the CSV (RFC 4180: quoted commas, quotes and newlines). Needs the
// columns Title, Review Text, Rating and Class Name in the header (any order).
// A row whose field count differs from the header's, or whose Rating is not
// an integer 1-5, is an error naming the file, line and value.
Result<std::vector<ClothingReview>> parse_clothing_reviews(std::string_view csv, std::string_view source);

// UCI Sentiment Labelled Sentences ("sentence<TAB>0|1" per line): each line
// becomes a review of `product` (class_name) with rating 5 for label 1 and 1
// for label 0, so english_review_pairs can turn the positive ones into pairs.
// A line without a tab or with a label other than 0/1 is an error naming the
// file, line and value. Blank lines are skipped.
Result<std::vector<ClothingReview>> parse_labelled_sentences(std::string_view text, std::string_view source,
                                                             const std::string& product);

// Lower-cased ASCII words: runs of letters, with an apostrophe allowed inside
// ("it's", "don't"). Everything else separates words.
std::vector<std::string> english_words(std::string_view text);
// A term worth calling a feature: 3+ letters, no apostrophe, not a stop word.
bool is_english_feature_term(const std::string& word, const std::set<std::string>& stopwords);

// Title and review joined as copy: "Title. Text", or "Title! Text" when the
// title already ends in . ! or ?; just the text when the title is empty.
std::string english_copy(const ClothingReview& r);

// Pairs from the reviews with rating >= min_rating and a non-empty text and
// at least one feature term. TF-IDF document frequencies count every review
// (title + text) in `reviews`; a term must occur in at least min_df reviews
// (2 drops typos such as "hte", which TF-IDF would otherwise rank first); the
// product word and its singular ("dress" for "dresses") are never features.
// ids are "<id_prefix>-<row>", source `source`.
std::vector<AdPair> english_review_pairs(const std::vector<ClothingReview>& reviews,
                                         const std::set<std::string>& stopwords, size_t features_per_review,
                                         int min_rating = 4, size_t min_df = 2,
                                         const std::string& id_prefix = "clothing",
                                         const std::string& source = "clothing_en");

}  // namespace marketlm::adcopy
