// Force words, bad-word text check, word variants, distinct measures.
#include <gtest/gtest.h>

#include <limits>

#include "marketlm/generate/constraints.h"
#include "marketlm/generate/distinct.h"

namespace marketlm {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

std::vector<float> apply(const ForceWords& f, std::vector<int32_t> ids, int plen, int v = 6) {
  std::vector<float> s(v);
  for (int i = 0; i < v; ++i) s[i] = static_cast<float>(i) * 0.1f;
  f.apply(s, TokenHistory{ids, plen});
  return s;
}

int allowed(const std::vector<float>& s) {
  int n = 0;
  for (float x : s) n += x != -kInf;
  return n;
}

TEST(GenForceWords, BansEosWhileUnmetAndCompletesStartedWords) {
  ForceWords f({{{2, 3}}}, {0}, 10);
  auto s = apply(f, {5, 5}, 1);  // nothing started, plenty of budget: only EOS banned
  EXPECT_EQ(s[0], -kInf);
  EXPECT_EQ(allowed(s), 5);
  s = apply(f, {5, 2}, 1);  // started "2": 3 is forced
  EXPECT_EQ(allowed(s), 1);
  EXPECT_NE(s[3], -kInf);
  s = apply(f, {5, 2, 3}, 1);  // met: untouched
  EXPECT_EQ(allowed(s), 6);
  s = apply(f, {2, 5}, 1);  // "2" in the prompt does not count
  EXPECT_EQ(allowed(s), 5);
}

TEST(GenForceWords, StartsWordWhenBudgetRunsOut) {
  // Budget 4; after 2 new tokens, 2 remain = length of the shorter alternative {4, 1}.
  ForceWords f({{{1, 2, 3}, {4, 1}}}, {0}, 4);
  auto s = apply(f, {5, 5, 5}, 1);
  EXPECT_EQ(allowed(s), 1);
  EXPECT_NE(s[4], -kInf);
  s = apply(f, {5, 5}, 1);  // 3 remain: not forced yet
  EXPECT_EQ(allowed(s), 5);
  // Two words, each needing 1 token: forced when 2 remain; the better-scored start wins.
  ForceWords two({{{2}}, {{3}}}, {}, 3);
  s = apply(two, {5, 5}, 1);
  EXPECT_EQ(allowed(s), 1);
  EXPECT_NE(s[3], -kInf);
}

TEST(GenForceWords, MetAndMinTokens) {
  std::vector<std::vector<std::vector<int32_t>>> w{{{1, 2}, {3}}, {{4}}};
  EXPECT_TRUE(force_words_met(w, std::vector<int32_t>{0, 3, 4}));
  EXPECT_TRUE(force_words_met(w, std::vector<int32_t>{1, 2, 4}));
  EXPECT_FALSE(force_words_met(w, std::vector<int32_t>{1, 4, 2}));
  EXPECT_EQ(force_words_min_tokens(w), 2);
}

TEST(GenBadWordText, CaseInsensitiveWholeWords) {
  const std::vector<std::string> words{"cheap", "免费"};
  EXPECT_EQ(find_bad_word("So CHEAP!", words), 0);
  EXPECT_EQ(find_bad_word("cheapest deal", words), -1);
  EXPECT_EQ(find_bad_word("a cheap", words), 0);
  EXPECT_EQ(find_bad_word("完全免费哦", words), 1);
  EXPECT_EQ(find_bad_word("fine", words), -1);
}

TEST(GenWordVariants, BuildsSpaceAndCaseVariants) {
  // Toy encoder: one token per byte.
  EncodeFn enc = [](const std::string& s) {
    std::vector<int32_t> ids;
    for (unsigned char c : s) ids.push_back(c);
    return ids;
  };
  auto v = word_variants("sale", enc);
  ASSERT_EQ(v.size(), 6u);
  EXPECT_EQ(v[0], enc("sale"));
  EXPECT_EQ(v[1], enc(" sale"));
  EXPECT_EQ(v[2], enc("Sale"));
  EXPECT_EQ(v[5], enc(" SALE"));
  EXPECT_EQ(word_variants("OK", enc).size(), 2u);  // all forms equal: deduplicated
  EXPECT_EQ(bad_words_ids_for({"a", "b"}, enc).size(), 8u);
  EXPECT_EQ(force_words_ids_for({"a", "b"}, enc).size(), 2u);
}

TEST(GenDistinct, JaccardOnCharacterAndTokenNgrams) {
  EXPECT_DOUBLE_EQ(char_ngram_jaccard("abcd", "abcd", 3), 1.0);
  EXPECT_DOUBLE_EQ(char_ngram_jaccard("abcd", "ABCD", 3), 1.0);
  // {abc, bcd} vs {bcd, cde}: 1/3
  EXPECT_DOUBLE_EQ(char_ngram_jaccard("abcd", "bcde", 3), 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(char_ngram_jaccard("中文广告", "中文广告", 2), 1.0);
  // {中文, 文广, 广告} vs {中文, 文案}: 1/4
  EXPECT_DOUBLE_EQ(char_ngram_jaccard("中文广告", "中文案", 2), 0.25);
  EXPECT_DOUBLE_EQ(char_ngram_jaccard("", "", 3), 1.0);
  EXPECT_DOUBLE_EQ(char_ngram_jaccard("ab", "xyz", 3), 0.0);
  EXPECT_DOUBLE_EQ(token_ngram_jaccard(std::vector<int32_t>{1, 2, 3}, std::vector<int32_t>{1, 2, 4}, 2), 1.0 / 3.0);
}

}  // namespace
}  // namespace marketlm
