// Beam search against a brute-force search over every sequence of a tiny
// vocabulary, with a decoder whose logits depend on the whole history (so
// any beam/slot reordering mistake changes the scores).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include "generate/toy_decoders.h"
#include "marketlm/generate/constraints.h"
#include "marketlm/generate/distinct.h"
#include "marketlm/generate/generate.h"

namespace marketlm {
namespace {

using testing::HashDecoder;

struct Scored {
  std::vector<int32_t> tokens;  // without EOS
  double score;
};

// Every finished sequence: ends with EOS within max_new tokens (length
// counts the EOS) or reaches max_new tokens. score = sum logprob / len^lp.
std::vector<Scored> brute_force(const HashDecoder& d, const std::vector<int32_t>& prompt, int32_t eos,
                                int max_new, float lp) {
  std::vector<Scored> all;
  std::function<void(std::vector<int32_t>&, double)> walk = [&](std::vector<int32_t>& gen, double sum) {
    std::vector<int32_t> hist = prompt;
    hist.insert(hist.end(), gen.begin(), gen.end());
    std::vector<float> logp(d.vocab_size());
    log_softmax(d.logits_of(hist), logp);
    for (int32_t t = 0; t < d.vocab_size(); ++t) {
      const double s = sum + logp[t];
      const int len = static_cast<int>(gen.size()) + 1;
      if (t == eos) {
        all.push_back({gen, s / std::pow(len, lp)});
      } else if (len == max_new) {
        std::vector<int32_t> g = gen;
        g.push_back(t);
        all.push_back({g, s / std::pow(len, lp)});
      } else {
        gen.push_back(t);
        walk(gen, s);
        gen.pop_back();
      }
    }
  };
  std::vector<int32_t> gen;
  walk(gen, 0.0);
  std::stable_sort(all.begin(), all.end(), [](const Scored& a, const Scored& b) { return a.score > b.score; });
  return all;
}

void expect_matches_brute_force(int vocab, int max_new, float lp, int n_return) {
  const std::vector<int32_t> prompt{1, 2};
  int beams = vocab;  // wide enough to keep every live prefix: V * (V-1)^(L-1)
  for (int i = 1; i < max_new; ++i) beams *= vocab - 1;
  HashDecoder d(vocab, 64, beams);
  GenerationConfig c;
  c.max_new_tokens = max_new;
  c.num_beams = beams;
  c.num_return_sequences = n_return;
  c.eos_token_id = {0};
  c.length_penalty = lp;
  c.early_stopping = EarlyStopping::kNever;
  c.output_logprobs = true;
  auto r = generate(d, prompt, c);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  const auto want = brute_force(d, prompt, 0, max_new, lp);
  ASSERT_EQ(r->sequences.size(), static_cast<size_t>(n_return));
  for (int i = 0; i < n_return; ++i) {
    const auto& got = r->sequences[i];
    EXPECT_EQ(got.token_ids, want[i].tokens) << "rank " << i << " V=" << vocab << " lp=" << lp;
    EXPECT_NEAR(got.score, want[i].score, 1e-6) << "rank " << i;
    // Per-token logprobs add up to the unpenalised sum (EOS excluded from tokens).
    ASSERT_EQ(got.tokens.size(), got.token_ids.size());
  }
  EXPECT_EQ(d.prefill_calls, 1);
  EXPECT_GT(d.copy_calls, 0);  // beams were forked
}

TEST(GenBeamSearch, MatchesBruteForceLengthPenalty1) { expect_matches_brute_force(3, 3, 1.0f, 5); }
TEST(GenBeamSearch, MatchesBruteForceNoLengthPenalty) { expect_matches_brute_force(3, 4, 0.0f, 6); }
TEST(GenBeamSearch, MatchesBruteForceLengthPenalty2) { expect_matches_brute_force(4, 3, 2.0f, 4); }

TEST(GenBeamSearch, NarrowBeamsStillReturnValidScoredSequences) {
  // With few beams the result need not be optimal, but every returned score
  // must be the true score of its sequence, sorted best first.
  const std::vector<int32_t> prompt{3};
  HashDecoder d(6, 64, 3);
  GenerationConfig c;
  c.max_new_tokens = 6;
  c.num_beams = 3;
  c.num_return_sequences = 3;
  c.eos_token_id = {0};
  c.output_logprobs = true;
  auto r = generate(d, prompt, c);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  double prev = 1e9;
  for (const auto& s : r->sequences) {
    std::vector<int32_t> hist = prompt;
    double sum = 0;
    for (size_t i = 0; i < s.token_ids.size(); ++i) {
      std::vector<float> lp(6);
      log_softmax(d.logits_of(hist), lp);
      EXPECT_NEAR(s.tokens[i].logprob, lp[s.token_ids[i]], 1e-6);
      sum += lp[s.token_ids[i]];
      hist.push_back(s.token_ids[i]);
    }
    int len = static_cast<int>(s.token_ids.size());
    if (s.finish_reason == FinishReason::kEos) {
      std::vector<float> lp(6);
      log_softmax(d.logits_of(hist), lp);
      sum += lp[0];
      ++len;
    }
    EXPECT_NEAR(s.score, sum / len, 1e-6);
    EXPECT_LE(s.score, prev);
    prev = s.score;
  }
}

TEST(GenBeamSearch, FindsWhatGreedyMisses) {
  // From 0, greedy takes 1 (p .55) but every continuation of 1 is flat (p 1/3);
  // 2 (p .45) is followed by a near-certain 2. Two beams find [2, 2].
  std::vector<float> table{-10.0f, 1.0f, 0.8f,  //
                           0.0f,   0.0f, 0.0f,  //
                           -5.0f,  -5.0f, 5.0f};
  testing::TableDecoder g(3, 16, 2, table), b(3, 16, 2, table);
  GenerationConfig c;
  c.max_new_tokens = 2;
  auto rg = generate(g, {0}, c);
  ASSERT_TRUE(rg.is_ok());
  EXPECT_EQ(rg->sequences[0].token_ids, (std::vector<int32_t>{1, 0}));
  c.num_beams = 2;
  c.length_penalty = 0.0f;
  auto rb = generate(b, {0}, c);
  ASSERT_TRUE(rb.is_ok()) << rb.status().to_string();
  EXPECT_EQ(rb->sequences[0].token_ids, (std::vector<int32_t>{2, 2}));
}

TEST(GenBeamSearch, EarlyStoppingStopsSooner) {
  GenerationConfig c;
  c.max_new_tokens = 10;
  c.num_beams = 3;
  c.eos_token_id = {0, 1};
  int calls[3];
  const EarlyStopping modes[3] = {EarlyStopping::kTrue, EarlyStopping::kFalse, EarlyStopping::kNever};
  for (int m = 0; m < 3; ++m) {
    c.early_stopping = modes[m];
    HashDecoder d(5, 64, 3);
    auto r = generate(d, {2, 3}, c);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    calls[m] = d.decode_calls;
  }
  EXPECT_LE(calls[0], calls[1]);
  EXPECT_LE(calls[1], calls[2]);
}

TEST(GenBeamSearch, ProcessorsApplyPerBeam) {
  HashDecoder d(6, 64, 4);
  GenerationConfig c;
  c.max_new_tokens = 4;  // 4 tokens left after the bans: 1, 2, 4, 5
  c.num_beams = 4;
  c.num_return_sequences = 4;
  c.bad_words_ids = {{3}};
  c.no_repeat_ngram_size = 1;
  auto r = generate(d, {0}, c);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  for (const auto& s : r->sequences) {
    std::vector<int32_t> seen{0};
    for (int32_t t : s.token_ids) {
      EXPECT_NE(t, 3);
      EXPECT_EQ(std::count(seen.begin(), seen.end(), t), 0);
      seen.push_back(t);
    }
  }
}

TEST(GenBeamSearch, RejectsStreamingAndTooManyReturns) {
  HashDecoder d(6, 64, 4);
  GenerationConfig c;
  c.max_new_tokens = 4;
  c.num_beams = 2;
  GenerationHooks h;
  h.on_token = [](const StreamEvent&) { return true; };
  EXPECT_FALSE(generate(d, {1}, c, h).is_ok());
  c.num_return_sequences = 3;
  EXPECT_FALSE(generate(d, {1}, c).is_ok());
}

}  // namespace
}  // namespace marketlm

namespace marketlm {
namespace {

TEST(GenBeamSearch, ForceWordsAppearInEveryBeam) {
  const std::vector<std::vector<std::vector<int32_t>>> words{{{4, 5}}, {{2}}};
  HashDecoder d(7, 64, 3);
  GenerationConfig c;
  c.max_new_tokens = 5;
  c.num_beams = 3;
  c.num_return_sequences = 3;
  c.eos_token_id = {0};
  c.force_words_ids = words;
  auto r = generate(d, {1}, c);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  for (const auto& s : r->sequences) {
    std::vector<int32_t> g = s.token_ids;
    EXPECT_TRUE(s.force_words_met);
    EXPECT_NE(std::find(g.begin(), g.end(), 2), g.end());
    EXPECT_NE(std::search(g.begin(), g.end(), words[0][0].begin(), words[0][0].end()), g.end());
  }
}

TEST(GenGenerateJson, OutputSerialises) {
  GenerationOutput out;
  out.prompt_tokens = 2;
  GeneratedSequence s;
  s.text = "hi \xFF";
  s.token_ids = {1, 2};
  s.finish_reason = FinishReason::kStopString;
  s.tokens = {{1, -0.5f, {{1, -0.5f}, {3, -1.5f}}}, {2, -0.25f, {}}};
  out.sequences.push_back(s);
  const std::string j = generation_output_to_json(out);
  EXPECT_NE(j.find("\"finish_reason\":\"stop\""), std::string::npos) << j;
  EXPECT_NE(j.find("\"finish_detail\":\"stop_string\""), std::string::npos) << j;
  EXPECT_NE(j.find("\"token_ids\":[1,2]"), std::string::npos) << j;
  EXPECT_NE(j.find("\"top\":[{\"logprob\":-0.5,\"token\":1}"), std::string::npos) << j;
  EXPECT_NE(j.find("hi \xEF\xBF\xBD"), std::string::npos) << j;  // bad byte replaced, no throw
}

}  // namespace
}  // namespace marketlm

namespace marketlm {
namespace {

TEST(GenBeamSearch, StopStringsEndBeamsAndAreCut) {
  // Tokens: 0 "a", 1 "b", 2 "\n", 3 "c\n", 4 "d". Brute force over 3 new tokens where any
  // text containing "\n" ends the sequence (scored like EOS), compared with wide beams.
  const std::vector<std::string> pieces{"a", "b", "\n", "c\n", "d"};
  GenerationHooks h;
  h.token_bytes = [pieces](int32_t id) { return pieces.at(id); };
  const int v = 5, max_new = 3;
  int beams = v;
  for (int i = 1; i < max_new; ++i) beams *= v;
  HashDecoder d(v, 64, beams);
  GenerationConfig c;
  c.max_new_tokens = max_new;
  c.num_beams = beams;
  c.num_return_sequences = 6;
  c.early_stopping = EarlyStopping::kNever;
  c.stop_strings = {"\n"};
  auto r = generate(d, {0}, c, h);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  // Brute force.
  struct Item { std::string text; double score; };
  std::vector<Item> all;
  std::function<void(std::vector<int32_t>&, double)> walk = [&](std::vector<int32_t>& gen, double sum) {
    std::vector<int32_t> hist{0};
    hist.insert(hist.end(), gen.begin(), gen.end());
    std::vector<float> lp(v);
    log_softmax(d.logits_of(hist), lp);
    for (int32_t t = 0; t < v; ++t) {
      gen.push_back(t);
      std::string text;
      for (int32_t x : gen) text += pieces[x];
      const double s = sum + lp[t];
      const int len = static_cast<int>(gen.size());
      const size_t stop = text.find('\n');
      if (stop != std::string::npos) all.push_back({text.substr(0, stop), s / len});
      else if (len == max_new) all.push_back({text, s / len});
      else walk(gen, s);
      gen.pop_back();
    }
  };
  std::vector<int32_t> gen;
  walk(gen, 0.0);
  std::stable_sort(all.begin(), all.end(), [](const Item& a, const Item& b) { return a.score > b.score; });
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(r->sequences[i].text, all[i].text) << "rank " << i;
    EXPECT_NEAR(r->sequences[i].score, all[i].score, 1e-6) << "rank " << i;
    EXPECT_EQ(r->sequences[i].text.find('\n'), std::string::npos);
    if (r->sequences[i].finish_reason == FinishReason::kStopString) {
      for (int32_t t : r->sequences[i].token_ids) EXPECT_TRUE(t == 0 || t == 1 || t == 4);
    }
  }
}

TEST(GenBeamSearch, BadWordTextCheckSkipsCandidates) {
  const std::vector<std::string> pieces{"x", "ca", "t", "r", " "};
  GenerationHooks h;
  h.token_bytes = [pieces](int32_t id) { return pieces.at(id); };
  HashDecoder d(5, 64, 4);
  GenerationConfig c;
  c.max_new_tokens = 6;
  c.num_beams = 4;
  c.num_return_sequences = 4;
  c.bad_words = {"cat"};
  c.logit_bias = {{1, 3.0f}, {2, 3.0f}};  // make "ca" + "t" tempting
  auto r = generate(d, {0}, c, h);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  for (const auto& s : r->sequences) EXPECT_EQ(find_bad_word(s.text, {"cat"}), -1) << s.text;
}

}  // namespace
}  // namespace marketlm

namespace marketlm {
namespace {

TEST(GenBeamSearch, BeamSamplingIsSeededAndColdLimitIsBeamSearch) {
  GenerationConfig c;
  c.max_new_tokens = 6;
  c.num_beams = 3;
  c.num_return_sequences = 3;
  c.eos_token_id = {0};
  c.do_sample = true;
  c.top_k = 0;
  c.seed = 4;
  HashDecoder a(8, 64, 3), b(8, 64, 3);
  auto ra = generate(a, {2}, c);
  auto rb = generate(b, {2}, c);
  ASSERT_TRUE(ra.is_ok() && rb.is_ok()) << ra.status().to_string();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(ra->sequences[i].token_ids, rb->sequences[i].token_ids);
  // Different seeds explore differently.
  bool differs = false;
  for (uint64_t seed = 5; seed < 10 && !differs; ++seed) {
    c.seed = seed;
    HashDecoder e(8, 64, 3);
    auto re = generate(e, {2}, c);
    ASSERT_TRUE(re.is_ok());
    for (int i = 0; i < 3; ++i) differs = differs || re->sequences[i].token_ids != ra->sequences[i].token_ids;
  }
  EXPECT_TRUE(differs);
  // At a tiny temperature the draws follow the scores: same sequences as beam search.
  c.temperature = 0.001f;
  HashDecoder cold(8, 64, 3), det(8, 64, 3);
  auto rc = generate(cold, {2}, c);
  GenerationConfig dc = c;
  dc.do_sample = false;
  auto rd = generate(det, {2}, dc);
  ASSERT_TRUE(rc.is_ok() && rd.is_ok());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(rc->sequences[i].token_ids, rd->sequences[i].token_ids) << i;
}

}  // namespace
}  // namespace marketlm

namespace marketlm {
namespace {

TEST(GenBeamSearch, DistinctVariantsSkipNearDuplicateHypotheses) {
  GenerationConfig c;
  c.max_new_tokens = 4;
  c.num_beams = 8;
  c.num_return_sequences = 3;
  c.distinct_variants = true;
  c.distinct_ngram = 1;          // token sets
  c.distinct_threshold = 0.5f;
  HashDecoder plain_d(4, 64, 8), dist_d(4, 64, 8);
  GenerationConfig off = c;
  off.distinct_variants = false;
  auto plain = generate(plain_d, {1}, off);
  auto r = generate(dist_d, {1}, c);
  ASSERT_TRUE(plain.is_ok() && r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->sequences[0].token_ids, plain->sequences[0].token_ids);  // the best always stays
  bool plain_has_dup = false;  // without the option, near-duplicates come back
  for (size_t i = 0; i < plain->sequences.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      plain_has_dup = plain_has_dup || token_ngram_jaccard(plain->sequences[i].token_ids,
                                                           plain->sequences[j].token_ids, 1) > 0.5;
  EXPECT_TRUE(plain_has_dup);
  for (size_t i = 0; i < r->sequences.size(); ++i) {
    const auto& a = r->sequences[i];
    if (a.duplicate_of >= 0) {
      EXPECT_LT(a.duplicate_of, static_cast<int>(i));
      continue;
    }
    for (size_t j = 0; j < i; ++j)
      EXPECT_LE(token_ngram_jaccard(a.token_ids, r->sequences[j].token_ids, 1), 0.5) << i << " vs " << j;
  }
}

}  // namespace
}  // namespace marketlm
