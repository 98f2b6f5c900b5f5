// FeatureBooster on a hand-made vocabulary: exactly which tokens are boosted
// for which text.
#include "marketlm/apps/adcopy/feature_boost.h"

#include <gtest/gtest.h>

#include <map>

namespace marketlm::adcopy {
namespace {

//                                      0    1    2     3      4        5    6      7     8      9
const std::vector<std::string> kVocab{"", "a", "b", "ab", " li", "light", "x", "LIG", "ht", "abc"};

std::map<int32_t, float> boosted(const FeatureBooster& f, std::string_view text) {
  std::map<int32_t, float> out;
  for (const auto& [id, b] : f.biases(text)) EXPECT_TRUE(out.emplace(id, b).second) << "token " << id << " twice";
  return out;
}

TEST(AdcopyFeatureBoost, TokensThatStartOrContinueEachFeature) {
  const FeatureBooster f({"light", "ab", "AB", ""}, kVocab, /*skip=*/{6}, 3.0f, 6.0f);
  ASSERT_EQ(f.num_features(), 2u);  // "AB" repeats "ab" (case-insensitive), "" is dropped
  // "light": " li" (leading space skipped at the start) and "light"; not
  // "LIG" (only the first letter may change case).
  EXPECT_EQ(f.tokens_at(0, 0), (std::vector<int32_t>{4, 5}));
  // After "lig": "ht" (and nothing with a leading space).
  EXPECT_EQ(f.tokens_at(0, 3), (std::vector<int32_t>{8}));
  // "ab": "a" and "ab"; not "abc", which would run the English word on.
  EXPECT_EQ(f.tokens_at(1, 0), (std::vector<int32_t>{1, 3}));
  EXPECT_EQ(f.tokens_at(1, 1), (std::vector<int32_t>{2}));
  // Chinese has no word boundaries: a token may write the feature and more.
  const FeatureBooster zh({"高质量"}, {"高", "质量", "高质量的", "量", "的"}, {}, 3.0f, 6.0f);
  EXPECT_EQ(zh.tokens_at(0, 0), (std::vector<int32_t>{0, 2}));
  EXPECT_EQ(zh.tokens_at(0, 3), (std::vector<int32_t>{1}));  // after 高 (3 bytes)
}

TEST(AdcopyFeatureBoost, BoostStopsOnceTheFeatureIsWritten) {
  using M = std::map<int32_t, float>;
  const FeatureBooster f({"light", "ab"}, kVocab, {}, 2.5f, 5.0f, /*max_starts=*/2);
  EXPECT_EQ(boosted(f, "xx "), (M{{1, 2.5f}, {3, 2.5f}, {4, 2.5f}, {5, 2.5f}}));
  EXPECT_EQ(boosted(f, ""), (M{{1, 2.5f}, {3, 2.5f}, {4, 2.5f}, {5, 2.5f}}));
  // Inside a word only a token with a leading space (" li") starts a feature.
  EXPECT_EQ(boosted(f, "xx"), (M{{4, 2.5f}}));
  // The text ends with "a": "b" continues "ab" and gets the larger boost.
  EXPECT_EQ(boosted(f, "x a"), (M{{2, 5.0f}, {4, 2.5f}}));
  EXPECT_EQ(boosted(f, "x.a"), (M{{2, 5.0f}, {4, 2.5f}}));
  // "xa": the "a" is inside a word, so it does not begin "ab".
  EXPECT_EQ(boosted(f, "xa"), (M{{4, 2.5f}}));
  EXPECT_EQ(boosted(f, "a"), (M{{2, 5.0f}, {4, 2.5f}}));
  // Ends with "Lig" (case-insensitive), the head of "light": mid-feature, so
  // only "ht" is helped, with the bias that finishes an English word begun
  // with its head; no feature is started anew.
  EXPECT_EQ(boosted(f, "so Lig"), (M{{8, 100.0f}}));
  EXPECT_EQ(boosted(f, "lig, lig"), (M{{8, 100.0f}}));
  // "lig" already twice (max_starts), not at the end: no more help to start "light".
  EXPECT_EQ(boosted(f, "lig, lig."), (M{{1, 2.5f}, {3, 2.5f}}));
  // "ab" written: only "light" is helped; both written: nothing.
  EXPECT_EQ(boosted(f, "xaby "), (M{{4, 2.5f}, {5, 2.5f}}));
  EXPECT_TRUE(f.biases("AB and LIGHT.").empty());
  // A feature word just finished ends its word: every token that begins
  // with a letter is pushed down, the others are left alone.
  EXPECT_EQ(boosted(f, "AB and LIGHT"),
            (M{{1, -100.0f}, {2, -100.0f}, {3, -100.0f}, {5, -100.0f}, {6, -100.0f}, {7, -100.0f}, {8, -100.0f},
               {9, -100.0f}}));
  // A capitalised token may start a lower-case feature ("Ab"), not continue it.
  const FeatureBooster g({"ab"}, {"A", "Ab", "B", "b"}, {}, 1.0f, 2.0f);
  EXPECT_EQ(g.tokens_at(0, 0), (std::vector<int32_t>{0, 1}));
  EXPECT_EQ(g.tokens_at(0, 1), (std::vector<int32_t>{3}));
  // Boost 0 is off.
  EXPECT_TRUE(FeatureBooster({"ab"}, kVocab, {}, 0.0f, 0.0f).biases("x").empty());
}

TEST(AdcopyFeatureBoost, ChineseFeaturesHaveNoWordRules) {
  using M = std::map<int32_t, float>;
  //                              0     1       2           3     4
  const std::vector<std::string> v{"高", "质量", "高质量的", "量", "的"};
  const FeatureBooster f({"高质量"}, v, {}, 3.0f, 6.0f);
  // Starts after a Han character; after 高 the continuation gets the plain
  // continue boost (no finishing bias), and after 高质量 nothing is pushed down.
  EXPECT_EQ(boosted(f, "的"), (M{{0, 3.0f}, {2, 3.0f}}));
  EXPECT_EQ(boosted(f, "的高"), (M{{1, 6.0f}}));
  EXPECT_TRUE(f.biases("的高质量").empty());
}

}  // namespace
}  // namespace marketlm::adcopy
