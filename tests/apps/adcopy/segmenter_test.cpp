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

namespace marketlm::adcopy {
namespace {

TEST(AdcopyJiebaHmm, ParsesPythonDictLiterals) {
  auto d = parse_python_dict("from x import y\nP={'B': {'\\u4e00': -3.5, 'x': 1e-3},\n 'E': {'\\'': -3.14e+100}}\n", "t.py");
  ASSERT_TRUE(d.is_ok()) << d.status().to_string();
  ASSERT_EQ(d->size(), 3u);
  EXPECT_EQ((*d)[0].first, (std::vector<std::string>{"B", "一"}));
  EXPECT_DOUBLE_EQ((*d)[0].second, -3.5);
  EXPECT_DOUBLE_EQ((*d)[1].second, 1e-3);
  EXPECT_EQ((*d)[2].first, (std::vector<std::string>{"E", "'"}));
  EXPECT_FALSE(parse_python_dict("P={'B': {'\\u4e0': 1}}", "t.py").is_ok());
  EXPECT_FALSE(parse_python_dict("P={'B': 1", "t.py").is_ok());
}

TEST(AdcopyJiebaHmm, ViterbiOnATinyModel) {
  // Two characters: 甲 likes to begin a word, 乙 to end one; 丙 stands alone.
  auto h = JiebaHmm::from_text(
      "P={'B': -0.5, 'E': -3.14e+100, 'M': -3.14e+100, 'S': -1.0}",
      "P={'B': {'E': -0.1, 'M': -2.3}, 'E': {'B': -0.7, 'S': -0.7}, 'M': {'E': -0.3, 'M': -1.3}, "
      "'S': {'B': -0.7, 'S': -0.7}}",
      "P={'B': {'\\u7532': -0.1, '\\u4e59': -9.0, '\\u4e19': -9.0}, 'E': {'\\u4e59': -0.1, '\\u7532': -9.0, "
      "'\\u4e19': -9.0}, 'M': {'\\u7532': -9.0}, 'S': {'\\u4e19': -0.1, '\\u7532': -5.0, '\\u4e59': -5.0}}",
      "tiny");
  ASSERT_TRUE(h.is_ok()) << h.status().to_string();
  EXPECT_EQ(h->cut(U"甲乙丙"), (std::vector<std::string>{"甲乙", "丙"}));
  EXPECT_EQ(h->cut(U"丙甲乙"), (std::vector<std::string>{"丙", "甲乙"}));
  // Outside Han runs: alnum(.digits)(%) runs are tokens, and so is what lies between.
  EXPECT_EQ(h->cut(U"ab3.5%-+x"), (std::vector<std::string>{"ab3.5%", "-+", "x"}));
}

}  // namespace
}  // namespace marketlm::adcopy
