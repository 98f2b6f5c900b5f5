// Interop with Hugging Face tokenizers: tokenizer.json files written by
// marketlm (GPT-2 converted, and a trained one with the CJK split) are read by
// Hugging Face (npm `tokenizers`) and must give the same ids as marketlm;
// Hugging Face's own re-save of each file must load in marketlm with the same
// ids too. Fixtures: TextHfExport*, TextHfGolden (tests/text/CMakeLists.txt).
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace marketlm
