// Unit tests of the jieba algorithm on a tiny hand-made dictionary, where the
// right segmentation can be worked out by hand.
#include "marketlm/apps/adcopy/segmenter.h"

#include <gtest/gtest.h>

namespace marketlm::adcopy {
namespace {

using Words = std::vector<std::string>;

JiebaSegmenter tiny() {
  // total = 100. log-probabilities: 高质量 log(10/100); 高 log(20/100), 质量 log(30/100) ...
  auto s = JiebaSegmenter::from_text(
      "高 20\n质量 30\n高质量 10\n办公 15\n用品 10\n办公用品 5\n的 9\nUSB 1\n", "tiny");
  EXPECT_TRUE(s.is_ok()) << s.status().to_string();
  return std::move(s).value();
}

TEST(AdcopySegmenter, MaxProbabilityRoute) {
  JiebaSegmenter s = tiny();
  // 高质量: log .1 = -2.30 beats 高+质量: log .2 + log .3 = -2.81.
  EXPECT_EQ(s.cut("高质量"), (Words{"高质量"}));
  // 办公用品: log .05 = -3.00 beats 办公+用品: log .15 + log .10 = -4.20.
  EXPECT_EQ(s.cut("高质量的办公用品"), (Words{"高质量", "的", "办公用品"}));
  // Unknown characters count frequency 1 each: 好 alone.
  EXPECT_EQ(s.cut("好质量"), (Words{"好", "质量"}));
  EXPECT_EQ(s.frequency("高质"), 0);  // a prefix, not a word
  EXPECT_EQ(s.frequency("质量"), 30);
  EXPECT_EQ(s.dictionary_size(), 8u);
}

TEST(AdcopySegmenter, AsciiRunsAndPunctuation) {
  JiebaSegmenter s = tiny();
  // Single ASCII letters/digits on the route join; other symbols stand alone.
  EXPECT_EQ(s.cut("买2024款质量，好!"), (Words{"买", "2024", "款", "质量", "，", "好", "!"}));
  EXPECT_EQ(s.cut("a b\r\nc"), (Words{"a", " ", "b", "\r\n", "c"}));
  EXPECT_EQ(s.cut_words("a b\r\nc"), (Words{"a", "b", "c"}));
  // '.' '-' '%' are inside jieba's Han/alnum runs and become single tokens there.
  EXPECT_EQ(s.cut("3.5折-50%"), (Words{"3", ".", "5", "折", "-", "50", "%"}));
}

TEST(AdcopySegmenter, BadDictionaryLineNamesLine) {
  auto s = JiebaSegmenter::from_text("高 20\n质量 x\n", "dict.txt");
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.status().message().find("dict.txt:2"), std::string::npos);
  auto t = JiebaSegmenter::from_text("高20\n", "dict.txt");
  ASSERT_FALSE(t.is_ok());
  auto missing = JiebaSegmenter::load("/nonexistent/dict.txt");
  ASSERT_FALSE(missing.is_ok());
  EXPECT_NE(missing.status().message().find("python3-jieba"), std::string::npos);
}

}  // namespace
}  // namespace marketlm::adcopy
