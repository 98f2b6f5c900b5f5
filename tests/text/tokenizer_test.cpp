// Unit tests: pre-tokenizer, round-trip on random bytes, special tokens,
// parallel encode, HF tokenizer.json round-trip.
#include <gtest/gtest.h>

#include <filesystem>

#include "marketlm/core/file_io.h"
#include "marketlm/core/rng.h"
#include "marketlm/core/thread_pool.h"
#include "marketlm/text/tokenizer.h"
#include "marketlm/text/byte_level.h"
#include <nlohmann/json.hpp>

namespace marketlm {
namespace {

const std::string kGpt2Dir = MARKETLM_SOURCE_DIR "/third_party/gpt2";

const Tokenizer& gpt2() {
  static const Tokenizer tok = [] {
    auto t = Tokenizer::from_pretrained(kGpt2Dir);
    EXPECT_TRUE(t.is_ok()) << t.status().to_string() << " (run scripts/setup.sh)";
    return t.is_ok() ? std::move(t).value() : Tokenizer();
  }();
  return tok;
}

std::vector<std::string> pieces(std::string_view text, PreTokenizerConfig cfg = {}) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t end : pre_token_ends(text, cfg)) {
    out.emplace_back(text.substr(start, end - start));
    start = end;
  }
  return out;
}

using V = std::vector<std::string>;

TEST(TextPreTokenizer, FollowsGpt2Regex) {
  EXPECT_EQ(pieces("Hello world"), (V{"Hello", " world"}));
  EXPECT_EQ(pieces("I'm don't they'll we've"), (V{"I", "'m", " don", "'t", " they", "'ll", " we", "'ve"}));
  EXPECT_EQ(pieces("'S 's"), (V{"'", "S", " '", "s"}));  // contractions are lower case only
  EXPECT_EQ(pieces("abc123 45"), (V{"abc", "123", " 45"}));
  EXPECT_EQ(pieces("a   b"), (V{"a", "  ", " b"}));     // \s+(?!\S) leaves one space for " b"
  EXPECT_EQ(pieces("a\n\nb"), (V{"a", "\n", "\n", "b"}));
  EXPECT_EQ(pieces("a  "), (V{"a", "  "}));
  EXPECT_EQ(pieces("x \t\ny"), (V{"x", " \t", "\n", "y"}));
  EXPECT_EQ(pieces("!!? ...x"), (V{"!!?", " ...", "x"}));
  EXPECT_EQ(pieces(""), V{});
  EXPECT_EQ(pieces("你好，世界"), (V{"你好", "，", "世界"}));
  EXPECT_EQ(pieces(" 😀😀 x"), (V{" 😀😀", " x"}));
  EXPECT_EQ(pieces("\xff\xfe" "ab"), (V{"\xff\xfe", "ab"}));  // invalid bytes: neither letter, number nor space
}

TEST(TextPreTokenizer, CjkChunking) {
  PreTokenizerConfig cfg;
  cfg.cjk_chunk = 2;
  EXPECT_EQ(pieces("送餐速度快 ok", cfg), (V{"送餐", "速度", "快", " ok"}));
  EXPECT_EQ(pieces("a 好 b", cfg), (V{"a", " ", "好", " b"}));  // a space before Han stays alone
  EXPECT_EQ(pieces("はい中文", cfg), (V{"はい", "中文"}));      // kana are not Han
}

TEST(TextPreTokenizer, SafeCutsDoNotChangePieces) {
  Rng rng(7);
  const char* parts[] = {"word", " ", "\n", "\n\n", "  ", "'s", "42", "!", "中文", "😀", "\t", "x"};
  for (int trial = 0; trial < 200; ++trial) {
    std::string s;
    int n = 5 + static_cast<int>(rng.next_u64() % 60);
    for (int i = 0; i < n; ++i) s += parts[rng.next_u64() % std::size(parts)];
    size_t cut = find_safe_cut(s, 1, s.size());
    if (cut == std::string_view::npos) continue;
    V whole = pieces(s);
    V left = pieces(std::string_view(s).substr(0, cut)), right = pieces(std::string_view(s).substr(cut));
    left.insert(left.end(), right.begin(), right.end());
    EXPECT_EQ(left, whole) << "cut " << cut << " in '" << s << "'";
  }
}

TEST(TextTokenizer, Gpt2KnownIds) {
  const Tokenizer& tok = gpt2();
  EXPECT_EQ(tok.vocab_size(), 50257);
  EXPECT_EQ(tok.encode("Hello world"), (std::vector<int32_t>{15496, 995}));
  EXPECT_EQ(tok.token_to_id("<|endoftext|>"), 50256);
  EXPECT_EQ(tok.token_to_id("Ġthe"), 262);
  EXPECT_EQ(tok.token_to_id(" the"), 262);  // raw bytes work too
  EXPECT_FALSE(tok.token_to_id("no such token at all").has_value());
  EXPECT_TRUE(tok.encode("").empty());
}

TEST(TextTokenizer, RoundTripsRandomBytes) {
  const Tokenizer& tok = gpt2();
  Rng rng(12345);
  const std::string utf8_bits[] = {"a", " ", "\n", "é", "中", "😀", "\xed\xa0\x80", "\xc0\xaf", "\xf4\x90\x80\x80",
                                   "\xe4\xb8", "\x80", "'s", "<|endoftext|>"};
  for (int trial = 0; trial < 2000; ++trial) {
    std::string s;
    int n = static_cast<int>(rng.next_u64() % 100);
    for (int i = 0; i < n; ++i) {
      if (rng.next_u64() % 2) {
        s.push_back(static_cast<char>(rng.next_u64() & 0xff));  // any byte, often invalid UTF-8
      } else {
        s += utf8_bits[rng.next_u64() % std::size(utf8_bits)];
      }
    }
    auto ids = tok.encode(s);
    ASSERT_EQ(tok.decode(ids), s) << "trial " << trial;
    ASSERT_EQ(tok.decode(tok.encode(s, true)), s) << "trial " << trial;
  }
  // A long run of one byte takes the long-piece merge path.
  std::string long_run(5000, 'z');
  long_run += std::string(3000, '\xe4');
  EXPECT_EQ(tok.decode(tok.encode(long_run)), long_run);
}

TEST(TextTokenizer, SpecialTokenPolicies) {
  const Tokenizer& tok = gpt2();
  const std::string text = "a<|endoftext|>b";
  auto as_text = tok.encode(text, false);
  auto allowed = tok.encode(text, true);
  EXPECT_EQ(std::count(as_text.begin(), as_text.end(), 50256), 0);
  EXPECT_EQ(allowed, (std::vector<int32_t>{64, 50256, 65}));
  EXPECT_EQ(tok.decode(allowed), text);
  EXPECT_EQ(tok.decode(allowed, /*skip_special_tokens=*/true), "ab");
  EXPECT_EQ(tok.decode(as_text, true), text);  // plain-text ids are not special
  auto disallowed = tok.encode_checked(text, SpecialPolicy::kDisallow);
  ASSERT_FALSE(disallowed.is_ok());
  EXPECT_NE(disallowed.status().message().find("<|endoftext|>"), std::string::npos);
  EXPECT_NE(disallowed.status().message().find("offset 1"), std::string::npos);
  EXPECT_EQ(*tok.encode_checked("plain", SpecialPolicy::kDisallow), tok.encode("plain"));
  EXPECT_EQ(*tok.encode_checked(text, SpecialPolicy::kAllow), allowed);
  EXPECT_TRUE(tok.is_special(50256));
  EXPECT_FALSE(tok.is_special(64));
}

TEST(TextTokenizer, ParallelEncodeEqualsSerial) {
  const Tokenizer& tok = gpt2();
  std::string text;
  Rng rng(3);
  const char* words[] = {"The", " quick", " brown", "\n", "\n\n", " 外卖很好吃", "，", " 42", "!", "<|endoftext|>", "  "};
  while (text.size() < 600000) text += words[rng.next_u64() % std::size(words)];
  ThreadPool pool(2);
  for (bool allow : {false, true}) {
    EXPECT_EQ(tok.encode_parallel(text, &pool, allow), tok.encode(text, allow));
  }
  std::string no_newlines(400000, 'a');
  for (size_t i = 0; i < no_newlines.size(); i += 7) no_newlines[i] = ' ';
  EXPECT_EQ(tok.encode_parallel(no_newlines, &pool), tok.encode(no_newlines));
}

// encode_parallel cuts the text into one group of about equal estimated cost
// per thread; wherever the cuts fall, the ids must be those of encode().
TEST(TextTokenizer, ParallelEncodeSameForAnyThreadCount) {
  const Tokenizer& tok = gpt2();
  Rng rng(11);
  const char* words[] = {"The", " quick", " brown", "\n", " 外卖很好吃", "，", " 42", "!", "<|endoftext|>", "  ", "'s"};
  std::string mixed;
  while (mixed.size() < 400000) mixed += words[rng.next_u64() % std::size(words)];
  std::string halves;  // English first, Chinese (three times the cost per byte) after
  while (halves.size() < 200000) halves += "It is a truth universally acknowledged.\n";
  while (halves.size() < 400000) halves += "这个手机的屏幕很清楚，电池也很耐用。\n";
  std::string specials;  // many added-token items, so cuts land near them
  while (specials.size() < 300000) specials += "<|endoftext|>ab c\n" + std::to_string(rng.next_u64() % 1000);
  std::string no_cut;  // no safe cut anywhere: one group gets everything
  while (no_cut.size() < 300000) no_cut += "好";
  for (int threads : {2, 3, 4, 7}) {
    ThreadPool pool(threads);
    for (const std::string* text : {&mixed, &halves, &specials, &no_cut}) {
      for (bool allow : {false, true}) {
        EXPECT_EQ(tok.encode_parallel(*text, &pool, allow), tok.encode(*text, allow))
            << threads << " threads, text of " << text->size() << " bytes, allow_special " << allow;
      }
    }
  }
  ThreadPool one(1);
  EXPECT_EQ(tok.encode_parallel(mixed, &one), tok.encode(mixed));
  EXPECT_EQ(tok.encode_parallel(mixed, nullptr), tok.encode(mixed));
}

// Vocabularies above 65,535 ids use the merge table's 16-byte slots.
TEST(TextTokenizer, LargeVocabularyUsesWideMergeTable) {
  std::vector<std::string> vocab;
  for (int b = 0; b < 256; ++b) vocab.push_back(text::byte_to_symbol(static_cast<uint8_t>(b)));
  while (vocab.size() < 70000) {
    std::string filler = "x";
    filler += std::to_string(vocab.size());
    vocab.push_back(filler);
  }
  vocab.push_back("ab");   // 70000
  vocab.push_back("abc");  // 70001
  vocab.push_back("Ġabc");  // 70002
  auto tok = Tokenizer::from_parts(vocab, {{"a", "b"}, {"ab", "c"}, {"Ġ", "abc"}}, {}, {}, "wide");
  ASSERT_TRUE(tok.is_ok()) << tok.status().to_string();
  EXPECT_EQ(tok->encode("abc abc abx"), (std::vector<int32_t>{70001, 70002, ' ', 70000, 'x'}));
  EXPECT_EQ(tok->decode(tok->encode("abc abc abx")), "abc abc abx");
}

TEST(TextTokenizer, HuggingFaceJsonRoundTrip) {
  const Tokenizer& tok = gpt2();
  std::string json = tok.to_tokenizer_json();
  auto again = Tokenizer::from_tokenizer_json_text(json, "memory");
  ASSERT_TRUE(again.is_ok()) << again.status().to_string();
  EXPECT_EQ(again->vocab_size(), tok.vocab_size());
  EXPECT_EQ(again->num_merges(), tok.num_merges());
  EXPECT_EQ(again->to_tokenizer_json(), json);
  ASSERT_EQ(again->added_tokens().size(), 1u);
  EXPECT_EQ(again->added_tokens()[0].content, "<|endoftext|>");
  const std::string text = "Round trip: 中文, emoji 😀, 'll and <|endoftext|>.";
  EXPECT_EQ(again->encode(text, true), tok.encode(text, true));

  // save_pretrained writes all three files; each loads back to the same ids.
  std::string dir = std::string(MARKETLM_BINARY_DIR) + "/text_test_save";
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(tok.save_pretrained(dir).is_ok());
  auto from_dir = Tokenizer::from_pretrained(dir);  // reads tokenizer.json
  ASSERT_TRUE(from_dir.is_ok()) << from_dir.status().to_string();
  EXPECT_EQ(from_dir->encode(text, true), tok.encode(text, true));
  auto from_vm = Tokenizer::from_vocab_merges(dir + "/vocab.json", dir + "/merges.txt");
  ASSERT_TRUE(from_vm.is_ok()) << from_vm.status().to_string();
  EXPECT_EQ(from_vm->encode(text, true), tok.encode(text, true));
  EXPECT_TRUE(from_vm->is_special(50256));
}

// A small byte-level vocabulary in tokenizer.json form: 256 byte symbols,
// then "ab" (256), "Ġab" (257), "<x>" (258, added, not special), "<|brief|>" (259).
nlohmann::json toy_json() {
  nlohmann::json vocab = nlohmann::json::object();
  for (int b = 0; b < 256; ++b) vocab[text::byte_to_symbol(static_cast<uint8_t>(b))] = b;
  vocab["ab"] = 256;
  vocab["Ġab"] = 257;
  vocab["<x>"] = 258;
  vocab["<|brief|>"] = 259;
  nlohmann::json j;
  j["added_tokens"] = {{{"id", 258}, {"content", "<x>"}, {"special", false}},
                       {{"id", 259}, {"content", "<|brief|>"}, {"special", true}}};
  j["normalizer"] = nullptr;
  j["pre_tokenizer"] = nlohmann::json::parse(R"({"type":"Sequence","pretokenizers":[
      {"type":"Split","pattern":{"Regex":"\\p{Han}{1,2}"},"behavior":"Isolated","invert":false},
      {"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":true}]})");
  j["decoder"] = {{"type", "ByteLevel"}};
  j["model"] = {{"type", "BPE"}, {"vocab", vocab}, {"merges", nlohmann::json::array({{"a", "b"}, "Ġ ab"})}};
  return j;
}

TEST(TextTokenizer, ReadsHuggingFaceVariants) {
  // Merges as pairs (tokenizers >= 0.20) and as strings, a non-special added
  // token (always parsed, as in Hugging Face), the CJK split pre-tokenizer.
  auto tok = Tokenizer::from_tokenizer_json_text(toy_json().dump(), "toy.json");
  ASSERT_TRUE(tok.is_ok()) << tok.status().to_string();
  EXPECT_EQ(tok->pre_tokenizer().cjk_chunk, 2);
  EXPECT_EQ(tok->encode("ab ab"), (std::vector<int32_t>{256, 257}));
  EXPECT_EQ(tok->encode("a<x>b"), (std::vector<int32_t>{'a', 258, 'b'}));
  auto plain = tok->encode("<|brief|>", false);
  EXPECT_GT(plain.size(), 1u);
  EXPECT_EQ(tok->encode("<|brief|>", true), (std::vector<int32_t>{259}));
  EXPECT_EQ(tok->decode({'a', 258, 259, 'b'}, true), "a<x>b");  // only special tokens are skipped
  auto again = Tokenizer::from_tokenizer_json_text(tok->to_tokenizer_json(), "again.json");
  ASSERT_TRUE(again.is_ok()) << again.status().to_string();
  EXPECT_EQ(again->to_tokenizer_json(), tok->to_tokenizer_json());
  EXPECT_EQ(again->pre_tokenizer().cjk_chunk, 2);
}

}  // namespace
}  // namespace marketlm
