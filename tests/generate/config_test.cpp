// GenerationConfig validation and generation_config.json round trips.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "marketlm/generate/generation_config.h"
#include "marketlm/generate/logits_processors.h"

namespace marketlm {
namespace {

void expect_invalid(const GenerationConfig& c, const std::string& field) {
  Status s = c.validate();
  EXPECT_FALSE(s.is_ok()) << field;
  EXPECT_NE(s.message().find(field), std::string::npos) << s.message();
}

TEST(GenGenerationConfig, DefaultsAreValidAndMatchHf) {
  GenerationConfig c;
  EXPECT_TRUE(c.validate().is_ok());
  EXPECT_EQ(c.max_length, 20);
  EXPECT_EQ(c.top_k, 50);
  EXPECT_EQ(c.new_token_budget(5), 15);
  c.max_new_tokens = 7;
  EXPECT_EQ(c.new_token_budget(5), 7);
}

TEST(GenGenerationConfig, RejectsBadAndContradictorySettings) {
  GenerationConfig c;
  c.do_sample = true;
  c.temperature = 0.0f;
  expect_invalid(c, "temperature");
  c = {};
  c.temperature = 0.0f;  // ignored for greedy, as in HF
  EXPECT_TRUE(c.validate().is_ok());
  c = {};
  c.top_p = 0.0f;
  expect_invalid(c, "top_p");
  c.top_p = 1.5f;
  expect_invalid(c, "top_p");
  c = {};
  c.min_p = -0.1f;
  expect_invalid(c, "min_p");
  c = {};
  c.typical_p = 0.0f;
  expect_invalid(c, "typical_p");
  c = {};
  c.top_k = -1;
  expect_invalid(c, "top_k");
  c = {};
  c.repetition_penalty = 0.0f;
  expect_invalid(c, "repetition_penalty");
  c = {};
  c.num_return_sequences = 2;  // greedy with n > 1
  expect_invalid(c, "num_return_sequences");
  c.do_sample = true;
  EXPECT_TRUE(c.validate().is_ok());
  c = {};
  c.num_beams = 2;
  c.num_return_sequences = 3;
  expect_invalid(c, "num_return_sequences");
  c.num_return_sequences = 2;
  EXPECT_TRUE(c.validate().is_ok());
  c = {};
  c.max_new_tokens = 3;
  c.min_new_tokens = 4;
  expect_invalid(c, "min_new_tokens");
  c = {};
  c.max_new_tokens = 0;
  expect_invalid(c, "max_new_tokens");
  c = {};
  c.bad_words_ids = {{}};
  expect_invalid(c, "bad_words_ids");
  c = {};
  c.eos_token_id = {5};
  c.force_words_ids = {{{1, 5}}};
  expect_invalid(c, "force_words_ids");
  c = {};
  c.stop_strings = {""};
  expect_invalid(c, "stop_strings");
  c = {};
  c.num_beams = 2;
  c.do_sample = true;  // beam sampling
  EXPECT_TRUE(c.validate().is_ok());
  c.temperature = -1.0f;
  expect_invalid(c, "temperature");
}

TEST(GenGenerationConfig, ReadsHfFileAndKeepsUnknownKeys) {
  auto r = generation_config_from_json(R"({"_from_model_config": true, "bos_token_id": 50256,
      "eos_token_id": 50256, "transformers_version": "4.26.0"})");
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->eos_token_id, (std::vector<int32_t>{50256}));
  EXPECT_EQ(r->bos_token_id, 50256);
  const std::string out = generation_config_to_json(*r);
  EXPECT_NE(out.find("\"transformers_version\": \"4.26.0\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"_from_model_config\": true"), std::string::npos) << out;
}

TEST(GenGenerationConfig, RoundTripsEveryField) {
  GenerationConfig c;
  c.max_new_tokens = 33;
  c.min_new_tokens = 2;
  c.do_sample = true;
  c.temperature = 0.7f;
  c.top_k = 10;
  c.top_p = 0.9f;
  c.min_p = 0.05f;
  c.typical_p = 0.95f;
  c.seed = 1234567890123ull;
  c.repetition_penalty = 1.3f;
  c.no_repeat_ngram_size = 3;
  c.eos_token_id = {2, 7};
  c.stop_strings = {"\n\n", "###"};
  c.num_return_sequences = 3;
  c.bad_words_ids = {{1, 2}, {9}};
  c.bad_words = {"cheap"};
  c.force_words_ids = {{{4, 5}, {6}}, {{8}}};
  c.logit_bias = {{3, -1.5f}, {11, 2.0f}};
  c.sequence_bias = {{{4, 5}, -2.0f}, {{6}, 1.5f}};
  c.distinct_variants = true;
  c.distinct_threshold = 0.5f;
  c.output_logprobs = true;
  c.top_logprobs = 5;
  const std::string json = generation_config_to_json(c);
  auto r = generation_config_from_json(json);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string() << "\n" << json;
  EXPECT_EQ(generation_config_to_json(*r), json);
  EXPECT_EQ(r->eos_token_id, c.eos_token_id);
  EXPECT_EQ(r->force_words_ids, c.force_words_ids);
  EXPECT_EQ(r->logit_bias, c.logit_bias);
  EXPECT_EQ(r->sequence_bias, c.sequence_bias);
  EXPECT_EQ(r->seed, c.seed);
  EXPECT_FLOAT_EQ(r->top_p, 0.9f);

  GenerationConfig b;
  b.num_beams = 4;
  b.early_stopping = EarlyStopping::kNever;
  b.length_penalty = 0.6f;
  auto rb = generation_config_from_json(generation_config_to_json(b));
  ASSERT_TRUE(rb.is_ok());
  EXPECT_EQ(rb->early_stopping, EarlyStopping::kNever);
  EXPECT_EQ(rb->num_beams, 4);
}

TEST(GenGenerationConfig, UnsupportedHfOptionsAreRejectedNotIgnored) {
  auto r = generation_config_from_json(R"({"num_beam_groups": 2, "num_beams": 4})");
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(r.status().message().find("num_beam_groups"), std::string::npos);
  EXPECT_FALSE(generation_config_from_json(R"({"suppress_tokens": [1, 2]})").is_ok());
  EXPECT_FALSE(generation_config_from_json(R"({"penalty_alpha": 0.6})").is_ok());
  // Their "off" values are fine and survive a round trip.
  r = generation_config_from_json(R"({"num_beam_groups": 1, "diversity_penalty": 0.0, "suppress_tokens": null})");
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_NE(generation_config_to_json(*r).find("num_beam_groups"), std::string::npos);
}

TEST(GenGenerationConfig, ReadsHfSequenceBias) {
  // HF's serialisable form: a list of [[ids], bias].
  auto r = generation_config_from_json(R"({"sequence_bias": [[[10, 45], -2.0], [[64], 7.5]]})");
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  ASSERT_EQ(r->sequence_bias.size(), 2u);
  EXPECT_EQ(r->sequence_bias[0].first, (std::vector<int32_t>{10, 45}));
  EXPECT_FLOAT_EQ(r->sequence_bias[0].second, -2.0f);
  EXPECT_EQ(r->sequence_bias[1].first, (std::vector<int32_t>{64}));
  EXPECT_FLOAT_EQ(r->sequence_bias[1].second, 7.5f);
  EXPECT_EQ(make_processors(*r, 1).names(), (std::vector<std::string>{"sequence_bias"}));
  // Wrong shapes and values name the field.
  for (const char* bad : {R"({"sequence_bias": {"1": 2}})", R"({"sequence_bias": [[[1], "x"]]})",
                          R"({"sequence_bias": [[[], 1.0]]})", R"({"sequence_bias": [[[-1], 1.0]]})",
                          R"({"sequence_bias": [[1, 1.0]]})"}) {
    auto b = generation_config_from_json(bad);
    ASSERT_FALSE(b.is_ok()) << bad;
    EXPECT_NE(b.status().message().find("sequence_bias"), std::string::npos) << b.status().message();
  }
}

TEST(GenGenerationConfig, HfForceWordsFlatForm) {
  auto r = generation_config_from_json(R"({"force_words_ids": [[1, 2], [3]]})");
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->force_words_ids, (std::vector<std::vector<std::vector<int32_t>>>{{{1, 2}}, {{3}}}));
}

TEST(GenGenerationConfig, JsonErrorsNameTheField) {
  auto r = generation_config_from_json(R"({"temperature": "hot"})");
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("temperature"), std::string::npos) << r.status().message();
  r = generation_config_from_json("{not json");
  EXPECT_FALSE(r.is_ok());
  r = generation_config_from_json("[1,2]");
  EXPECT_FALSE(r.is_ok());
  r = generation_config_from_json(R"({"top_p": 2.0})");
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("top_p"), std::string::npos);
  r = generation_config_from_json(R"({"logit_bias": {"x": 1}})");
  EXPECT_FALSE(r.is_ok());
  r = generation_config_from_json(R"({"early_stopping": "sometimes"})");
  EXPECT_FALSE(r.is_ok());
  r = generation_config_from_json(R"({"max_new_tokens": 99999999999})");
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("max_new_tokens"), std::string::npos);
  EXPECT_FALSE(generation_config_from_json(R"({"eos_token_id": [1, 3000000000]})").is_ok());
}

TEST(GenGenerationConfig, SaveAndLoadFile) {
  const auto dir = std::filesystem::temp_directory_path() / "marketlm_gen_cfg_test";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "generation_config.json").string();
  GenerationConfig c;
  c.max_new_tokens = 12;
  c.eos_token_id = {0};
  ASSERT_TRUE(save_generation_config(path, c).is_ok());
  auto r = load_generation_config(path);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->max_new_tokens, 12);
  auto missing = load_generation_config((dir / "nope.json").string());
  EXPECT_FALSE(missing.is_ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace marketlm
