// Sampler-chain stages against PyTorch goldens (tests/reference/generate_processors.py,
// Hugging Face's algorithms in torch ops) on 60 random 12-token rows.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "marketlm/generate/logits_processors.h"

namespace marketlm {
namespace {

using json = nlohmann::json;

std::vector<float> row(const json& j) {
  std::vector<float> v;
  for (const auto& x : j) v.push_back(x.is_null() ? -std::numeric_limits<float>::infinity() : x.get<float>());
  return v;
}

void expect_rows(const std::vector<float>& got, const std::vector<float>& want, const std::string& what) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isinf(want[i])) {
      EXPECT_TRUE(std::isinf(got[i]) && got[i] < 0) << what << " token " << i << " should be removed";
    } else {
      EXPECT_NEAR(got[i], want[i], 1e-5f * std::max(1.0f, std::fabs(want[i]))) << what << " token " << i;
    }
  }
}

TEST(GenProcessorsGolden, MatchPyTorchReference) {
  std::ifstream in(MARKETLM_SOURCE_DIR "/tests/generate/golden/processors.json");
  ASSERT_TRUE(in.good()) << "missing golden; run tests/reference/generate_processors.py";
  std::stringstream ss;
  ss << in.rdbuf();
  const json doc = json::parse(ss.str());
  int n = 0;
  for (const json& c : doc["cases"]) {
    const std::string id = "case " + std::to_string(n++);
    const std::vector<float> s = row(c["scores"]);
    const int keep = c["min_keep"];
    const std::vector<int32_t> ids = c["ids"].get<std::vector<int32_t>>();
    const TokenHistory h{ids, 0};
    auto run = [&](const LogitsProcessor& p) {
      std::vector<float> x = s;
      p.apply(x, h);
      return x;
    };
    expect_rows(run(TopK(std::max(c["top_k"].get<int>(), 1), keep)), row(c["out_top_k"]), id + " top_k");
    expect_rows(run(TopP(c["top_p"].get<float>(), keep)), row(c["out_top_p"]), id + " top_p");
    expect_rows(run(MinP(std::max(c["min_p"].get<float>(), 0.05f), keep)), row(c["out_min_p"]), id + " min_p");
    expect_rows(run(TypicalP(c["typical_p"].get<float>(), keep)), row(c["out_typical_p"]), id + " typical_p");
    expect_rows(run(RepetitionPenalty(c["penalty"].get<float>())), row(c["out_repetition"]), id + " repetition");
    expect_rows(run(NoRepeatNGram(c["ngram"].get<int>())), row(c["out_no_repeat"]), id + " no_repeat");
    GenerationConfig cfg;
    cfg.do_sample = true;
    cfg.temperature = c["temperature"];
    cfg.top_k = c["top_k"];
    cfg.top_p = c["top_p"];
    cfg.min_p = c["min_p"];
    cfg.typical_p = c["typical_p"];
    std::vector<float> x = s;
    make_warpers(cfg, keep).apply(x, h);
    expect_rows(x, row(c["out_chain"]), id + " chain");
  }
  EXPECT_EQ(n, 60);
}

}  // namespace
}  // namespace marketlm
