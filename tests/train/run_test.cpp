#include "marketlm/train/run.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <cstdio>
#include <fstream>

#include "marketlm/core/file_io.h"
#include "marketlm/train/checkpoint.h"
#include "marketlm/train/memory_estimate.h"
#include "train/train_fixture.h"

namespace marketlm {
namespace {

using testing::BigramModel;
using testing::TempDir;

ModelFactory bigram_factory(float dropout = 0.0f) {
  ModelFactory f;
  f.create = [dropout](const nlohmann::json& cfg, int32_t vocab, uint64_t seed,
                       const Context&) -> Result<std::unique_ptr<TrainableModel>> {
    if (cfg.value("kind", "bigram") != "bigram") return invalid_argument("model.kind must be \"bigram\"");
    return std::unique_ptr<TrainableModel>(new BigramModel(vocab, dropout, seed));
  };
  f.save = [](TrainableModel& m, const std::string& dir) { return static_cast<BigramModel&>(m).save(dir); };
  f.load = [](TrainableModel& m, const std::string& dir) { return static_cast<BigramModel&>(m).load(dir); };
  f.count_params = [](const nlohmann::json&, int32_t vocab) -> Result<int64_t> {
    return int64_t{vocab} * vocab + vocab;
  };
  return f;
}

struct Files {
  TempDir dir{"run"};
  std::string txt = dir.file("shop.txt"), jsonl = dir.file("pairs.jsonl");
  Files() {
    std::string text;
    for (int i = 0; i < 20; ++i) text += "Fresh coffee beans, roasted this week, delivered to your door. ";
    EXPECT_TRUE(write_file_atomic(txt, text).is_ok());
    std::string pairs;
    for (int i = 0; i < 10; ++i) {
      pairs += "{\"prompt\": \"Product: kettle " + std::to_string(i) + "\\nAd:\", \"completion\": \" Boils in a minute.\"}\n";
    }
    EXPECT_TRUE(write_file_atomic(jsonl, pairs).is_ok());
  }
};

TrainConfig config_for(const Files& f) {
  TrainConfig c = testing::small_config(f.dir.file("out"));
  c.data_files = {f.txt, f.jsonl};
  c.seq_len = 32;
  c.max_steps = 12;
  c.save_every = 6;
  c.eval_every = 6;
  c.memory_limit_mb = 1024;
  return c;
}

TEST(RunTraining, EndToEndFromFilesWithCacheLogAndCheckpoint) {
  Files f;
  TrainConfig c = config_for(f);
  Context ctx;
  int progress_events = 0;
  ctx.progress = [&](const ProgressEvent& e) {
    ++progress_events;
    EXPECT_EQ(e.stage, "train");
    EXPECT_NE(std::string(e.detail).find("tok/s"), std::string::npos);
  };
  auto r = run_training(c, byte_level_encoder(), bigram_factory(), ctx);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->steps, 12);
  EXPECT_EQ(progress_events, 12);
  EXPECT_GT(r->val_sequences, 0u);
  EXPECT_GT(r->best_val_loss, 0);
  EXPECT_EQ(r->num_params, 257 * 257 + 257);
  EXPECT_TRUE(std::filesystem::exists(c.out_dir + "/token_cache.bin"));
  EXPECT_TRUE(std::filesystem::exists(c.out_dir + "/train_config.json"));
  EXPECT_NE(r->checkpoint.find("step-00000012"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(r->checkpoint + "/params.bin"));

  // A second run into the same directory must not overwrite it silently.
  auto again = run_training(c, byte_level_encoder(), bigram_factory(), ctx);
  ASSERT_FALSE(again.is_ok());
  EXPECT_NE(again.status().message().find("--resume"), std::string::npos);

  // Resuming a finished run with more steps continues it.
  c.resume = true;
  c.max_steps = 14;
  auto more = run_training(c, byte_level_encoder(), bigram_factory(), ctx);
  ASSERT_TRUE(more.is_ok()) << more.status().to_string();
  EXPECT_EQ(more->start_step, 12);
  EXPECT_EQ(more->steps, 14);
}

TEST(RunTraining, InitFromStartsFromAModelsWeights) {
  Files f;
  TrainConfig base = config_for(f);
  base.eval_every = 0;
  auto first = run_training(base, byte_level_encoder(), bigram_factory(), Context());
  ASSERT_TRUE(first.is_ok()) << first.status().to_string();

  // The same data from a fresh init and from the trained checkpoint: the
  // fine-tuned run's first step already has the trained model's low loss.
  TrainConfig fresh = base;
  fresh.out_dir = f.dir.file("fresh");
  fresh.max_steps = 1;
  TrainConfig tuned = fresh;
  tuned.out_dir = f.dir.file("tuned");
  tuned.init_from = first->checkpoint;
  auto a = run_training(fresh, byte_level_encoder(), bigram_factory(), Context());
  auto b = run_training(tuned, byte_level_encoder(), bigram_factory(), Context());
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  EXPECT_LT(b->final_loss, a->final_loss - 0.1);

  TrainConfig bad = fresh;
  bad.out_dir = f.dir.file("bad");
  bad.init_from = f.dir.file("no-such-model");
  auto r = run_training(bad, byte_level_encoder(), bigram_factory(), Context());
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("init_from '" + bad.init_from + "'"), std::string::npos)
      << r.status().to_string();
}

TEST(RunTraining, RefusesWhenTheMemoryEstimateDoesNotFit) {
  Files f;
  TrainConfig c = config_for(f);
  c.memory_limit_mb = 1;  // bigram needs ~1 MiB of params x 4
  auto r = run_training(c, byte_level_encoder(), bigram_factory(), Context());
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  std::printf("[ info ] %s\n", r.status().message().c_str());
  EXPECT_NE(r.status().message().find("1.00 MiB is available"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("AdamW moments"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(c.out_dir + "/checkpoints"));
}

TEST(RunTraining, EmptyDatasetNamesTheFile) {
  Files f;
  TrainConfig c = config_for(f);
  ASSERT_TRUE(write_file_atomic(f.dir.file("empty.jsonl"), "\n").is_ok());
  c.data_files = {f.txt, f.dir.file("empty.jsonl")};
  auto r = run_training(c, byte_level_encoder(), bigram_factory(), Context());
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("empty.jsonl' is empty"), std::string::npos) << r.status().message();
  c.data_files = {f.dir.file("nope.txt")};
  auto missing = run_training(c, byte_level_encoder(), bigram_factory(), Context());
  ASSERT_FALSE(missing.is_ok());
  EXPECT_NE(missing.status().message().find("nope.txt"), std::string::npos);
}

TEST(RunTraining, DataFromAnotherVocabularyIsRefused) {
  Files f;
  TrainConfig c = config_for(f);
  c.max_steps = 1;
  ASSERT_TRUE(run_training(c, byte_level_encoder(), bigram_factory(), Context()).is_ok());
  TextEncoder other = byte_level_encoder();
  other.vocab_hash ^= 1;
  c.resume = true;
  c.max_steps = 2;
  auto r = run_training(c, other, bigram_factory(), Context());
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("another vocabulary"), std::string::npos) << r.status().message();
}

TEST(TrainMemoryEstimate, ParsesMeminfoAndDescribesParts) {
  auto a = parse_meminfo_available("MemTotal:       16000000 kB\nMemFree:  100 kB\nMemAvailable:    2048 kB\n");
  ASSERT_TRUE(a.is_ok());
  EXPECT_EQ(*a, 2048u * 1024);
  EXPECT_FALSE(parse_meminfo_available("MemTotal: 5 kB\n").is_ok());
  auto e = estimate_train_memory(1000, 4000, 0);
  EXPECT_EQ(e.total(), 4000u * 4 + 4000);
  EXPECT_TRUE(check_memory_fits(e, 1 << 20, "test").is_ok());
  Status s = check_memory_fits(e, 100, "test");
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(s.message().find("19.5 KiB"), std::string::npos) << s.message();
  EXPECT_TRUE(available_memory_bytes().is_ok());
}

}  // namespace
}  // namespace marketlm
