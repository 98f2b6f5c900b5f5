// generate(): greedy, seeded sampling with a shared prompt cache, stopping,
// streaming, constraints, distinct variants, logprobs and bad input.
#include "marketlm/generate/generate.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

#include "generate/toy_decoders.h"
#include "marketlm/generate/constraints.h"
#include "marketlm/generate/logits_processors.h"
#include "marketlm/generate/utf8_stream.h"

namespace marketlm {
namespace {

using testing::HashDecoder;
using testing::ScriptDecoder;
using testing::TableDecoder;

GenerationConfig greedy(int max_new) {
  GenerationConfig c;
  c.max_new_tokens = max_new;
  return c;
}

// Token i's text is pieces[i].
GenerationHooks bytes_hooks(const std::vector<std::string>& pieces) {
  GenerationHooks h;
  h.token_bytes = [pieces](int32_t id) { return pieces.at(id); };
  return h;
}

TEST(GenGenerate, GreedyMatchesArgmaxOverFullHistory) {
  HashDecoder d(7, 64, 1);
  const std::vector<int32_t> prompt{1, 4, 2};
  auto r = generate(d, prompt, greedy(12));
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  ASSERT_EQ(r->sequences.size(), 1u);
  const auto& seq = r->sequences[0];
  ASSERT_EQ(seq.token_ids.size(), 12u);
  EXPECT_EQ(seq.finish_reason, FinishReason::kLength);
  std::vector<int32_t> hist = prompt;
  for (int32_t t : seq.token_ids) {
    EXPECT_EQ(t, argmax_token(d.logits_of(hist)));
    hist.push_back(t);
  }
  EXPECT_EQ(d.prefill_calls, 1);
  EXPECT_EQ(d.decode_calls, 11);  // the last token needs no decode
}

TEST(GenGenerate, BadInputGivesClearErrors) {
  HashDecoder d(7, 10, 2);
  auto r = generate(d, {}, greedy(3));
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("empty"), std::string::npos);
  r = generate(d, std::vector<int32_t>(11, 1), greedy(1));
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), StatusCode::kOutOfRange);
  r = generate(d, std::vector<int32_t>(8, 1), greedy(3));  // 8 + 3 > 10
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("max_positions"), std::string::npos) << r.status().message();
  r = generate(d, {1, 9}, greedy(3));  // id outside the vocabulary
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("prompt token 1"), std::string::npos);
  GenerationConfig c = greedy(3);
  c.num_return_sequences = 2;  // greedy n > 1
  EXPECT_FALSE(generate(d, {1}, c).is_ok());
  c.do_sample = true;
  c.num_return_sequences = 3;  // more slots than the decoder has
  r = generate(d, {1}, c);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  c = greedy(3);
  c.stop_strings = {"x"};  // needs a text hook
  EXPECT_FALSE(generate(d, {1}, c).is_ok());
  c = greedy(3);
  c.eos_token_id = {7};
  EXPECT_FALSE(generate(d, {1}, c).is_ok());
  c = GenerationConfig{};  // max_length 20 with a 9-token prompt on a 10-position model
  EXPECT_FALSE(generate(d, std::vector<int32_t>(9, 1), c).is_ok());
  c.max_length = 5;  // no room after a 6-token prompt
  EXPECT_FALSE(generate(d, std::vector<int32_t>(6, 1), c).is_ok());
  c = greedy(3);
  c.bad_words_ids = {{0}, {1}, {2}, {3}, {4}, {5}, {6}};  // everything banned
  r = generate(d, {1}, c);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("masked"), std::string::npos);
}

TEST(GenGenerate, SamplingSharesPromptCacheAcrossSequences) {
  HashDecoder d(9, 64, 4);
  GenerationConfig c;
  c.max_new_tokens = 10;
  c.do_sample = true;
  c.top_k = 0;  // no warpers: logprobs are plain log-softmax of the model's logits
  c.num_return_sequences = 4;
  c.seed = 11;
  c.output_logprobs = true;
  const std::vector<int32_t> prompt{3, 1, 4, 1, 5};
  auto r = generate(d, prompt, c);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(d.prefill_calls, 1);
  EXPECT_EQ(d.copy_calls, 3);
  EXPECT_EQ(d.max_batch, 4);
  EXPECT_EQ(d.decode_calls, 9);
  ASSERT_EQ(r->sequences.size(), 4u);
  std::set<std::vector<int32_t>> distinct;
  for (const auto& s : r->sequences) {
    ASSERT_EQ(s.token_ids.size(), 10u);
    ASSERT_EQ(s.tokens.size(), 10u);
    distinct.insert(s.token_ids);
    // Each chosen token's logprob equals log-softmax of the logits for the full history.
    std::vector<int32_t> hist = prompt;
    double sum = 0;
    for (size_t i = 0; i < s.token_ids.size(); ++i) {
      std::vector<float> lp(9);
      log_softmax(d.logits_of(hist), lp);
      EXPECT_NEAR(s.tokens[i].logprob, lp[s.token_ids[i]], 1e-5);
      sum += s.tokens[i].logprob;
      hist.push_back(s.token_ids[i]);
    }
    EXPECT_NEAR(s.score, sum, 1e-4);
  }
  EXPECT_GT(distinct.size(), 1u);
}

TEST(GenGenerate, SeededSamplingIsReproducible) {
  GenerationConfig c;
  c.max_new_tokens = 15;
  c.do_sample = true;
  c.temperature = 0.8f;
  c.top_p = 0.9f;
  c.num_return_sequences = 3;
  c.seed = 5;
  HashDecoder a(11, 64, 3), b(11, 64, 3);
  auto ra = generate(a, {1, 2}, c);
  auto rb = generate(b, {1, 2}, c);
  ASSERT_TRUE(ra.is_ok() && rb.is_ok());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(ra->sequences[i].token_ids, rb->sequences[i].token_ids);
  c.seed = 6;
  HashDecoder e(11, 64, 3);
  auto rc = generate(e, {1, 2}, c);
  ASSERT_TRUE(rc.is_ok());
  bool differs = false;
  for (int i = 0; i < 3; ++i) differs = differs || ra->sequences[i].token_ids != rc->sequences[i].token_ids;
  EXPECT_TRUE(differs);
}

TEST(GenGenerate, WarpersRestrictSampledTokens) {
  // top_k=1 sampling must equal greedy.
  HashDecoder a(13, 64, 1), b(13, 64, 1);
  GenerationConfig c = greedy(10);
  auto g = generate(a, {2}, c);
  c.do_sample = true;
  c.top_k = 1;
  c.seed = 99;
  auto s = generate(b, {2}, c);
  ASSERT_TRUE(g.is_ok() && s.is_ok());
  EXPECT_EQ(g->sequences[0].token_ids, s->sequences[0].token_ids);
}

TEST(GenGenerate, EosListStopsAndIsExcluded) {
  ScriptDecoder d(10, 64, 1, 1, {5, 6, 7, 2, 8});
  GenerationConfig c = greedy(10);
  c.eos_token_id = {3, 2};
  auto r = generate(d, {0}, c);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->sequences[0].token_ids, (std::vector<int32_t>{5, 6, 7}));
  EXPECT_EQ(r->sequences[0].finish_reason, FinishReason::kEos);
  c.eos_token_id = {9, 6};
  r = generate(d, {0}, c);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->sequences[0].token_ids, (std::vector<int32_t>{5}));
}

TEST(GenGenerate, MinNewTokensDelaysEos) {
  ScriptDecoder d(10, 64, 1, 1, {2, 2, 2, 2, 2}, 2);  // wants EOS (2) at once
  GenerationConfig c = greedy(10);
  c.eos_token_id = {2};
  c.min_new_tokens = 3;
  auto r = generate(d, {0}, c);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->sequences[0].token_ids.size(), 3u);
  EXPECT_EQ(r->sequences[0].finish_reason, FinishReason::kEos);
}

TEST(GenGenerate, StopStringIsLeftOutOfTextTokensAndStream) {
  // tokens: 0 "ab", 1 "c#", 2 "##d", 3 "zz"; the stop string "###" straddles tokens 1 and 2.
  const std::vector<std::string> pieces{"ab", "c#", "##d", "zz"};
  ScriptDecoder d(4, 64, 1, 1, {0, 1, 2, 3, 3});
  GenerationConfig c = greedy(5);
  c.stop_strings = {"###"};
  GenerationHooks h = bytes_hooks(pieces);
  std::string streamed;
  int finals = 0;
  h.on_token = [&](const StreamEvent& e) {
    streamed += e.text;
    finals += e.finished;
    return true;
  };
  auto r = generate(d, {3}, c, h);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  const auto& s = r->sequences[0];
  EXPECT_EQ(s.finish_reason, FinishReason::kStopString);
  EXPECT_EQ(s.text, "abc");
  EXPECT_EQ(s.token_ids, (std::vector<int32_t>{0}));  // "c#" straddles the stop string
  EXPECT_EQ(streamed, "abc");
  EXPECT_EQ(finals, 1);
  // Same with only a decode hook.
  GenerationHooks dh;
  dh.decode = [&](const std::vector<int32_t>& ids) {
    std::string t;
    for (int32_t id : ids) t += pieces[id];
    return t;
  };
  ScriptDecoder d2(4, 64, 1, 1, {0, 1, 2, 3, 3});
  r = generate(d2, {3}, c, dh);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->sequences[0].text, "abc");
  EXPECT_EQ(r->sequences[0].token_ids, (std::vector<int32_t>{0}));
}

TEST(GenGenerate, StreamNeverSplitsUtf8Characters) {
  // "中" = E4 B8 AD, "😀" = F0 9F 98 80: split across tokens in awkward places.
  const std::vector<std::string> pieces{"\xE4", "\xB8\xAD\xF0", "\x9F", "\x98\x80" "a", "\xE6\x96\x87", "!"};
  ScriptDecoder d(6, 64, 1, 1, {0, 1, 2, 3, 4, 5});
  GenerationConfig c = greedy(6);
  GenerationHooks h = bytes_hooks(pieces);
  std::vector<std::string> texts;
  h.on_token = [&](const StreamEvent& e) {
    EXPECT_TRUE(is_valid_utf8(e.text)) << "token " << e.token;
    texts.emplace_back(e.text);
    return true;
  };
  auto r = generate(d, {5}, c, h);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(texts, (std::vector<std::string>{"", "中", "", "😀a", "文", "!"}));
  EXPECT_EQ(r->sequences[0].text, "中😀a文!");
}

TEST(GenGenerate, StreamCallbackCanStop) {
  HashDecoder d(8, 64, 2);
  GenerationConfig c;
  c.max_new_tokens = 20;
  c.do_sample = true;
  c.num_return_sequences = 2;
  GenerationHooks h;
  int events = 0;
  h.on_token = [&](const StreamEvent&) { return ++events < 5; };
  auto r = generate(d, {1}, c, h);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(events, 5);
  for (const auto& s : r->sequences) {
    EXPECT_EQ(s.finish_reason, FinishReason::kCallback);
    EXPECT_LE(s.token_ids.size(), 3u);
  }
}

TEST(GenGenerate, BadWordsIdsNeverProduced) {
  // Table strongly prefers 2 -> 3 and 4 everywhere.
  const int v = 6;
  std::vector<float> table(v * v, 0.0f);
  for (int i = 0; i < v; ++i) {
    table[i * v + 4] = 5.0f;
    table[i * v + 2] = 4.0f;
  }
  table[2 * v + 3] = 9.0f;
  GenerationConfig c;
  c.max_new_tokens = 30;
  c.do_sample = true;
  c.num_return_sequences = 3;
  c.bad_words_ids = {{4}, {2, 3}};
  TableDecoder d(v, 64, 3, table);
  auto r = generate(d, {0}, c);
  ASSERT_TRUE(r.is_ok());
  int twos = 0;
  for (const auto& s : r->sequences) {
    for (size_t i = 0; i < s.token_ids.size(); ++i) {
      EXPECT_NE(s.token_ids[i], 4);
      if (i > 0) {
        EXPECT_FALSE(s.token_ids[i - 1] == 2 && s.token_ids[i] == 3);
      }
      twos += s.token_ids[i] == 2;
    }
  }
  EXPECT_GT(twos, 0);  // 2 itself is still allowed
}

TEST(GenGenerate, BadWordTextBackstopRedraws) {
  // "ca" + "t" spells "cat", which no token-id list names; the text check catches it.
  const std::vector<std::string> pieces{" ", "ca", "t", "r", "b"};
  std::vector<float> table(5 * 5, 0.0f);
  table[0 * 5 + 1] = 6.0f;  // " " -> "ca"
  table[1 * 5 + 2] = 8.0f;  // "ca" -> "t"
  table[1 * 5 + 3] = 4.0f;  // "ca" -> "r"
  for (int i : {2, 3, 4}) table[i * 5 + 0] = 6.0f;
  TableDecoder d(5, 64, 1, table);
  GenerationConfig c = greedy(12);
  c.bad_words = {"cat"};
  auto r = generate(d, {0}, c, bytes_hooks(pieces));
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(find_bad_word(r->sequences[0].text, {"cat"}), -1) << r->sequences[0].text;
  EXPECT_NE(r->sequences[0].text.find("car"), std::string::npos) << r->sequences[0].text;
}

TEST(GenGenerate, ForceWordsAlwaysAppear) {
  const std::vector<std::vector<std::vector<int32_t>>> words{{{7, 8}, {9}}, {{3, 4, 5}}};
  GenerationConfig c;
  c.max_new_tokens = 8;
  c.do_sample = true;
  c.num_return_sequences = 4;
  c.eos_token_id = {0};
  c.force_words_ids = words;
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    c.seed = seed;
    HashDecoder d(12, 64, 5);
    auto r = generate(d, {1, 2}, c);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    for (const auto& s : r->sequences) {
      EXPECT_TRUE(force_words_met(words, s.token_ids)) << "seed " << seed;
      EXPECT_TRUE(s.force_words_met);
    }
  }
  // Greedy too; and too small a budget is an error.
  HashDecoder g(12, 64, 1);
  GenerationConfig gc = greedy(5);
  gc.force_words_ids = words;
  auto r = generate(g, {1}, gc);
  ASSERT_TRUE(r.is_ok());
  EXPECT_TRUE(force_words_met(words, r->sequences[0].token_ids));
  gc.max_new_tokens = 3;
  EXPECT_FALSE(generate(g, {1}, gc).is_ok());
}

TEST(GenGenerate, DistinctVariantsRedrawsDuplicates) {
  // A peaked model: most samples are the same sequence.
  const int v = 4;
  std::vector<float> table(v * v, 0.0f);
  for (int i = 0; i < v; ++i) table[i * v + 1] = 4.0f;
  GenerationConfig c;
  c.max_new_tokens = 4;
  c.do_sample = true;
  c.num_return_sequences = 3;
  c.seed = 3;
  c.distinct_variants = true;
  c.distinct_threshold = 0.99f;  // token bigrams: identical sequences are rejected
  c.distinct_ngram = 2;
  c.distinct_max_attempts = 50;
  TableDecoder d(v, 64, 4, table);  // room for a spare slot
  auto r = generate(d, {0}, c);
  ASSERT_TRUE(r.is_ok());
  std::set<std::vector<int32_t>> seen;
  for (const auto& s : r->sequences) {
    EXPECT_EQ(s.duplicate_of, -1);
    seen.insert(s.token_ids);
  }
  EXPECT_EQ(seen.size(), 3u);
  EXPECT_GT(r->restarts, 0);
  EXPECT_EQ(d.prefill_calls, 1);  // redraws copy the spare prompt slot
  // Without a spare slot the prompt is prefilled again per redraw.
  TableDecoder tight(v, 64, 3, table);
  auto r2 = generate(tight, {0}, c);
  ASSERT_TRUE(r2.is_ok());
  EXPECT_EQ(tight.prefill_calls, 1 + r2->restarts);
  // With the option off, the same seed gives duplicates here.
  c.distinct_variants = false;
  TableDecoder plain(v, 64, 4, table);
  auto r3 = generate(plain, {0}, c);
  ASSERT_TRUE(r3.is_ok());
  std::set<std::vector<int32_t>> seen3;
  for (const auto& s : r3->sequences) seen3.insert(s.token_ids);
  EXPECT_LT(seen3.size(), 3u);
}

TEST(GenGenerate, DistinctVariantsCapReportsDuplicates) {
  ScriptDecoder d(5, 64, 3, 1, {1, 2, 3});  // (nearly) deterministic: always the same text
  GenerationConfig c;
  c.max_new_tokens = 3;
  c.do_sample = true;
  c.num_return_sequences = 2;
  c.distinct_variants = true;
  c.distinct_max_attempts = 2;
  auto r = generate(d, {0}, c);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->restarts, 2);
  EXPECT_EQ(r->sequences[1].duplicate_of, 0);
}

TEST(GenGenerate, LogprobsAndTopAlternatives) {
  HashDecoder d(10, 64, 1);
  GenerationConfig c = greedy(5);
  c.top_logprobs = 3;
  auto r = generate(d, {1}, c);
  ASSERT_TRUE(r.is_ok());
  const auto& s = r->sequences[0];
  ASSERT_EQ(s.tokens.size(), 5u);
  for (size_t i = 0; i < 5; ++i) {
    ASSERT_EQ(s.tokens[i].top.size(), 3u);
    EXPECT_EQ(s.tokens[i].top[0].token, s.token_ids[i]);  // greedy picks the best
    EXPECT_EQ(s.tokens[i].top[0].logprob, s.tokens[i].logprob);
    EXPECT_GE(s.tokens[i].top[1].logprob, s.tokens[i].top[2].logprob);
    EXPECT_LT(s.tokens[i].logprob, 0.0f);
  }
}

TEST(GenGenerate, RepetitionPenaltyAndNoRepeatNgramApplyToGeneration) {
  // A table that loves repeating token 1.
  const int v = 4;
  std::vector<float> table(v * v, 0.0f);
  for (int i = 0; i < v; ++i) table[i * v + 1] = 3.0f;
  TableDecoder d(v, 64, 1, table);
  GenerationConfig c = greedy(6);
  auto r = generate(d, {0}, c);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->sequences[0].token_ids, (std::vector<int32_t>(6, 1)));
  c.no_repeat_ngram_size = 1;  // every token at most once
  TableDecoder d2(v, 64, 1, table);
  c.max_new_tokens = 3;
  r = generate(d2, {0}, c);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->sequences[0].token_ids, (std::vector<int32_t>{1, 2, 3}));
}

}  // namespace
}  // namespace marketlm

namespace marketlm {
namespace {

class NanDecoder : public testing::HistoryDecoder {
 public:
  using HistoryDecoder::HistoryDecoder;
  void logits_for(const std::vector<int32_t>& h, float* out) const override {
    for (int i = 0; i < vocab_size(); ++i) out[i] = h.size() > 2 ? std::nanf("") : 0.0f;
  }
};

TEST(GenGenerate, NanLogitsAreAnErrorNotACrash) {
  NanDecoder d(4, 16, 2);
  GenerationConfig c;
  c.max_new_tokens = 5;
  auto r = generate(d, {1, 2}, c);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("NaN"), std::string::npos);
  c.num_beams = 2;
  NanDecoder b(4, 16, 2);
  EXPECT_FALSE(generate(b, {1, 2}, c).is_ok());
}

}  // namespace
}  // namespace marketlm

namespace marketlm {
namespace {

TEST(GenGenerate, StopStringBeforeForceWordRedraws) {
  // Tokens: 0 "x", 1 "STOP", 2 "w" (the force word). The sampler usually says
  // "STOP" first; such sequences lack "w" and are redrawn.
  const std::vector<std::string> pieces{"x", "STOP", "w"};
  std::vector<float> table{0.0f, 1.0f, -1.0f, 0.0f, 1.0f, -1.0f, 0.0f, 1.0f, -1.0f};
  testing::TableDecoder d(3, 64, 2, table);
  GenerationConfig c;
  c.max_new_tokens = 6;
  c.do_sample = true;
  c.seed = 2;
  c.stop_strings = {"STOP"};
  c.force_words_ids = {{{2}}};
  c.distinct_max_attempts = 30;
  GenerationHooks h;
  h.token_bytes = [pieces](int32_t id) { return pieces.at(id); };
  auto r = generate(d, {0}, c, h);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  const auto& s = r->sequences[0];
  EXPECT_TRUE(s.force_words_met);
  EXPECT_NE(s.text.find('w'), std::string::npos) << s.text;
  EXPECT_EQ(s.text.find("STOP"), std::string::npos);
  EXPECT_GT(r->restarts, 0);
  EXPECT_EQ(d.prefill_calls, 1);  // the spare slot held the prompt
}

}  // namespace
}  // namespace marketlm

namespace marketlm {
namespace {

TEST(GenGenerate, StreamingWithRedrawsRestartsCleanly) {
  // Tokens are letters; a peaked table makes duplicates likely, so redraws happen.
  const std::vector<std::string> pieces{"a", "b", "c", "d"};
  const int v = 4;
  std::vector<float> table(v * v, 0.0f);
  for (int i = 0; i < v; ++i) table[i * v + 1] = 4.0f;
  testing::TableDecoder d(v, 64, 4, table);
  GenerationConfig c;
  c.max_new_tokens = 4;
  c.do_sample = true;
  c.seed = 3;
  c.num_return_sequences = 3;
  c.distinct_variants = true;
  c.distinct_threshold = 0.99f;
  c.distinct_ngram = 2;
  c.distinct_max_attempts = 50;
  GenerationHooks h;
  h.token_bytes = [pieces](int32_t id) { return pieces.at(id); };
  std::vector<std::string> streamed(3);
  int restarts = 0;
  h.on_token = [&](const StreamEvent& e) {
    if (e.restarted) {
      streamed[e.sequence].clear();
      ++restarts;
    } else {
      streamed[e.sequence] += e.text;
    }
    return true;
  };
  auto r = generate(d, {0}, c, h);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(restarts, r->restarts);
  EXPECT_GT(restarts, 0);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(streamed[i], r->sequences[i].text) << i;
}

}  // namespace
}  // namespace marketlm
