// BLEU and ROUGE on cases small enough to work out by hand (the arithmetic is
// in the comments).
#include "marketlm/apps/adcopy/metrics.h"

#include <gtest/gtest.h>

#include <cmath>

#include "marketlm/apps/adcopy/evaluation.h"

namespace marketlm::adcopy {
namespace {

Tokens T(std::initializer_list<const char*> w) { return Tokens(w.begin(), w.end()); }

TEST(AdcopyMetrics, CorpusBleuOneSentence) {
  // hyp "the cat sat on the mat" vs ref "the cat sat on a mat":
  // p1 5/6, p2 3/5, p3 2/4, p4 1/3, equal lengths so BP = 1.
  Tokens h = T({"the", "cat", "sat", "on", "the", "mat"});
  Tokens r = T({"the", "cat", "sat", "on", "a", "mat"});
  double want = std::pow(5.0 / 6 * 3.0 / 5 * 2.0 / 4 * 1.0 / 3, 0.25);
  EXPECT_NEAR(corpus_bleu({h}, {r}), want, 1e-12);
  EXPECT_NEAR(want, 0.537284965911771, 1e-12);
  EXPECT_DOUBLE_EQ(corpus_bleu({r}, {r}), 1.0);
}

TEST(AdcopyMetrics, CorpusBleuSumsCountsAndAppliesBrevityPenalty) {
  // Adding hyp "a b" for ref "a b c d": numerators 5+2, 3+1, 2+0, 1+0 over
  // denominators 6+2, 5+1, 4+1, 3+1 (NLTK counts an empty order as 1);
  // c = 8 < r = 10 so BP = exp(1 - 10/8).
  Tokens h1 = T({"the", "cat", "sat", "on", "the", "mat"});
  Tokens r1 = T({"the", "cat", "sat", "on", "a", "mat"});
  Tokens h2 = T({"a", "b"}), r2 = T({"a", "b", "c", "d"});
  double want = std::exp(1.0 - 10.0 / 8.0) * std::pow(7.0 / 8 * 4.0 / 6 * 2.0 / 5 * 1.0 / 4, 0.25);
  EXPECT_NEAR(corpus_bleu({h1, h2}, {r1, r2}), want, 1e-12);
  // No 4-gram match anywhere: unsmoothed corpus BLEU is 0.
  EXPECT_EQ(corpus_bleu({h2}, {r2}), 0.0);
}

TEST(AdcopyMetrics, SentenceBleuMethod3) {
  // hyp "the cat sat on the mat" vs ref "the cat is on the mat": p1 5/6,
  // p2 3/5, p3 1/4, p4 0/3 -> smoothed to 1/(2^1 * 3).
  Tokens h = T({"the", "cat", "sat", "on", "the", "mat"});
  Tokens r = T({"the", "cat", "is", "on", "the", "mat"});
  EXPECT_NEAR(sentence_bleu_smoothed(h, r), std::pow(5.0 / 6 * 3.0 / 5 * 1.0 / 4 * 1.0 / 6, 0.25), 1e-12);
  EXPECT_NEAR(sentence_bleu_smoothed(h, r), 0.37991784282579627, 1e-12);
  // Two empty orders: 1/(2*d3) then 1/(4*d4); hyp "x y z" vs "x z y": p1 3/3,
  // p2 0/2 -> 1/4, p3 0/1 -> 1/(4*1), p4 0/1 (denominator 1) -> 1/(8*1).
  EXPECT_NEAR(sentence_bleu_smoothed(T({"x", "y", "z"}), T({"x", "z", "y"})),
              std::pow(1.0 * 0.25 * 0.25 * 0.125, 0.25), 1e-12);
  EXPECT_EQ(sentence_bleu_smoothed(T({"q"}), T({"x", "y"})), 0.0);  // no unigram match
}

TEST(AdcopyMetrics, RougeByHand) {
  Tokens h = T({"a", "b", "c", "d"}), r = T({"a", "c", "b", "d", "e"});
  PrfScore r1 = rouge_n(h, r, 1);  // 4 shared: P 4/4, R 4/5
  EXPECT_DOUBLE_EQ(r1.precision, 1.0);
  EXPECT_DOUBLE_EQ(r1.recall, 0.8);
  EXPECT_NEAR(r1.f1, 2 * 0.8 / 1.8, 1e-12);
  EXPECT_EQ(rouge_n(h, r, 2).f1, 0.0);  // ab bc cd vs ac cb bd de
  EXPECT_EQ(lcs_length(h, r), 3u);      // a b d
  PrfScore rl = rouge_l(h, r);          // P 3/4, R 3/5
  EXPECT_NEAR(rl.f1, 2 * 0.75 * 0.6 / 1.35, 1e-12);
  // Clipping: "the the the" vs "the cat": 1 match of 3.
  EXPECT_NEAR(rouge_n(T({"the", "the", "the"}), T({"the", "cat"}), 1).precision, 1.0 / 3, 1e-12);
}

TEST(AdcopyMetrics, StutterIsATwoCharacterRunWrittenTwice) {
  EXPECT_TRUE(has_stutter("价格低价低价格"));
  EXPECT_TRUE(has_stutter("很多样多样。"));
  EXPECT_TRUE(has_stutter("高质量高质量"));
  EXPECT_FALSE(has_stutter("慢慢地，常常来"));     // one character doubled: Chinese does that
  EXPECT_FALSE(has_stutter("低价格、高质量、多样化"));
  EXPECT_FALSE(has_stutter("2020年, haha haha"));  // not Han characters
  EXPECT_FALSE(has_stutter("价格，价格"));           // punctuation between
  EXPECT_FALSE(has_stutter(""));
}

TEST(AdcopyMetrics, DistinctAndCoverage) {
  std::vector<Tokens> texts = {T({"a", "b", "a"}), T({"a", "c"})};
  EXPECT_DOUBLE_EQ(distinct_n(texts, 1), 3.0 / 5.0);  // a b c of 5
  EXPECT_DOUBLE_EQ(distinct_n(texts, 2), 1.0);         // ab ba ac
  EXPECT_EQ(char_tokens("高 质量"), T({"高", "质", "量"}));
  EXPECT_DOUBLE_EQ(feature_coverage({"低价格", "高质量", "多样化"}, "高质量、低价格的办公用品"), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(feature_coverage({}, "x"), 1.0);
  EXPECT_EQ(covered_features({"USB", "light"}, "usb charger"), (std::vector<std::string>{"USB"}));
}

TEST(AdcopyBaselines, RetrievalAndTemplate) {
  AdPair a, b;
  a.brief.product = "裙";
  a.brief.features = {"白色", "简约"};
  a.completion = "A";
  b.brief.product = "裤";
  b.brief.features = {"白色", "宽松"};
  b.completion = "B";
  Brief q;
  q.product = "裤";
  q.features = {"宽松", "黑色"};
  EXPECT_EQ(retrieval_baseline({a, b}, q), "B");  // 2 shared of 4 vs 0
  EXPECT_EQ(retrieval_baseline({}, q), "");
  q.target = "舒适百搭";
  EXPECT_EQ(template_baseline(q), "这款裤，宽松、黑色，舒适百搭。");
  Brief e;
  e.product = "office pens";
  e.features = {"cheap", "smooth"};
  EXPECT_EQ(template_baseline(e), "Office pens: cheap, smooth.");
}

}  // namespace
}  // namespace marketlm::adcopy
