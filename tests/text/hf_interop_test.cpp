// Interop with Hugging Face tokenizers: tokenizer.json files written by
// marketlm (GPT-2 converted, and a trained one with the CJK split) are read by
// Hugging Face (npm `tokenizers`) and must give the same ids as marketlm;
// Hugging Face's own re-save of each file must load in marketlm with the same
// ids too. Fixtures: TextHfExport*, TextHfGolden (tests/text/CMakeLists.txt).
#include <gtest/gtest.h>

#include "marketlm/core/file_io.h"
#include "marketlm/text/bpe_trainer.h"
#include "marketlm/text/tokenizer.h"
#include "text/golden_io.h"

namespace marketlm {
namespace {

void check_dir(const std::string& name) {
  const std::string dir = std::string(MARKETLM_BINARY_DIR) + "/hf_check/" + name;
  auto cases = read_golden(dir + "/golden_hf.bin");
  ASSERT_FALSE(cases.empty());
  for (const std::string& from : {dir, dir + "/hf_saved"}) {
    auto tok = Tokenizer::from_pretrained(from);
    ASSERT_TRUE(tok.is_ok()) << tok.status().to_string();
    size_t mismatched = 0;
    for (const GoldenCase& g : cases) {
      auto ids = tok->encode(g.text, g.allow_special);
      int64_t at = first_mismatch(ids, g.ids);
      if (at >= 0 && ++mismatched <= 5) {
        ADD_FAILURE() << from << " case '" << g.name << "': first mismatch at id " << at;
      }
    }
    EXPECT_EQ(mismatched, 0u) << from << ": of " << cases.size() << " cases";
  }
}

TEST(TextHfInterop, Gpt2ConvertedMatchesHuggingFace) { check_dir("gpt2"); }
TEST(TextHfInterop, TrainedWithCjkSplitMatchesHuggingFace) { check_dir("trained"); }

// Hugging Face's BpeTrainer (fixture TextHfTrainerGolden) and ours, on the same
// text with the same settings, must learn the same merges in the same order.
// Ids differ only by Hugging Face's smaller alphabet (seen characters only),
// which keeps the same code-point order, so the tie rule picks the same pairs.
TEST(TextHfInterop, TrainerMatchesHuggingFaceBpeTrainer) {
  const std::string dir = std::string(MARKETLM_BINARY_DIR) + "/hf_check/trainer";
  auto corpus = read_file(dir + "/corpus.txt");
  auto hf_merges = read_file(dir + "/hf_merges.txt");
  ASSERT_TRUE(corpus.is_ok()) << corpus.status().to_string();
  ASSERT_TRUE(hf_merges.is_ok()) << hf_merges.status().to_string();
  auto lines = [](const std::string& s) {
    std::vector<std::string> out;
    size_t pos = s.find('\n') + 1;  // skip "#version"
    while (pos < s.size()) {
      size_t eol = s.find('\n', pos);
      if (eol == std::string::npos) eol = s.size();
      if (eol > pos) out.push_back(s.substr(pos, eol - pos));
      pos = eol + 1;
    }
    return out;
  };
  std::vector<std::string> expected = lines(*hf_merges);
  ASSERT_GT(expected.size(), 1000u);
  BpeTrainerConfig cfg;
  cfg.special_tokens = {};
  cfg.min_frequency = 1;  // Hugging Face's default 0 also stops at a count of 0
  cfg.pre.cjk_chunk = 0;
  cfg.vocab_size = 256 + static_cast<int>(expected.size());
  BpeTrainer trainer(cfg);
  trainer.feed(*corpus);
  auto tok = trainer.train(Context{});
  ASSERT_TRUE(tok.is_ok()) << tok.status().to_string();
  std::vector<std::string> ours = lines(tok->to_merges_txt());
  ASSERT_EQ(ours.size(), expected.size());
  size_t same = 0;
  while (same < ours.size() && ours[same] == expected[same]) ++same;
  EXPECT_EQ(same, expected.size()) << "first difference at merge " << same << ": ours '" << ours[same]
                                   << "', Hugging Face '" << expected[same] << "'";
}

}  // namespace
}  // namespace marketlm
