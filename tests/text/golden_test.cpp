// Golden test: our GPT-2 encoding must equal tiktoken's r50k_base and
// gpt-3-encoder id for id. The ids are written at test time by
// scripts/node/tokenizer_golden.js (ctest fixture TextGoldenGenerate).
#include <gtest/gtest.h>

#include <cstring>

#include "marketlm/core/file_io.h"
#include "marketlm/core/thread_pool.h"
#include "marketlm/text/tokenizer.h"

namespace marketlm {
namespace {

struct GoldenCase {
  std::string name;
  std::string text;
  bool allow_special = false;
  std::vector<int32_t> ids;
};

std::vector<GoldenCase> read_golden(const std::string& path) {
  auto data = read_file(path);
  EXPECT_TRUE(data.is_ok()) << data.status().to_string()
                            << " (run ctest so the TextGoldenGenerate fixture writes it)";
  std::vector<GoldenCase> cases;
  if (!data.is_ok()) return cases;
  const std::string& s = *data;
  size_t pos = 0;
  auto need = [&](size_t n) {
    if (pos + n > s.size()) throw std::runtime_error("golden file truncated: " + path);
  };
  auto u32 = [&] {
    need(4);
    uint32_t v;
    std::memcpy(&v, s.data() + pos, 4);
    pos += 4;
    return v;
  };
  need(8);
  EXPECT_EQ(s.substr(0, 8), "MLGOLD1\n");
  pos = 8;
  uint32_t n = u32();
  for (uint32_t c = 0; c < n; ++c) {
    GoldenCase g;
    need(1);
    g.allow_special = s[pos++] != 0;
    uint32_t name_len = u32();
    need(name_len);
    g.name = s.substr(pos, name_len);
    pos += name_len;
    uint32_t text_len = u32();
    need(text_len);
    g.text = s.substr(pos, text_len);
    pos += text_len;
    uint32_t n_ids = u32();
    need(size_t{n_ids} * 4);
    g.ids.resize(n_ids);
    std::memcpy(g.ids.data(), s.data() + pos, size_t{n_ids} * 4);
    pos += size_t{n_ids} * 4;
    cases.push_back(std::move(g));
  }
  EXPECT_EQ(pos, s.size());
  return cases;
}

Tokenizer load_gpt2() {
  auto tok = Tokenizer::from_pretrained(MARKETLM_SOURCE_DIR "/third_party/gpt2");
  EXPECT_TRUE(tok.is_ok()) << tok.status().to_string() << " (run scripts/setup.sh)";
  return tok.is_ok() ? std::move(tok).value() : Tokenizer();
}

// Index of the first difference, or -1.
int64_t first_mismatch(const std::vector<int32_t>& a, const std::vector<int32_t>& b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i)
    if (a[i] != b[i]) return static_cast<int64_t>(i);
  return a.size() == b.size() ? -1 : static_cast<int64_t>(n);
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
