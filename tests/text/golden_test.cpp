// Golden test: our GPT-2 encoding must equal tiktoken's r50k_base and
// gpt-3-encoder id for id. The ids are written at test time by
// scripts/node/tokenizer_golden.js (ctest fixture TextGoldenGenerate).
#include <gtest/gtest.h>

#include <cstring>

#include "marketlm/core/file_io.h"
#include "marketlm/core/thread_pool.h"
#include "marketlm/text/tokenizer.h"
#include "text/golden_io.h"

namespace marketlm {
namespace {

Tokenizer load_gpt2() {
  auto tok = Tokenizer::from_pretrained(MARKETLM_SOURCE_DIR "/third_party/gpt2");
  EXPECT_TRUE(tok.is_ok()) << tok.status().to_string() << " (run scripts/setup.sh)";
  return tok.is_ok() ? std::move(tok).value() : Tokenizer();
}

void check_file(const std::string& file, size_t min_bytes, bool also_parallel) {
  Tokenizer tok = load_gpt2();
  ASSERT_GT(tok.vocab_size(), 0);
  auto cases = read_golden(std::string(MARKETLM_BINARY_DIR) + "/tokenizer_golden/" + file);
  ASSERT_FALSE(cases.empty());
  ThreadPool pool(2);
  size_t bytes = 0, mismatched_cases = 0, ids_total = 0;
  for (const GoldenCase& g : cases) {
    bytes += g.text.size();
    ids_total += g.ids.size();
    std::vector<int32_t> ids = tok.encode(g.text, g.allow_special);
    int64_t at = first_mismatch(ids, g.ids);
    if (at >= 0) {
      ++mismatched_cases;
      if (mismatched_cases <= 5) {
        ADD_FAILURE() << file << " case '" << g.name << "': first mismatch at id " << at << " of " << g.ids.size()
                      << " (ours " << (at < static_cast<int64_t>(ids.size()) ? ids[at] : -1) << ", reference "
                      << (at < static_cast<int64_t>(g.ids.size()) ? g.ids[at] : -1) << ")";
      }
    }
    EXPECT_EQ(tok.decode(g.ids), g.text) << "decode of case '" << g.name << "'";
    if (also_parallel && g.text.size() > (1 << 17)) {
      EXPECT_EQ(tok.encode_parallel(g.text, &pool, g.allow_special), g.ids) << "parallel, case '" << g.name << "'";
    }
  }
  EXPECT_EQ(mismatched_cases, 0u) << "of " << cases.size() << " cases";
  EXPECT_GE(bytes, min_bytes);
  std::printf("%s: %zu cases, %.2f MB, %zu ids, %zu mismatched cases\n", file.c_str(), cases.size(), bytes / 1e6,
              ids_total, mismatched_cases);
}

TEST(TextGolden, MatchesTiktokenR50kBase) { check_file("golden_tiktoken.bin", 1u << 20, true); }

TEST(TextGolden, MatchesGpt3Encoder) { check_file("golden_gpt3.bin", 50000, false); }

}  // namespace
}  // namespace marketlm
