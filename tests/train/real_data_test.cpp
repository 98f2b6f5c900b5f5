// The data pipeline and trainer on real text: Jane Austen's Persuasion
// (../shared/data/janeaustenr, public domain), byte-level tokens, the bigram
// test model. Checks that the whole path works on a real 466 KB file and that
// validation loss falls well below the uniform ln(257) = 5.55 nats.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "marketlm/train/run.h"
#include "train/train_fixture.h"

namespace marketlm {
namespace {

TEST(RealData, BigramOnPersuasionLearnsLetterStatistics) {
  const std::string file = std::string(MARKETLM_SOURCE_DIR) + "/../shared/data/janeaustenr/persuasion.txt";
  if (!std::filesystem::exists(file)) GTEST_SKIP() << "no " << file;
  testing::TempDir dir("persuasion");
  TrainConfig c;
  c.data_files = {file};
  c.out_dir = dir.str();
  c.seq_len = 64;
  c.batch_size = 16;
  c.max_steps = 300;
  c.warmup_steps = 20;
  c.lr = 0.1f;
  c.min_lr = 0.01f;
  c.weight_decay = 0.0f;
  c.val_fraction = 0.05;
  c.eval_every = 100;
  c.eval_batches = 20;
  c.save_every = 0;
  c.memory_limit_mb = 256;
  ModelFactory f;
  f.create = [](const nlohmann::json&, int32_t vocab, uint64_t seed,
                const Context&) -> Result<std::unique_ptr<TrainableModel>> {
    return std::unique_ptr<TrainableModel>(new testing::BigramModel(vocab, 0.0f, seed));
  };
  f.save = [](TrainableModel& m, const std::string& d) { return static_cast<testing::BigramModel&>(m).save(d); };
  f.load = [](TrainableModel& m, const std::string& d) { return static_cast<testing::BigramModel&>(m).load(d); };
  auto r = run_training(c, byte_level_encoder(), f, Context());
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  std::printf("[ info ] persuasion.txt: %zu train / %zu val sequences of 64 bytes; after 300 steps train loss "
              "%.4f, val loss %.4f nats/byte (uniform: %.4f)\n",
              r->train_sequences, r->val_sequences, r->final_loss, r->final_val_loss, std::log(257.0));
  EXPECT_GT(r->val_sequences, 100u);
  EXPECT_LT(r->final_val_loss, 3.0);
}

}  // namespace
}  // namespace marketlm
