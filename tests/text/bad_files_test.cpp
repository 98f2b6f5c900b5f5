// Bad vocabulary files give a Status naming the file and the problem.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "marketlm/core/file_io.h"
#include "marketlm/core/rng.h"
#include "marketlm/text/tokenizer.h"
#include "marketlm/text/byte_level.h"

namespace marketlm {
namespace {

class TextBadFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::string(MARKETLM_BINARY_DIR) + "/text_bad_files/" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    ASSERT_TRUE(make_dirs(dir_).is_ok());
    nlohmann::json vocab = nlohmann::json::object();
    for (int b = 0; b < 256; ++b) vocab[text::byte_to_symbol(static_cast<uint8_t>(b))] = b;
    vocab["ab"] = 256;
    good_vocab_ = vocab.dump();
  }
  std::string put(const std::string& name, const std::string& content) {
    std::string path = dir_ + "/" + name;
    EXPECT_TRUE(write_file_atomic(path, content).is_ok());
    return path;
  }
  // Loads encoder.json + vocab.bpe and expects an error mentioning each of `needles`.
  void expect_gpt2_error(const std::string& encoder, const std::string& bpe, std::vector<std::string> needles) {
    auto e = put("encoder.json", encoder);
    auto v = put("vocab.bpe", bpe);
    auto tok = Tokenizer::from_gpt2_files(e, v);
    ASSERT_FALSE(tok.is_ok());
    for (const auto& n : needles) {
      EXPECT_NE(tok.status().message().find(n), std::string::npos)
          << "'" << n << "' not in: " << tok.status().to_string();
    }
  }
  std::string dir_, good_vocab_;
};

TEST_F(TextBadFiles, GoodToyFilesLoad) {
  auto tok = Tokenizer::from_gpt2_files(put("encoder.json", good_vocab_), put("vocab.bpe", "#version: 0.2\na b\n"));
  ASSERT_TRUE(tok.is_ok()) << tok.status().to_string();
  EXPECT_EQ(tok->encode("ab"), (std::vector<int32_t>{256}));
}

TEST_F(TextBadFiles, MissingFiles) {
  auto tok = Tokenizer::from_gpt2_files(dir_ + "/nope.json", dir_ + "/nope.bpe");
  ASSERT_FALSE(tok.is_ok());
  EXPECT_NE(tok.status().message().find("nope.json"), std::string::npos) << tok.status().to_string();
  auto none = Tokenizer::from_pretrained(dir_);
  ASSERT_FALSE(none.is_ok());
  EXPECT_NE(none.status().message().find("tokenizer.json"), std::string::npos);
  auto no_dir = Tokenizer::from_pretrained(dir_ + "/missing_dir");
  ASSERT_FALSE(no_dir.is_ok());
  EXPECT_EQ(no_dir.status().code(), StatusCode::kNotFound);
}

TEST_F(TextBadFiles, TruncatedJson) {
  expect_gpt2_error(good_vocab_.substr(0, good_vocab_.size() / 2), "#version: 0.2\na b\n",
                    {"encoder.json", "not valid JSON", "truncated"});
}

TEST_F(TextBadFiles, JsonOfWrongShape) {
  expect_gpt2_error("[1, 2, 3]", "", {"encoder.json", "expected a JSON object"});
  expect_gpt2_error(R"({"a": "zero"})", "", {"encoder.json", "'a'", "non-negative integer"});
  expect_gpt2_error(R"({"a": -4})", "", {"encoder.json", "-4"});
  expect_gpt2_error("{}", "", {"encoder.json", "empty"});
}

TEST_F(TextBadFiles, MergeLineWithOneToken) {
  expect_gpt2_error(good_vocab_, "#version: 0.2\na b\nab\n", {"vocab.bpe", "line 3", "two symbols", "'ab'"});
  expect_gpt2_error(good_vocab_, "#version: 0.2\na b c\n", {"vocab.bpe", "line 2"});
}

TEST_F(TextBadFiles, UnknownSymbolInMerges) {
  expect_gpt2_error(good_vocab_, "#version: 0.2\na b\nab zz\n", {"merge 2", "unknown symbol 'zz'"});
  expect_gpt2_error(good_vocab_, "#version: 0.2\nb a\n", {"merge 1", "'ba' is not in the vocabulary"});
}

TEST_F(TextBadFiles, VocabularyMissingBytesOrForeignSymbols) {
  expect_gpt2_error(R"({"a": 0, "b": 1})", "", {"encoder.json", "no token for byte 0x00"});
  nlohmann::json v = nlohmann::json::parse(good_vocab_);
  v["中"] = 300;
  expect_gpt2_error(v.dump(), "", {"'中'", "U+4E2D", "byte-level alphabet"});
  v = nlohmann::json::parse(good_vocab_);
  v["dup"] = 256;
  expect_gpt2_error(v.dump(), "", {"id 256", "'ab'", "'dup'"});
}

TEST_F(TextBadFiles, BadTokenizerJson) {
  auto load = [&](const std::string& text) { return Tokenizer::from_tokenizer_json(put("tokenizer.json", text)); };
  nlohmann::json good = {{"model", {{"type", "BPE"}, {"vocab", nlohmann::json::parse(good_vocab_)},
                                    {"merges", {"a b"}}}},
                         {"pre_tokenizer", {{"type", "ByteLevel"}}}};
  ASSERT_TRUE(load(good.dump()).is_ok()) << load(good.dump()).status().to_string();
  std::string text = good.dump();
  auto r = load(text.substr(0, text.size() - 10));
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("tokenizer.json"), std::string::npos);

  auto expect_err = [&](nlohmann::json j, const std::string& needle) {
    auto res = load(j.dump());
    ASSERT_FALSE(res.is_ok()) << needle;
    EXPECT_NE(res.status().message().find(needle), std::string::npos) << res.status().to_string();
    EXPECT_NE(res.status().message().find("tokenizer.json"), std::string::npos) << res.status().to_string();
  };
  auto j = good;
  j["model"]["type"] = "WordPiece";
  expect_err(j, "WordPiece");
  j = good;
  j["model"].erase("merges");
  expect_err(j, "merges");
  j = good;
  j["model"]["merges"] = {"a b", 7};
  expect_err(j, "merges[1]");
  j = good;
  j["model"]["merges"] = {"ab"};
  expect_err(j, "two symbols");
  j = good;
  j["pre_tokenizer"] = {{"type", "Whitespace"}};
  expect_err(j, "unsupported pre_tokenizer");
  j = good;
  j["added_tokens"] = {{{"content", "<s>"}}};
  expect_err(j, "added_tokens");
  j = good;
  j["added_tokens"] = {{{"id", 3}, {"content", "<s>"}, {"special", true}}};
  expect_err(j, "vocabulary gives that id");
  j = good;
  j["normalizer"] = {{"type", "NFC"}};
  expect_err(j, "normalizer");
  expect_err(nlohmann::json::array({1}), "\"model\"");
}

// Damaged copies of the real GPT-2 files (cut short, bytes overwritten) must
// load or fail with a message naming the file, never crash.
TEST_F(TextBadFiles, DamagedGpt2FilesNeverCrash) {
  auto enc = read_file(MARKETLM_SOURCE_DIR "/third_party/gpt2/encoder.json");
  auto bpe = read_file(MARKETLM_SOURCE_DIR "/third_party/gpt2/vocab.bpe");
  ASSERT_TRUE(enc.is_ok() && bpe.is_ok()) << "run scripts/setup.sh";
  Rng rng(2026);
  for (int trial = 0; trial < 12; ++trial) {
    std::string e = *enc, b = *bpe;
    std::string& victim = trial % 2 ? e : b;
    if (trial % 3 == 0) {
      victim.resize(rng.next_u64() % victim.size());
    } else {
      for (int k = 0; k < 3; ++k) victim[rng.next_u64() % victim.size()] = static_cast<char>(rng.next_u64());
    }
    auto tok = Tokenizer::from_gpt2_files(put("encoder.json", e), put("vocab.bpe", b));
    if (!tok.is_ok()) {
      const std::string& m = tok.status().message();
      EXPECT_TRUE(m.find("encoder.json") != std::string::npos || m.find("vocab.bpe") != std::string::npos) << m;
    } else {
      std::string text = "Damaged files, still a tokenizer: 中文 😀";
      EXPECT_EQ(tok->decode(tok->encode(text)), text);
    }
  }
}

}  // namespace
}  // namespace marketlm
