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
  // "ab": "a", "ab", and "abc" (writes the whole feature and more).
  EXPECT_EQ(f.tokens_at(1, 0), (std::vector<int32_t>{1, 3, 9}));
  EXPECT_EQ(f.tokens_at(1, 1), (std::vector<int32_t>{2}));
}

TEST(AdcopyFeatureBoost, BoostStopsOnceTheFeatureIsWritten) {
  using M = std::map<int32_t, float>;
  const FeatureBooster f({"light", "ab"}, kVocab, {}, 2.5f, 5.0f, /*max_starts=*/2);
  EXPECT_EQ(boosted(f, "xx "), (M{{1, 2.5f}, {3, 2.5f}, {4, 2.5f}, {5, 2.5f}, {9, 2.5f}}));
  EXPECT_EQ(boosted(f, ""), (M{{1, 2.5f}, {3, 2.5f}, {4, 2.5f}, {5, 2.5f}, {9, 2.5f}}));
  // Inside a word only a token with a leading space (" li") starts a feature.
  EXPECT_EQ(boosted(f, "xx"), (M{{4, 2.5f}}));
  // The text ends with "a": "b" continues "ab" and gets the larger boost.
  EXPECT_EQ(boosted(f, "x a"), (M{{2, 5.0f}, {4, 2.5f}}));
  EXPECT_EQ(boosted(f, "x.a"), (M{{2, 5.0f}, {4, 2.5f}}));
  // Ends with "Lig" (case-insensitive), the head of "light": mid-feature, so
  // only "ht", which finishes it, is helped; no feature is started anew.
  EXPECT_EQ(boosted(f, "so Lig"), (M{{8, 5.0f}}));
  EXPECT_EQ(boosted(f, "lig, lig"), (M{{8, 5.0f}}));
  // "lig" already twice (max_starts), not at the end: no more help to start "light".
  EXPECT_EQ(boosted(f, "lig, lig."), (M{{1, 2.5f}, {3, 2.5f}, {9, 2.5f}}));
  // "ab" written: only "light" is helped; both written: nothing.
  EXPECT_EQ(boosted(f, "xaby "), (M{{4, 2.5f}, {5, 2.5f}}));
  EXPECT_TRUE(f.biases("AB and LIGHT").empty());
  // A capitalised token may start a lower-case feature ("Ab"), not continue it.
  const FeatureBooster g({"ab"}, {"A", "Ab", "B", "b"}, {}, 1.0f, 2.0f);
  EXPECT_EQ(g.tokens_at(0, 0), (std::vector<int32_t>{0, 1}));
  EXPECT_EQ(g.tokens_at(0, 1), (std::vector<int32_t>{3}));
  // Boost 0 is off.
  EXPECT_TRUE(FeatureBooster({"ab"}, kVocab, {}, 0.0f, 0.0f).biases("x").empty());
}

}  // namespace
}  // namespace marketlm::adcopy
