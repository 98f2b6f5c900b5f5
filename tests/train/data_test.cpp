#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "marketlm/core/file_io.h"
#include "marketlm/train/dataset.h"
#include "marketlm/train/packing.h"
#include "marketlm/train/token_cache.h"
#include "train/train_fixture.h"

namespace marketlm {
namespace {

using testing::TempDir;

void write(const std::string& path, const std::string& text) { ASSERT_TRUE(write_file_atomic(path, text).is_ok()); }

bool has(const Status& s, const std::string& what) { return s.message().find(what) != std::string::npos; }

TEST(DataFile, ReadsTextAndJsonlKinds) {
  TempDir d("data_read");
  write(d.file("a.txt"), "hello world\n");
  write(d.file("b.jsonl"), "{\"text\": \"doc one\"}\n\n{\"prompt\": \"Brief: mug\", \"completion\": \" A great mug.\"}\r\n");
  auto a = read_data_file(d.file("a.txt"));
  ASSERT_TRUE(a.is_ok());
  ASSERT_EQ(a->size(), 1u);
  EXPECT_EQ((*a)[0].text, "hello world\n");
  auto b = read_data_file(d.file("b.jsonl"));
  ASSERT_TRUE(b.is_ok()) << b.status().to_string();
  ASSERT_EQ(b->size(), 2u);
  EXPECT_FALSE((*b)[0].is_pair);
  EXPECT_TRUE((*b)[1].is_pair);
  EXPECT_EQ((*b)[1].prompt, "Brief: mug");
  EXPECT_EQ((*b)[1].completion, " A great mug.");
}

TEST(DataFile, JsonlErrorsNameFileAndLine) {
  TempDir d("data_err");
  struct Case {
    std::string text, expect;
  } cases[] = {
      {"{\"text\": \"ok\"}\n{\"text\": \"ok\"}\n{not json}\n", ":3: not valid JSON"},
      {"{\"text\": \"ok\"}\n{\"prompt\": \"p\"}\n", ":2: field \"completion\" is missing"},
      {"{\"title\": \"x\"}\n", ":1: no \"text\""},
      {"[1, 2]\n", ":1: not a JSON object"},
      {"{\"text\": 5}\n", ":1: field \"text\" is not a string"},
  };
  for (const auto& c : cases) {
    write(d.file("bad.jsonl"), c.text);
    auto r = read_data_file(d.file("bad.jsonl"));
    ASSERT_FALSE(r.is_ok()) << c.text;
    EXPECT_TRUE(has(r.status(), d.file("bad.jsonl") + c.expect)) << r.status().message();
  }
}

TEST(DataFile, CustomJsonlKeysReadOtherLayouts) {
  TempDir d("data_keys");
  write(d.file("adgen.json"), "{\"content\": \"type#coat\", \"summary\": \"A warm coat.\"}\n");
  JsonlFields f;
  f.prompt = "content";
  f.completion = "summary";
  auto r = read_data_file(d.file("adgen.json"), f);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_TRUE((*r)[0].is_pair);
  EXPECT_EQ((*r)[0].prompt, "type#coat");
  EXPECT_EQ((*r)[0].completion, "A warm coat.");
  auto plain = read_data_file(d.file("adgen.json"));  // default keys: told what was expected
  ASSERT_FALSE(plain.is_ok());
  EXPECT_TRUE(has(plain.status(), "adgen.json:1: no \"text\" or \"prompt\"/\"completion\" field"))
      << plain.status().message();
  auto fp1 = data_files_fingerprint({d.file("adgen.json")}), fp2 = data_files_fingerprint({d.file("adgen.json")}, f);
  EXPECT_NE(*fp1, *fp2);  // other keys, other cache
}

TEST(DataFile, EmptyOrMissingFileIsNamed) {
  TempDir d("data_empty");
  write(d.file("empty.txt"), "  \n\n");
  auto e = read_data_file(d.file("empty.txt"));
  ASSERT_FALSE(e.is_ok());
  EXPECT_TRUE(has(e.status(), "empty.txt' is empty"));
  auto m = read_data_file(d.file("missing.jsonl"));
  ASSERT_FALSE(m.is_ok());
  EXPECT_EQ(m.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(has(m.status(), "missing.jsonl"));
}

TEST(Tokenize, PairsMaskPromptTokens) {
  TempDir d("tok");
  write(d.file("p.jsonl"), "{\"prompt\": \"ab\", \"completion\": \"cd\"}\n{\"text\": \"xyz\"}\n");
  auto c = tokenize_data_files({d.file("p.jsonl")}, byte_level_encoder(), Logger());
  ASSERT_TRUE(c.is_ok());
  EXPECT_EQ(c->tokens, (std::vector<int32_t>{'a', 'b', 'c', 'd', 'x', 'y', 'z'}));
  EXPECT_EQ(c->mask, (std::vector<uint8_t>{0, 0, 1, 1, 1, 1, 1}));
  EXPECT_EQ(c->doc_offsets, (std::vector<uint64_t>{0, 4, 7}));
  EXPECT_EQ(c->doc_is_pair, (std::vector<uint8_t>{1, 0}));
}

TEST(TokenCache, RoundTripsAndRefusesOtherVocabTruncationAndCorruption) {
  TempDir d("cache");
  write(d.file("p.jsonl"), "{\"prompt\": \"ab\", \"completion\": \"cd\"}\n{\"text\": \"xyz\"}\n");
  TextEncoder enc = byte_level_encoder();
  auto c = tokenize_data_files({d.file("p.jsonl")}, enc, Logger());
  ASSERT_TRUE(c.is_ok());
  const std::string path = d.file("cache.bin");
  ASSERT_TRUE(write_token_cache(path, *c).is_ok());
  auto back = read_token_cache(path, enc.vocab_size, enc.vocab_hash);
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(back->tokens, c->tokens);
  EXPECT_EQ(back->mask, c->mask);
  EXPECT_EQ(back->doc_offsets, c->doc_offsets);
  EXPECT_EQ(back->doc_is_pair, c->doc_is_pair);
  EXPECT_EQ(back->source_fingerprint, c->source_fingerprint);

  auto other = read_token_cache(path, enc.vocab_size, enc.vocab_hash ^ 1);
  ASSERT_FALSE(other.is_ok());
  EXPECT_TRUE(has(other.status(), "another vocabulary")) << other.status().message();
  EXPECT_TRUE(has(other.status(), "delete"));

  std::string bytes = *read_file(path);
  write(path, bytes.substr(0, bytes.size() - 3));
  auto cut = read_token_cache(path, enc.vocab_size, enc.vocab_hash);
  ASSERT_FALSE(cut.is_ok());
  EXPECT_TRUE(has(cut.status(), "truncated")) << cut.status().message();

  bytes[bytes.size() - 10] ^= 0x40;
  write(path, bytes);
  auto bad = read_token_cache(path, enc.vocab_size, enc.vocab_hash);
  ASSERT_FALSE(bad.is_ok());
  EXPECT_TRUE(has(bad.status(), "corrupt")) << bad.status().message();

  write(path, "hello, not a cache at all, just some text to fill sixty-four bytes or more....");
  auto junk = read_token_cache(path, enc.vocab_size, enc.vocab_hash);
  ASSERT_FALSE(junk.is_ok());
  EXPECT_TRUE(has(junk.status(), "not a marketlm token cache"));
}

TEST(TokenCache, BuiltOnceThenReused) {
  TempDir d("cache_reuse");
  write(d.file("a.txt"), "some text for the cache");
  TextEncoder enc = byte_level_encoder();
  int calls = 0;
  TextEncoder counting = enc;
  counting.encode = [&](std::string_view s) {
    ++calls;
    return enc.encode(s);
  };
  auto c1 = load_or_build_token_cache({d.file("a.txt")}, d.file("run/cache.bin"), counting, Logger());
  ASSERT_TRUE(c1.is_ok()) << c1.status().to_string();
  EXPECT_EQ(calls, 1);
  auto c2 = load_or_build_token_cache({d.file("a.txt")}, d.file("run/cache.bin"), counting, Logger());
  ASSERT_TRUE(c2.is_ok());
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(c1->tokens, c2->tokens);
  TextEncoder other = enc;
  other.vocab_hash ^= 0xff;
  auto c3 = load_or_build_token_cache({d.file("a.txt")}, d.file("run/cache.bin"), other, Logger());
  ASSERT_FALSE(c3.is_ok());
  EXPECT_TRUE(has(c3.status(), "another vocabulary"));
}

TokenizedCorpus corpus_of(std::initializer_list<std::pair<std::vector<int32_t>, std::vector<uint8_t>>> docs,
                          std::vector<uint8_t> is_pair) {
  TokenizedCorpus c;
  c.vocab_size = 100;
  for (const auto& [t, m] : docs) {
    c.tokens.insert(c.tokens.end(), t.begin(), t.end());
    c.mask.insert(c.mask.end(), m.begin(), m.end());
    c.doc_offsets.push_back(c.tokens.size());
  }
  c.doc_is_pair = std::move(is_pair);
  return c;
}

TEST(Packing, TextDocumentsJoinWithEotInOverlappingWindows) {
  const int32_t E = 99;
  auto c = corpus_of({{{1, 2, 3}, {1, 1, 1}}, {{4, 5}, {1, 1}}}, {0, 0});
  auto p = pack_sequences(c, 3, E, true);  // stream 1 2 3 E 4 5 E (7 tokens), windows of 4, stride 3
  ASSERT_EQ(p.count(), 2u);
  EXPECT_EQ(p.tokens, (std::vector<int32_t>{1, 2, 3, E, E, 4, 5, E}));
  EXPECT_EQ(p.mask, (std::vector<uint8_t>{1, 1, 1, 1, 1, 1, 1, 1}));
  int32_t in[3], tg[3];
  p.fill(1, in, tg);
  EXPECT_EQ(std::vector<int32_t>(in, in + 3), (std::vector<int32_t>{E, 4, 5}));
  EXPECT_EQ(std::vector<int32_t>(tg, tg + 3), (std::vector<int32_t>{4, 5, E}));
  auto q = pack_sequences(c, 5, E, true);  // 7 tokens: window 0..5, then 5..7 padded
  ASSERT_EQ(q.count(), 2u);
  EXPECT_EQ(std::vector<uint8_t>(q.mask.begin() + 6, q.mask.end()), (std::vector<uint8_t>{1, 1, 0, 0, 0, 0}));
}

TEST(Packing, PairsTargetOnlyCompletionAndPackOrPad) {
  const int32_t E = 99;
  // pair 1: prompt 10 11, completion 12; pair 2: prompt 20, completion 21 22
  auto c = corpus_of({{{10, 11, 12}, {0, 0, 1}}, {{20, 21, 22}, {0, 1, 1}}}, {1, 1});
  auto packed = pack_sequences(c, 7, E, true);  // W = 8: [10 11 12 E 20 21 22 E]
  ASSERT_EQ(packed.count(), 1u);
  int32_t in[7], tg[7];
  packed.fill(0, in, tg);
  EXPECT_EQ(std::vector<int32_t>(tg, tg + 7), (std::vector<int32_t>{-1, 12, E, -1, 21, 22, E}));
  auto padded = pack_sequences(c, 7, E, false);  // one pair per window
  ASSERT_EQ(padded.count(), 2u);
  padded.fill(0, in, tg);
  EXPECT_EQ(std::vector<int32_t>(tg, tg + 7), (std::vector<int32_t>{-1, 12, E, -1, -1, -1, -1}));
}

TEST(Packing, LongPairLosesPromptStartFirst) {
  const int32_t E = 99;
  auto c = corpus_of({{{1, 2, 3, 4, 5, 6, 7}, {0, 0, 0, 0, 0, 1, 1}}}, {1});
  auto p = pack_sequences(c, 4, E, true);  // W = 5: keep prompt 4 5 and completion 6 7 E
  ASSERT_EQ(p.count(), 1u);
  EXPECT_EQ(p.tokens, (std::vector<int32_t>{4, 5, 6, 7, E}));
  EXPECT_EQ(p.mask, (std::vector<uint8_t>{0, 0, 1, 1, 1}));
  EXPECT_EQ(p.truncated_pairs, 1u);
}

TEST(Split, DeterministicDisjointAndSized) {
  auto a = split_train_val(100, 0.1, 5), b = split_train_val(100, 0.1, 5), c = split_train_val(100, 0.1, 6);
  EXPECT_EQ(a.val.size(), 10u);
  EXPECT_EQ(a.train.size(), 90u);
  EXPECT_EQ(a.val, b.val);
  EXPECT_NE(a.val, c.val);
  std::vector<uint32_t> all = a.train;
  all.insert(all.end(), a.val.begin(), a.val.end());
  std::sort(all.begin(), all.end());
  for (uint32_t i = 0; i < 100; ++i) ASSERT_EQ(all[i], i);
  EXPECT_EQ(split_train_val(3, 0.01, 1).val.size(), 1u);  // at least one
  EXPECT_EQ(split_train_val(1, 0.5, 1).val.size(), 0u);   // never the only window
}

TEST(BatchSampler, EachEpochVisitsEveryWindowOnceAndPositionRestores) {
  TokenizedCorpus c;
  c.vocab_size = 100;
  for (int i = 0; i < 20; ++i) {
    c.tokens.push_back(i);
    c.mask.push_back(1);
  }
  c.doc_offsets = {0, 20};
  c.doc_is_pair = {0};
  auto p = pack_sequences(c, 1, 99, true);  // windows (i, i+1): input i
  std::vector<uint32_t> idx;
  for (uint32_t i = 0; i < p.count(); ++i) idx.push_back(i);
  BatchSampler s(&p, idx, 77);
  std::vector<int32_t> in(p.count()), tg(p.count());
  s.next_batch(static_cast<int>(p.count()), in.data(), tg.data());
  std::vector<int32_t> sorted = in;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size(); ++i) EXPECT_EQ(sorted[i], static_cast<int32_t>(i));
  int32_t a[3], at[3], b[3], bt[3];
  s.next_batch(2, a, at);  // into epoch 1
  const uint64_t e = s.epoch(), i = s.index();
  s.next_batch(3, a, at);
  BatchSampler r(&p, idx, 77);
  r.set_position(e, i);
  r.next_batch(3, b, bt);
  EXPECT_EQ(std::vector<int32_t>(a, a + 3), std::vector<int32_t>(b, b + 3));
}

}  // namespace
}  // namespace marketlm
