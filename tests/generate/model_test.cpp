// Model::from_pretrained + generate, the umbrella header's usage example, and
// clear errors for directories that are missing or broken.
#include "marketlm/marketlm.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "marketlm/core/file_io.h"
#include "marketlm/models/gpt/gpt_model.h"

namespace marketlm {
namespace {

namespace fs = std::filesystem;

// A tiny GPT with the GPT-2 vocabulary, saved with the GPT-2 tokenizer into
// one directory, like `marketlm train` writes it.
class GenModelDir : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() / ("marketlm_model_test_" + std::to_string(::getpid()))).string();
    fs::remove_all(dir_);
    GptConfig c;
    c.n_layer = 1;
    c.n_head = 2;
    c.n_embd = 16;
    c.n_ctx = 48;
    c.vocab_size = 50257;
    auto m = GptModel::create(c, kernels::KernelContext{});
    ASSERT_TRUE(m.is_ok()) << m.status().message();
    (*m)->init_weights(1);
    ASSERT_TRUE((*m)->save_pretrained(dir_).is_ok());
    auto tok = Tokenizer::from_pretrained(MARKETLM_SOURCE_DIR "/third_party/gpt2");
    ASSERT_TRUE(tok.is_ok()) << tok.status().message() << " (run scripts/setup.sh)";
    ASSERT_TRUE(tok->save_pretrained(dir_).is_ok());
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_;
};

// The example at the top of include/marketlm/marketlm.h, kept in step with it.
std::vector<std::string> umbrella_example(const std::string& dir) {
  std::vector<std::string> texts;
  Result<Tokenizer> tokenizer = Tokenizer::from_pretrained(dir);
  Result<Model> model = Model::from_pretrained(dir);
  if (!tokenizer || !model) return texts;

  std::vector<int32_t> ids = tokenizer->encode("It is a truth universally acknowledged");
  Result<GenerationOutput> out = model->generate(
      ids, GenerationConfig{.max_length = 40, .do_sample = true, .top_p = 0.9f, .seed = 7,
                            .num_return_sequences = 3});
  if (!out) return texts;
  for (const GeneratedSequence& s : out->sequences)
    texts.push_back(tokenizer->decode(s.token_ids, /*skip_special_tokens=*/true));
  return texts;
}

TEST_F(GenModelDir, UmbrellaExampleRuns) {
  std::vector<std::string> texts = umbrella_example(dir_);
  ASSERT_EQ(texts.size(), 3u);
  for (const auto& t : texts) EXPECT_FALSE(t.empty());
  EXPECT_EQ(texts, umbrella_example(dir_));  // same seed, same text
}

TEST_F(GenModelDir, GenerateRespectsLengthsAndDefaults) {
  auto model = Model::from_pretrained(dir_, ModelOptions{.threads = 2});
  ASSERT_TRUE(model.is_ok()) << model.status().message();
  EXPECT_EQ(model->vocab_size(), 50257);
  EXPECT_EQ(model->n_ctx(), 48);
  ASSERT_EQ(model->generation_config().eos_token_id, std::vector<int32_t>{50256});
  GenerationConfig cfg;
  cfg.max_length = 10;
  auto out = model->generate({464, 3290, 318}, cfg);  // greedy
  ASSERT_TRUE(out.is_ok()) << out.status().message();
  ASSERT_EQ(out->sequences.size(), 1u);
  const auto& s = out->sequences[0];
  if (s.finish_reason == FinishReason::kLength) {
    EXPECT_EQ(s.token_ids.size(), 7u);
  }
  for (int32_t t : s.token_ids) EXPECT_NE(t, 50256);
  // Errors, not crashes.
  EXPECT_FALSE(model->generate({}, cfg).is_ok());
  cfg.max_new_tokens = 10;
  EXPECT_FALSE(model->generate(std::vector<int32_t>(45, 11), cfg).is_ok());
  GenerationConfig contradictory;
  contradictory.num_return_sequences = 3;  // greedy cannot return 3 different sequences
  EXPECT_FALSE(model->generate({464}, contradictory).is_ok());
}

TEST_F(GenModelDir, BrokenDirectoriesAreReported) {
  auto missing = Model::from_pretrained(dir_ + "/nope");
  ASSERT_FALSE(missing.is_ok());
  EXPECT_NE(missing.status().message().find("nope"), std::string::npos);

  fs::remove(fs::path(dir_) / "generation_config.json");  // optional file
  EXPECT_TRUE(Model::from_pretrained(dir_).is_ok());

  // A truncated weights file.
  const std::string weights = dir_ + "/model.safetensors";
  auto bytes = read_file(weights);
  ASSERT_TRUE(bytes.is_ok());
  ASSERT_TRUE(write_file_atomic(weights, bytes->substr(0, bytes->size() / 2)).is_ok());
  auto truncated = Model::from_pretrained(dir_);
  ASSERT_FALSE(truncated.is_ok());
  EXPECT_NE(truncated.status().message().find("model.safetensors"), std::string::npos)
      << truncated.status().message();

  fs::remove(weights);
  auto no_weights = Model::from_pretrained(dir_);
  ASSERT_FALSE(no_weights.is_ok());
  EXPECT_NE(no_weights.status().message().find("model.safetensors"), std::string::npos);

  ASSERT_TRUE(write_file_atomic(dir_ + "/config.json", "{\"n_layer\": ").is_ok());
  ASSERT_TRUE(write_file_atomic(weights, *bytes).is_ok());
  auto bad_config = Model::from_pretrained(dir_);
  ASSERT_FALSE(bad_config.is_ok());
  EXPECT_NE(bad_config.status().message().find("config.json"), std::string::npos) << bad_config.status().message();
}

}  // namespace
}  // namespace marketlm
