// Beam search against goldens from tests/reference/generate_beam_search.py
// (Hugging Face's beam rules in torch) on a random trigram model: narrow beams,
// every early_stopping mode, several length penalties, one or two EOS ids.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "generate/toy_decoders.h"
#include "marketlm/generate/generate.h"

namespace marketlm {
namespace {

using json = nlohmann::json;

class TrigramDecoder : public testing::HistoryDecoder {
 public:
  TrigramDecoder(int vocab, std::vector<float> table)
      : HistoryDecoder(vocab, 64, 8), table_(std::move(table)) {}
  void logits_for(const std::vector<int32_t>& h, float* out) const override {
    const int v = vocab_size();
    const size_t row = static_cast<size_t>(h[h.size() - 2]) * v + h.back();
    for (int i = 0; i < v; ++i) out[i] = table_[row * v + i];
  }

 private:
  std::vector<float> table_;
};

TEST(GenBeamSearchGolden, MatchesHfRulesOnNarrowBeams) {
  std::ifstream in(MARKETLM_SOURCE_DIR "/tests/generate/golden/beam_search.json");
  ASSERT_TRUE(in.good()) << "missing golden; run tests/reference/generate_beam_search.py";
  std::stringstream ss;
  ss << in.rdbuf();
  const json doc = json::parse(ss.str());
  const int v = doc["vocab"];
  const std::vector<float> table = doc["table"].get<std::vector<float>>();
  int n = 0;
  for (const json& c : doc["cases"]) {
    const std::string id = "case " + std::to_string(n++);
    GenerationConfig cfg;
    cfg.num_beams = c["num_beams"];
    cfg.max_new_tokens = c["max_new_tokens"].get<int>();
    cfg.eos_token_id = c["eos"].get<std::vector<int32_t>>();
    cfg.length_penalty = c["length_penalty"];
    const json& es = c["early_stopping"];
    cfg.early_stopping = es.is_string() ? EarlyStopping::kNever
                                        : (es.get<bool>() ? EarlyStopping::kTrue : EarlyStopping::kFalse);
    cfg.num_return_sequences = c["num_return_sequences"];
    TrigramDecoder d(v, table);
    auto r = generate(d, c["prompt"].get<std::vector<int32_t>>(), cfg);
    ASSERT_TRUE(r.is_ok()) << id << ": " << r.status().to_string();
    const json& want = c["expected"];
    ASSERT_EQ(r->sequences.size(), want.size()) << id;
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(r->sequences[i].token_ids, want[i]["tokens"].get<std::vector<int32_t>>()) << id << " rank " << i;
      EXPECT_NEAR(r->sequences[i].score, want[i]["score"].get<double>(), 1e-4) << id << " rank " << i;
    }
  }
  EXPECT_EQ(n, 36);
}

}  // namespace
}  // namespace marketlm
