// GenerationHooks::dynamic_bias: per-step biases decided on the text so far,
// added after the processors and before the warpers.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "generate/toy_decoders.h"
#include "marketlm/generate/generate.h"

namespace marketlm {
namespace {

using testing::HashDecoder;
using testing::ScriptDecoder;

// Token 0 is EOS; token i > 0 is the letter 'a' + i - 1.
GenerationHooks letter_hooks() {
  GenerationHooks h;
  h.token_bytes = [](int32_t id) { return id == 0 ? std::string() : std::string(1, static_cast<char>('a' + id - 1)); };
  return h;
}

GenerationConfig greedy(int max_new) {
  GenerationConfig c;
  c.max_new_tokens = max_new;
  c.eos_token_id = {0};
  return c;
}

TEST(GenDynamicBias, BoostsAPhraseUntilItIsWrittenThenStops) {
  // The script always prefers "c" (logit 10, others 0). The hook boosts
  // "a" then "b" by 20 until the text contains "ab", then nothing: greedy
  // writes "ab" and goes back to the script.
  ScriptDecoder d(5, 64, 1, 1, {}, 3);
  GenerationHooks h = letter_hooks();
  std::vector<std::string> seen_text;
  std::vector<size_t> seen_ids;
  h.dynamic_bias = [&](int seq, std::span<const int32_t> ids, std::string_view text) {
    EXPECT_EQ(seq, 0);
    seen_text.emplace_back(text);
    seen_ids.push_back(ids.size());
    std::vector<std::pair<int32_t, float>> b;
    if (text.find("ab") != std::string_view::npos) return b;
    b.push_back({!text.empty() && text.back() == 'a' ? 2 : 1, 20.0f});
    b.push_back({99, 5.0f});  // outside the vocabulary: ignored
    return b;
  };
  auto r = generate(d, {4}, greedy(4), h);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->sequences[0].token_ids, (std::vector<int32_t>{1, 2, 3, 3}));
  EXPECT_EQ(r->sequences[0].text, "abcc");
  EXPECT_EQ(seen_text, (std::vector<std::string>{"", "a", "ab", "abc"}));
  EXPECT_EQ(seen_ids, (std::vector<size_t>{0, 1, 2, 3}));
}

TEST(GenDynamicBias, AddsAfterProcessorsSoBansHoldAndRepeatsSum) {
  ScriptDecoder d(5, 64, 1, 1, {}, 3);
  GenerationHooks h = letter_hooks();
  h.dynamic_bias = [](int, std::span<const int32_t>, std::string_view) {
    // 6 + 6 on "d" beats the script's 10 for "c"; "a" is banned below.
    return std::vector<std::pair<int32_t, float>>{{1, 100.0f}, {4, 6.0f}, {4, 6.0f}};
  };
  GenerationConfig c = greedy(3);
  c.bad_words_ids = {{1}};
  c.output_logprobs = true;
  auto r = generate(d, {4}, c, h);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->sequences[0].token_ids, (std::vector<int32_t>{4, 4, 4}));
  // The reported logprob is of the biased row: logits {0, -inf, 0, 10, 12}.
  const double expect = 12.0 - std::log(std::exp(12.0) + std::exp(10.0) + 2.0);
  EXPECT_NEAR(r->sequences[0].tokens[0].logprob, expect, 1e-5);
}

TEST(GenDynamicBias, EachSampledSequenceGetsItsOwnBias) {
  // Sequence s is pushed to write letter s + 1 first, whatever the model says.
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    HashDecoder d(6, 64, 4);
    GenerationHooks h = letter_hooks();
    h.dynamic_bias = [](int seq, std::span<const int32_t> ids, std::string_view) {
      std::vector<std::pair<int32_t, float>> b;
      if (ids.empty()) b.push_back({seq + 1, 50.0f});
      return b;
    };
    GenerationConfig c;
    c.do_sample = true;
    c.max_new_tokens = 5;
    c.num_return_sequences = 3;
    c.seed = seed;
    auto r = generate(d, {2, 3}, c, h);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    for (int s = 0; s < 3; ++s) EXPECT_EQ(r->sequences[s].token_ids.at(0), s + 1) << "seed " << seed;
  }
}

TEST(GenDynamicBias, NeedsATextHookAndNoBeams) {
  ScriptDecoder d(5, 64, 4, 1, {}, 3);
  GenerationHooks h;
  h.dynamic_bias = [](int, std::span<const int32_t>, std::string_view) {
    return std::vector<std::pair<int32_t, float>>{};
  };
  auto r = generate(d, {4}, greedy(3), h);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("dynamic_bias"), std::string::npos);
  GenerationHooks hb = letter_hooks();
  hb.dynamic_bias = h.dynamic_bias;
  GenerationConfig c = greedy(3);
  c.num_beams = 2;
  r = generate(d, {4}, c, hb);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("beam"), std::string::npos);
}

}  // namespace
}  // namespace marketlm
