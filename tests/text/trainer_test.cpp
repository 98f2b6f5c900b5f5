// BPE trainer: hand-checkable merges, tie rule, min_frequency, determinism,
// special tokens, and the trained tokenizer's save/load round trip.
#include <gtest/gtest.h>

#include <filesystem>

#include "marketlm/core/rng.h"
#include "marketlm/core/thread_pool.h"
#include "marketlm/text/bpe_trainer.h"

namespace marketlm {
namespace {

Tokenizer train(const std::string& text, BpeTrainerConfig cfg, ThreadPool* pool = nullptr) {
  BpeTrainer trainer(std::move(cfg));
  trainer.feed(text, pool);
  Context ctx;
  ctx.pool = pool;
  auto tok = trainer.train(ctx);
  EXPECT_TRUE(tok.is_ok()) << tok.status().to_string();
  return tok.is_ok() ? std::move(tok).value() : Tokenizer();
}

std::vector<std::string> merges_of(const Tokenizer& tok) {
  std::string txt = tok.to_merges_txt();
  std::vector<std::string> out;
  size_t pos = txt.find('\n') + 1;  // skip "#version"
  while (pos < txt.size()) {
    size_t eol = txt.find('\n', pos);
    out.push_back(txt.substr(pos, eol - pos));
    pos = eol + 1;
  }
  return out;
}

TEST(TextTrainer, HandCheckableMerges) {
  // Words: "ab" x1, " ab" x2, " abc" x1. Pair counts: (a,b) 4, (Ġ,a) 3, (b,c) 1.
  // Merge 1: a+b. Then (Ġ,ab) 3, (ab,c) 1. Merge 2: Ġ+ab. Then only (Ġab,c) 1,
  // below min_frequency 2: training stops with 2 merges.
  BpeTrainerConfig cfg;
  cfg.special_tokens = {};
  cfg.vocab_size = 1000;
  cfg.min_frequency = 2;
  Tokenizer tok = train("ab ab ab abc", cfg);
  EXPECT_EQ(merges_of(tok), (std::vector<std::string>{"a b", "Ġ ab"}));
  EXPECT_EQ(tok.vocab_size(), 256 + 2);
  EXPECT_EQ(tok.token_to_id("ab"), 256);
  EXPECT_EQ(tok.token_to_id("Ġab"), 257);
  EXPECT_EQ(tok.token_to_id("!"), 0);  // alphabet in GPT-2's byte-to-unicode order
  EXPECT_EQ(tok.encode("ab abc"), (std::vector<int32_t>{256, 257, 'c' - '!'}));

  cfg.min_frequency = 1;
  EXPECT_EQ(merges_of(train("ab ab ab abc", cfg)), (std::vector<std::string>{"a b", "Ġ ab", "Ġab c"}));
  cfg.vocab_size = 257;  // room for exactly one merge
  EXPECT_EQ(merges_of(train("ab ab ab abc", cfg)), (std::vector<std::string>{"a b"}));
}

TEST(TextTrainer, TiesGoToSmallerPairIds) {
  // (b,a), (Ġ,d), (d,c) all occur once: ids b=65 a=64 d=67 c=66 Ġ=220, so the
  // order is (b,a) < (d,c) < (Ġ,d); after d+c the pair (Ġ,d) is gone.
  BpeTrainerConfig cfg;
  cfg.special_tokens = {};
  cfg.vocab_size = 1000;
  cfg.min_frequency = 1;
  EXPECT_EQ(merges_of(train("ba dc", cfg)), (std::vector<std::string>{"b a", "d c", "Ġ dc"}));
}

TEST(TextTrainer, OverlappingPairs) {
  // "aaaa": (a,a) counted 3 times; merging left to right gives [aa, aa].
  BpeTrainerConfig cfg;
  cfg.special_tokens = {};
  cfg.vocab_size = 1000;
  cfg.min_frequency = 1;
  Tokenizer tok = train("aaaa", cfg);
  EXPECT_EQ(merges_of(tok), (std::vector<std::string>{"a a", "aa aa"}));
  EXPECT_EQ(tok.encode("aaaa"), (std::vector<int32_t>{257}));
  EXPECT_EQ(tok.encode("aaaaa"), (std::vector<int32_t>{257, 'a' - '!'}));
}

std::string sample_corpus() {
  Rng rng(99);
  const char* words[] = {" the", " brief", " copy", " campaign", " 外卖", "很好吃", "送餐", "，", "。", " 2026",
                         "'s", "\n", " 😀", " café", " sale", " sale!", " new"};
  std::string s;
  while (s.size() < 60000) s += words[rng.next_u64() % std::size(words)];
  return s;
}

TEST(TextTrainer, DeterministicAndThreadIndependent) {
  BpeTrainerConfig cfg;
  cfg.vocab_size = 400;
  std::string corpus = sample_corpus();
  Tokenizer a = train(corpus, cfg);
  Tokenizer b = train(corpus, cfg);
  ThreadPool pool(2);
  std::string big;
  for (int i = 0; i < 40; ++i) big += corpus;  // > 2 MB so feed() splits it over the pool
  Tokenizer c = train(big, cfg, &pool);
  Tokenizer d = train(big, cfg, nullptr);
  EXPECT_EQ(a.to_tokenizer_json(), b.to_tokenizer_json());
  EXPECT_EQ(c.to_tokenizer_json(), d.to_tokenizer_json());
  // Counts scale by 40, so the ranking is the same; with min_frequency 2 the
  // small corpus stops earlier (pairs seen once), the big one goes on.
  auto ma = merges_of(a), mc = merges_of(c);
  ASSERT_LE(ma.size(), mc.size());
  EXPECT_TRUE(std::equal(ma.begin(), ma.end(), mc.begin()));
  EXPECT_GT(a.vocab_size(), 300);
  EXPECT_GE(c.vocab_size(), a.vocab_size());
  EXPECT_LE(c.vocab_size(), 400);
}

TEST(TextTrainer, SpecialTokensAndRoundTrip) {
  BpeTrainerConfig cfg;
  cfg.vocab_size = 500;
  std::string corpus = sample_corpus();
  Tokenizer tok = train("<|brief|>" + corpus + "<|endoftext|>", cfg);
  auto specials = default_special_tokens();
  for (size_t i = 0; i < specials.size(); ++i) {
    EXPECT_EQ(tok.token_to_id(specials[i]), static_cast<int32_t>(i));
    EXPECT_TRUE(tok.is_special(static_cast<int32_t>(i)));
  }
  // No merge learned from inside a special token's text.
  for (const std::string& m : merges_of(tok)) EXPECT_EQ(m.find("<|"), std::string::npos) << m;
  EXPECT_EQ(tok.decode(tok.encode(corpus)), corpus);
  EXPECT_LT(tok.encode(corpus).size(), corpus.size() / 3);
  std::string text = "<|brief|> new sale<|copy|>外卖很好吃<|endoftext|>";
  auto ids = tok.encode(text, true);
  EXPECT_EQ(ids.front(), 2);
  EXPECT_EQ(ids.back(), 0);
  EXPECT_EQ(tok.decode(ids, true), " new sale外卖很好吃");

  std::string dir = std::string(MARKETLM_BINARY_DIR) + "/text_trainer_save";
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(tok.save_pretrained(dir).is_ok());
  auto loaded = Tokenizer::from_pretrained(dir);
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  EXPECT_EQ(loaded->encode(text, true), ids);
  EXPECT_EQ(loaded->pre_tokenizer().cjk_chunk, 16);
  auto vm = Tokenizer::from_vocab_merges(dir + "/vocab.json", dir + "/merges.txt");
  ASSERT_TRUE(vm.is_ok()) << vm.status().to_string();
  // vocab.json + merges.txt cannot carry the CJK split (tokenizer.json does).
  EXPECT_EQ(vm->pre_tokenizer().cjk_chunk, 0);
  EXPECT_EQ(vm->vocab_size(), tok.vocab_size());
  EXPECT_EQ(vm->encode("new sale's"), tok.encode("new sale's"));
  EXPECT_EQ(vm->decode(vm->encode(corpus)), corpus);
}

TEST(TextTrainer, RejectsBadConfig) {
  BpeTrainerConfig cfg;
  cfg.vocab_size = 100;
  BpeTrainer t(cfg);
  auto r = t.train(Context{});
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("vocab_size 100"), std::string::npos);
  cfg.vocab_size = 1000;
  cfg.min_frequency = 0;
  EXPECT_FALSE(BpeTrainer(cfg).validate().is_ok());
  cfg.min_frequency = 1;
  cfg.special_tokens = {"<a>", "<a>"};
  EXPECT_FALSE(BpeTrainer(cfg).validate().is_ok());
}

}  // namespace
}  // namespace marketlm
