// English pairs from a tiny clothing-review CSV fixture: quoted commas,
// doubled quotes, newlines inside quotes, a missing title, a missing text, a
// low rating; malformed rows are reported with their line number.
#include <gtest/gtest.h>

#include <algorithm>

#include "marketlm/apps/adcopy/english_pairs.h"
#include "marketlm/apps/adcopy/metrics.h"
#include "marketlm/apps/adcopy/prepare.h"
#include "marketlm/apps/adcopy/prompt.h"
#include "marketlm/core/file_io.h"

namespace marketlm::adcopy {
namespace {

const std::set<std::string> kStop = {"and", "the", "this", "it's", "with", "just", "below", "had", "such",
                                     "i", "a", "sooo", "absolutely"};

std::vector<ClothingReview> fixture() {
  auto text = read_file(MARKETLM_SOURCE_DIR "/tests/apps/adcopy/clothing_reviews_fixture.csv");
  EXPECT_TRUE(text.is_ok()) << text.status().to_string();
  auto r = parse_clothing_reviews(*text, "fixture.csv");
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  return r.is_ok() ? *r : std::vector<ClothingReview>{};
}

TEST(AdcopyEnglishPairs, ParsesQuotedFieldsAndLines) {
  auto rows = fixture();
  ASSERT_EQ(rows.size(), 6u);
  EXPECT_EQ(rows[0].title, "");
  EXPECT_EQ(rows[0].line, 2u);
  EXPECT_EQ(rows[1].text, "Love this dress, it's sooo pretty. The \"midi\" length hits just below the knee.");
  EXPECT_EQ(rows[1].rating, 5);
  EXPECT_EQ(rows[2].line, 4u);
  EXPECT_EQ(rows[2].text, "I had such high hopes for this dress. The zipper broke and the netting itched.");
  EXPECT_EQ(rows[3].line, 6u);  // the row after a two-line quoted field
  EXPECT_EQ(rows[3].class_name, "Pants");
  EXPECT_EQ(rows[4].text, "");
  EXPECT_EQ(rows[5].line, 8u);
  EXPECT_EQ(rows[5].text, "Gorgeous velvet with a soft lining");
}

TEST(AdcopyEnglishPairs, MalformedRowsNameTheirLine) {
  const std::string header = "Title,Review Text,Rating,Class Name\n";
  auto short_row = parse_clothing_reviews(header + "A,\"multi\nline\",5,Dresses\nB,only three,4\n", "x.csv");
  ASSERT_FALSE(short_row.is_ok());
  EXPECT_NE(short_row.status().message().find("x.csv:4: expected 4 fields"), std::string::npos)
      << short_row.status().to_string();
  auto bad_rating = parse_clothing_reviews(header + "A,text,5,Dresses\nB,text,five,Dresses\n", "x.csv");
  ASSERT_FALSE(bad_rating.is_ok());
  EXPECT_NE(bad_rating.status().message().find("x.csv:3: 'Rating' is 'five'"), std::string::npos)
      << bad_rating.status().to_string();
  auto open_quote = parse_clothing_reviews(header + "A,\"never closed,5,Dresses\n", "x.csv");
  ASSERT_FALSE(open_quote.is_ok());
  EXPECT_NE(open_quote.status().message().find("x.csv:2: quoted field is never closed"), std::string::npos);
  auto no_col = parse_clothing_reviews("Title,Text,Rating,Class Name\n", "x.csv");
  ASSERT_FALSE(no_col.is_ok());
  EXPECT_NE(no_col.status().message().find("no 'Review Text' column"), std::string::npos);
}

TEST(AdcopyEnglishPairs, LabelledSentences) {
  auto r = parse_labelled_sentences("Great for the jawbone.\t1\n\nBad battery.\t0\r\nTab\tinside.\t1\n", "s.txt",
                                    "phone accessories");
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].text, "Great for the jawbone.");
  EXPECT_EQ((*r)[0].rating, 5);
  EXPECT_EQ((*r)[0].class_name, "phone accessories");
  EXPECT_EQ((*r)[1].rating, 1);
  EXPECT_EQ((*r)[1].line, 3u);
  EXPECT_EQ((*r)[2].text, "Tab\tinside.");  // the label is after the last tab
  auto no_tab = parse_labelled_sentences("ok\t1\nno label here\n", "s.txt", "x");
  ASSERT_FALSE(no_tab.is_ok());
  EXPECT_NE(no_tab.status().message().find("s.txt:2: expected \"sentence<TAB>label\""), std::string::npos)
      << no_tab.status().to_string();
  auto bad = parse_labelled_sentences("ok\t2\n", "s.txt", "x");
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("s.txt:1: label must be 0 or 1, got '2'"), std::string::npos);
}

TEST(AdcopyEnglishPairs, WordsAndCopy) {
  EXPECT_EQ(english_words("Love it's 5'8\" FUN-dress"),
            (std::vector<std::string>{"love", "it's", "fun", "dress"}));
  ClothingReview r;
  r.text = "Soft.";
  EXPECT_EQ(english_copy(r), "Soft.");
  r.title = "Cozy";
  EXPECT_EQ(english_copy(r), "Cozy. Soft.");
  r.title = "My favorite buy!";
  EXPECT_EQ(english_copy(r), "My favorite buy! Soft.");
}

TEST(AdcopyEnglishPairs, PositiveReviewsBecomeEnglishPairs) {
  auto pairs = english_review_pairs(fixture(), kStop, 3, 4, /*min_df=*/1);
  // Rows 0, 1, 3, 5 are positive with text; row 2 is rated 2, row 4 has no text.
  ASSERT_EQ(pairs.size(), 4u);
  EXPECT_EQ(pairs[0].id, "clothing-0");
  EXPECT_EQ(pairs[0].source, "clothing_en");
  EXPECT_EQ(pairs[0].brief.product, "intimates");
  EXPECT_EQ(pairs[0].completion, "Absolutely wonderful - silky and sexy and comfortable");  // no title
  EXPECT_EQ(pairs[1].brief.product, "dresses");
  EXPECT_EQ(pairs[1].completion.rfind("Perfect midi. Love this dress, it's", 0), 0u);
  EXPECT_EQ(pairs[2].completion.rfind("My favorite buy! I love, love", 0), 0u);
  for (const auto& p : pairs) {
    EXPECT_EQ(p.brief.language, Language::kEn);
    ASSERT_FALSE(p.brief.features.empty()) << p.id;
    EXPECT_LE(p.brief.features.size(), 3u);
    EXPECT_DOUBLE_EQ(feature_coverage(p.brief.features, p.completion), 1.0) << p.id;
    for (const auto& f : p.brief.features) {
      EXPECT_EQ(kStop.count(f), 0u) << f;
      EXPECT_NE(f, "dress") << "the product's singular is not a feature";
    }
    EXPECT_EQ(p.prompt.rfind("<|brief|>Product: " + p.brief.product + "\nFeatures: ", 0), 0u) << p.prompt;
    EXPECT_EQ(p.prompt, render_prompt(p.brief));
  }
  // "love" three times in row 3 makes it that review's top term.
  EXPECT_NE(std::find(pairs[2].brief.features.begin(), pairs[2].brief.features.end(), "love"),
            pairs[2].brief.features.end());
  // A pair survives a JSONL round trip.
  auto back = parse_pairs_jsonl(pair_to_jsonl(pairs[1]) + "\n", "mem");
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ((*back)[0].completion, pairs[1].completion);
  EXPECT_EQ((*back)[0].brief.features, pairs[1].brief.features);
}

TEST(AdcopyEnglishPairs, MinRatingAndMinDocumentFrequency) {
  auto pairs = english_review_pairs(fixture(), kStop, 2, 5, 1);
  ASSERT_EQ(pairs.size(), 2u);  // rows 1 and 3
  for (const auto& p : pairs) EXPECT_LE(p.brief.features.size(), 2u);
  // With min_df 2 only terms of two or more reviews count: "love" (rows 1
  // and 3) and "dress" (rows 1 and 2, but the product of row 1). Rows 0 and
  // 5 have no such term left and make no pair.
  auto common = english_review_pairs(fixture(), kStop, 3, 4, 2);
  ASSERT_EQ(common.size(), 2u);
  EXPECT_EQ(common[0].id, "clothing-1");
  EXPECT_EQ(common[1].id, "clothing-3");
  for (const auto& p : common) EXPECT_EQ(p.brief.features, (std::vector<std::string>{"love"}));
}

}  // namespace
}  // namespace marketlm::adcopy
