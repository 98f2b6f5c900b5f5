// GenerationHooks::accept: a text-level veto on candidate tokens, with
// redraws and a fallback to the best allowed token, so a length limit or a
// "no EOS before X" rule holds for every sequence whatever the model prefers.
#include <gtest/gtest.h>

#include <set>

#include "generate/toy_decoders.h"
#include "marketlm/generate/generate.h"

namespace marketlm {
namespace {

using testing::HashDecoder;
using testing::ScriptDecoder;

// Token 0 is EOS (no text); token i > 0 is i copies of 'a' + i - 1 ("a", "bb", "ccc", ...).
std::vector<std::string> pieces(int v) {
  std::vector<std::string> p(v);
  for (int i = 1; i < v; ++i) p[i] = std::string(i, static_cast<char>('a' + (i - 1) % 26));
  return p;
}

GenerationHooks hooks_with(const std::vector<std::string>& p) {
  GenerationHooks h;
  h.token_bytes = [p](int32_t id) { return p.at(id); };
  return h;
}

GenerationConfig sampling(int max_new, int n, uint64_t seed) {
  GenerationConfig c;
  c.max_new_tokens = max_new;
  c.do_sample = true;
  c.top_p = 0.9f;
  c.num_return_sequences = n;
  c.eos_token_id = {0};
  c.seed = seed;
  return c;
}

TEST(GenAcceptHook, LengthLimitAndLateEosHoldForEverySequence) {
  const int v = 9;
  const auto p = pieces(v);
  for (uint64_t seed = 1; seed <= 8; ++seed) {
    HashDecoder d(v, 64, 8);
    GenerationHooks h = hooks_with(p);
    int calls = 0;
    // At most 12 bytes, no 'c', and EOS only after at least 6 bytes.
    h.accept = [&](int seq, std::string_view text, std::string_view piece, bool eos) {
      ++calls;
      EXPECT_TRUE(seq >= 0 && seq < 6);
      if (eos) return text.size() >= 6;
      return text.size() + piece.size() <= 12 && piece.find('c') == std::string_view::npos;
    };
    auto r = generate(d, {1, 2}, sampling(30, 6, seed), h);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    EXPECT_GT(calls, 0);
    for (const auto& s : r->sequences) {
      EXPECT_LE(s.text.size(), 12u) << s.text;
      EXPECT_EQ(s.text.find('c'), std::string::npos) << s.text;
      // Every sequence ends by an accepted EOS: 30 tokens cannot stay under 12 bytes otherwise.
      EXPECT_EQ(s.finish_reason, FinishReason::kEos) << s.text;
      EXPECT_GE(s.text.size(), 6u) << s.text;
    }
  }
}

TEST(GenAcceptHook, FallbackTakesBestAllowedTokenWhenTheNucleusIsVetoed) {
  // The script strongly prefers "ccc" (id 3) at every step; the hook allows
  // only "a" (id 1) and EOS after 3 bytes. Sampling with top_p 0.9 keeps only
  // id 3 in the nucleus, so every draw is vetoed and the fallback decides.
  const auto p = pieces(5);
  ScriptDecoder d(5, 64, 2, 1, {3, 3, 3, 3, 3, 3}, 3);
  GenerationHooks h = hooks_with(p);
  h.accept = [](int, std::string_view text, std::string_view piece, bool eos) {
    return eos ? text.size() >= 3 : piece == "a";
  };
  auto r = generate(d, {4}, sampling(10, 2, 7), h);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  for (const auto& s : r->sequences) {
    EXPECT_EQ(s.text.substr(0, 3), "aaa");
    EXPECT_EQ(s.text.find_first_not_of('a'), std::string::npos);
  }
}

TEST(GenAcceptHook, NothingAllowedFinishesRejected) {
  const auto p = pieces(5);
  HashDecoder d(5, 64, 1);
  GenerationHooks h = hooks_with(p);
  h.accept = [](int, std::string_view text, std::string_view, bool eos) { return text.empty() && !eos; };
  // The first token is free (EOS aside); after it nothing, EOS included, is allowed.
  GenerationConfig c = sampling(10, 1, 3);
  auto r = generate(d, {1}, c, h);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->sequences[0].finish_reason, FinishReason::kRejected);
  EXPECT_EQ(r->sequences[0].token_ids.size(), 1u);
  EXPECT_STREQ(finish_reason_name(FinishReason::kRejected), "rejected");
}

TEST(GenAcceptHook, GreedyTakesTheBestAcceptedToken) {
  const auto p = pieces(6);
  HashDecoder d(6, 64, 1);
  GenerationConfig c;
  c.max_new_tokens = 6;  // no EOS id: never stops early
  auto plain = generate(d, {2}, c, hooks_with(p));
  ASSERT_TRUE(plain.is_ok());
  ASSERT_FALSE(plain->sequences[0].token_ids.empty());
  const int32_t first = plain->sequences[0].token_ids[0];
  GenerationHooks h = hooks_with(p);
  h.accept = [&](int, std::string_view text, std::string_view piece, bool eos) {
    return !(text.empty() && !eos && piece == p[first]);  // veto greedy's first choice
  };
  auto vetoed = generate(d, {2}, c, h);
  ASSERT_TRUE(vetoed.is_ok());
  ASSERT_FALSE(vetoed->sequences[0].token_ids.empty());
  EXPECT_NE(vetoed->sequences[0].token_ids[0], first);
}

TEST(GenAcceptHook, NeedsTextAndNoBeams) {
  HashDecoder d(5, 64, 4);
  GenerationHooks h;
  h.accept = [](int, std::string_view, std::string_view, bool) { return true; };
  auto r = generate(d, {1}, sampling(4, 1, 1), h);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("accept hook"), std::string::npos);
  h.token_bytes = [](int32_t) { return std::string("x"); };
  GenerationConfig beams;
  beams.max_new_tokens = 4;
  beams.num_beams = 2;
  auto b = generate(d, {1}, beams, h);
  ASSERT_FALSE(b.is_ok());
  EXPECT_NE(b.status().message().find("beam"), std::string::npos);
}

}  // namespace
}  // namespace marketlm
