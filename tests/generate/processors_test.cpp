// Each sampler-chain stage on tiny vectors with exact expected outputs.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "marketlm/generate/logits_processors.h"

namespace marketlm {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

std::vector<float> run(const LogitsProcessor& p, std::vector<float> s, std::vector<int32_t> ids = {},
                       int prompt_len = 0) {
  p.apply(s, TokenHistory{ids, prompt_len});
  return s;
}

// Scores whose softmax is exactly proportional to `probs`.
std::vector<float> logs(std::vector<float> probs) {
  for (float& p : probs) p = std::log(p);
  return probs;
}

std::vector<bool> kept(const std::vector<float>& s) {
  std::vector<bool> k;
  for (float v : s) k.push_back(v != -kInf);
  return k;
}

TEST(GenProcessors, RepetitionPenaltyDividesPositiveMultipliesNegative) {
  // Tokens 0 and 1 seen (1 twice: penalised once); 2 and 3 untouched.
  EXPECT_EQ(run(RepetitionPenalty(2.0f), {2.0f, -2.0f, 1.0f, 0.5f}, {0, 1, 1}),
            (std::vector<float>{1.0f, -4.0f, 1.0f, 0.5f}));
  // A penalty below 1 rewards repeats the same way.
  EXPECT_EQ(run(RepetitionPenalty(0.5f), {2.0f, -2.0f, 1.0f}, {0, 1}),
            (std::vector<float>{4.0f, -1.0f, 1.0f}));
}

TEST(GenProcessors, NoRepeatNGramBansCompletions) {
  // Bigram (1,2) exists; history ends with 1, so 2 is banned.
  EXPECT_EQ(kept(run(NoRepeatNGram(2), {0, 0, 0, 0}, {1, 2, 3, 1})),
            (std::vector<bool>{true, true, false, true}));
  // Trigrams (1,2,1),(2,1,2); tail (1,2) -> ban 1.
  EXPECT_EQ(kept(run(NoRepeatNGram(3), {0, 0, 0, 0}, {1, 2, 1, 2})),
            (std::vector<bool>{true, false, true, true}));
  // Too short a history: nothing banned.
  EXPECT_EQ(kept(run(NoRepeatNGram(3), {0, 0, 0}, {1})), (std::vector<bool>{true, true, true}));
  // n=1 bans every seen token.
  EXPECT_EQ(kept(run(NoRepeatNGram(1), {0, 0, 0}, {2, 0})), (std::vector<bool>{false, true, false}));
}

TEST(GenProcessors, MinNewTokensMasksEosUntilEnoughNewTokens) {
  MinNewTokens p(2, 0, {3, 1});
  EXPECT_EQ(kept(run(p, {0, 0, 0, 0}, {5, 6, 7}, 2)), (std::vector<bool>{true, false, true, false}));
  EXPECT_EQ(kept(run(p, {0, 0, 0, 0}, {5, 6, 7, 8}, 2)), (std::vector<bool>{true, true, true, true}));
  MinNewTokens by_length(0, 4, {0});  // HF min_length counts the prompt too
  EXPECT_EQ(kept(run(by_length, {0, 0}, {1, 1, 1}, 2)), (std::vector<bool>{false, true}));
  EXPECT_EQ(kept(run(by_length, {0, 0}, {1, 1, 1, 1}, 2)), (std::vector<bool>{true, true}));
}

TEST(GenProcessors, BadWordsBlockLastTokenWhenPrefixMatches) {
  BadWords p({{3}, {1, 2}, {0, 1, 4}});
  EXPECT_EQ(kept(run(p, {0, 0, 0, 0, 0}, {0, 1})), (std::vector<bool>{true, true, false, false, false}));
  EXPECT_EQ(kept(run(p, {0, 0, 0, 0, 0}, {2, 1})), (std::vector<bool>{true, true, false, false, true}));
  EXPECT_EQ(kept(run(p, {0, 0, 0, 0, 0}, {})), (std::vector<bool>{true, true, true, false, true}));
}

TEST(GenProcessors, LogitBiasAdds) {
  EXPECT_EQ(run(LogitBias({{1, 2.5f}, {3, -100.0f}, {9, 1.0f}}), {0, 1, 2, 3}),
            (std::vector<float>{0.0f, 3.5f, 2.0f, -97.0f}));
}

TEST(GenProcessors, SequenceBiasAddsToLastTokenWhenPrefixEndsHistory) {
  // [1]: always +1; [2, 3]: +2 on 3 after a 2; [0, 2, 4]: -3 on 4 after 0, 2;
  // [2, 1]: +0.5 on 1 after a 2 (adds to [1]'s bias).
  SequenceBias p({{{1}, 1.0f}, {{2, 3}, 2.0f}, {{0, 2, 4}, -3.0f}, {{2, 1}, 0.5f}});
  const std::vector<float> zero{0, 0, 0, 0, 0};
  EXPECT_EQ(run(p, zero, {4, 2}), (std::vector<float>{0.0f, 1.5f, 0.0f, 2.0f, 0.0f}));
  EXPECT_EQ(run(p, zero, {1, 0, 2}), (std::vector<float>{0.0f, 1.5f, 0.0f, 2.0f, -3.0f}));
  EXPECT_EQ(run(p, zero, {2, 0}), (std::vector<float>{0.0f, 1.0f, 0.0f, 0.0f, 0.0f}));
  // Only the history's end counts: a 2 earlier does not match.
  EXPECT_EQ(run(p, {1, 1, 1, 1, 1}, {2, 3, 3}), (std::vector<float>{1.0f, 2.0f, 1.0f, 1.0f, 1.0f}));
  // -inf stays -inf; the prompt is part of the history (prompt_len does not matter).
  EXPECT_EQ(run(p, {0, -kInf, 0, 0, 0}, {1, 0, 2}, 2), (std::vector<float>{0.0f, -kInf, 0.0f, 2.0f, -3.0f}));
  // HF skips a sequence longer than the history: [0, 2, 4] after only [0, 2].
  EXPECT_EQ(run(p, zero, {0, 2}), (std::vector<float>{0.0f, 1.5f, 0.0f, 2.0f, 0.0f}));
}

TEST(GenProcessors, SequenceBiasHfEdgeCases) {
  // As HF: a sequence longer than the history is skipped even when its
  // prefix alone would fit ([2, 3] needs 2 history tokens, here only 1).
  SequenceBias p({{{2, 3}, 2.0f}, {{3}, 0.25f}});
  EXPECT_EQ(run(p, {0, 0, 0, 0}, {2}), (std::vector<float>{0.0f, 0.0f, 0.0f, 0.25f}));
  EXPECT_EQ(run(p, {0, 0, 0, 0}, {9, 2}), (std::vector<float>{0.0f, 0.0f, 0.0f, 2.25f}));
  // A sequence listed twice keeps its last bias (HF builds a dict); ids
  // outside the scores are ignored.
  SequenceBias twice({{{1}, 5.0f}, {{7}, 1.0f}, {{1}, -1.0f}});
  EXPECT_EQ(run(twice, {0, 0, 0}, {0}), (std::vector<float>{0.0f, -1.0f, 0.0f}));
}

TEST(GenProcessors, SequenceBiasRunsFirstInTheChain) {
  GenerationConfig c;
  c.repetition_penalty = 2.0f;
  c.sequence_bias = {{{1}, 2.0f}};
  const ProcessorChain chain = make_processors(c, 1);
  EXPECT_EQ(chain.names(), (std::vector<std::string>{"sequence_bias", "repetition_penalty"}));
  // Bias then penalty (HF's order): (0 + 2) / 2 for the seen token 1.
  std::vector<float> s{0.0f, 0.0f, 0.0f};
  const std::vector<int32_t> ids{1};
  chain.apply(s, TokenHistory{ids, 1});
  EXPECT_EQ(s, (std::vector<float>{0.0f, 1.0f, 0.0f}));
}

TEST(GenProcessors, TemperatureDivides) {
  EXPECT_EQ(run(Temperature(2.0f), {2.0f, -1.0f, -kInf}), (std::vector<float>{1.0f, -0.5f, -kInf}));
}

TEST(GenProcessors, TopKKeepsTiesAtBoundary) {
  EXPECT_EQ(kept(run(TopK(2), {1, 3, 2, 3})), (std::vector<bool>{false, true, false, true}));
  EXPECT_EQ(kept(run(TopK(2), {1, 3, 2, 2})), (std::vector<bool>{false, true, true, true}));
  EXPECT_EQ(kept(run(TopK(1, 2), {1, 3, 2, 0})), (std::vector<bool>{false, true, true, false}));
  EXPECT_EQ(kept(run(TopK(10), {1, 3})), (std::vector<bool>{true, true}));
}

TEST(GenProcessors, TopPKeepsSmallestSetReachingP) {
  const auto s = logs({0.05f, 0.5f, 0.15f, 0.3f});
  EXPECT_EQ(kept(run(TopP(0.75f), s)), (std::vector<bool>{false, true, false, true}));
  EXPECT_EQ(kept(run(TopP(0.85f), s)), (std::vector<bool>{false, true, true, true}));
  EXPECT_EQ(kept(run(TopP(0.4f), s)), (std::vector<bool>{false, true, false, false}));
  EXPECT_EQ(kept(run(TopP(0.4f, 3), s)), (std::vector<bool>{false, true, true, true}));
  EXPECT_EQ(kept(run(TopP(1.0f), s)), (std::vector<bool>{true, true, true, true}));
}

TEST(GenProcessors, MinPRelativeToTopProbability) {
  const auto s = logs({0.05f, 0.5f, 0.15f, 0.3f});
  // threshold 0.35 * 0.5 = 0.175
  EXPECT_EQ(kept(run(MinP(0.35f), s)), (std::vector<bool>{false, true, false, true}));
  // threshold 0.045: everything
  EXPECT_EQ(kept(run(MinP(0.09f), s)), (std::vector<bool>{true, true, true, true}));
  EXPECT_EQ(kept(run(MinP(1.0f), s)), (std::vector<bool>{false, true, false, false}));
  EXPECT_EQ(kept(run(MinP(1.0f, 2), s)), (std::vector<bool>{false, true, false, true}));
}

TEST(GenProcessors, TypicalPKeepsTokensClosestToEntropy) {
  // p = .05 .5 .15 .3 ; H = 1.1421 ; |-ln p - H| = 1.854 .449 .755 .062
  // order: 3 (.3), 1 (.5), 2 (.15), 0 (.05) ; cumulative .3 .8 .95 1
  const auto s = logs({0.05f, 0.5f, 0.15f, 0.3f});
  EXPECT_EQ(kept(run(TypicalP(0.5f), s)), (std::vector<bool>{false, true, false, true}));
  EXPECT_EQ(kept(run(TypicalP(0.2f), s)), (std::vector<bool>{false, false, false, true}));
  EXPECT_EQ(kept(run(TypicalP(0.9f), s)), (std::vector<bool>{false, true, true, true}));
  EXPECT_EQ(kept(run(TypicalP(0.2f, 2), s)), (std::vector<bool>{false, true, false, true}));
}

TEST(GenProcessors, ChainOrderFollowsConfig) {
  GenerationConfig c;
  c.repetition_penalty = 1.2f;
  c.no_repeat_ngram_size = 2;
  c.min_new_tokens = 1;
  c.eos_token_id = {0};
  c.bad_words_ids = {{1}};
  c.logit_bias = {{2, 1.0f}};
  c.force_words_ids = {{{3}}};
  EXPECT_EQ(make_processors(c, 1).names(),
            (std::vector<std::string>{"repetition_penalty", "no_repeat_ngram", "min_new_tokens", "bad_words",
                                      "logit_bias", "force_words"}));
  c.temperature = 0.7f;
  c.top_p = 0.9f;
  c.min_p = 0.1f;
  c.typical_p = 0.95f;
  EXPECT_EQ(make_warpers(c).names(),
            (std::vector<std::string>{"temperature", "top_k", "top_p", "min_p", "typical_p"}));
  EXPECT_TRUE(make_processors(GenerationConfig{}, 1).empty());
  GenerationConfig plain;
  plain.top_k = 0;
  EXPECT_TRUE(make_warpers(plain).empty());
}

TEST(GenProcessors, ChainAppliesInOrder) {
  // temperature then top-k differs from the reverse only in values, so check
  // penalty (multiplicative) then bias (additive): (-2*2)+1 = -3, not (-2+1)*2 = -2.
  GenerationConfig c;
  c.repetition_penalty = 2.0f;
  c.logit_bias = {{0, 1.0f}};
  std::vector<float> s{-2.0f, 1.0f};
  std::vector<int32_t> ids{0};
  make_processors(c, 1).apply(s, TokenHistory{ids, 1});
  EXPECT_EQ(s, (std::vector<float>{-3.0f, 1.0f}));
}

}  // namespace
}  // namespace marketlm

namespace marketlm {
namespace {

TEST(GenProcessors, WarpersIgnoreAlreadyRemovedTokens) {
  const float inf = std::numeric_limits<float>::infinity();
  // After top-k, top-p works on what is left: p = .5 .3 .2 over tokens 1, 3, 4.
  std::vector<float> s{-inf, std::log(0.5f), -inf, std::log(0.3f), std::log(0.2f)};
  TopP(0.7f).apply(s, TokenHistory{});
  EXPECT_EQ(s[1], std::log(0.5f));
  EXPECT_EQ(s[3], std::log(0.3f));
  EXPECT_EQ(s[4], -inf);
  EXPECT_EQ(s[0], -inf);
  std::vector<float> m{-inf, std::log(0.5f), -inf, std::log(0.3f), std::log(0.2f)};
  MinP(0.5f).apply(m, TokenHistory{});  // threshold .25
  EXPECT_EQ(m[3], std::log(0.3f));
  EXPECT_EQ(m[4], -inf);
}

}  // namespace
}  // namespace marketlm
