#include "marketlm/train/trainer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "marketlm/core/file_io.h"
#include "marketlm/core/thread_pool.h"
#include "train/train_fixture.h"

namespace marketlm {
namespace {

using testing::BigramModel;
using testing::small_config;
using testing::small_corpus;
using testing::TempDir;

constexpr int kVocab = 257;

struct DataSetup {
  PackedSequences data;
  DataSplit split;
  explicit DataSetup(const TrainConfig& c) {
    data = pack_sequences(small_corpus(), c.seq_len, 256, true);
    split = split_train_val(data.count(), 0.1, split_seed_for(c.seed));
  }
};

ModelCheckpointIO io_for(BigramModel* m) {
  return {[m](const std::string& dir) { return m->save(dir); },
          [m](const std::string& dir) { return m->load(dir); }};
}

std::vector<double> losses(const std::vector<StepRecord>& h) {
  std::vector<double> out;
  for (const auto& r : h) out.push_back(r.loss);
  return out;
}

std::vector<double> run_losses(const TrainConfig& c, ThreadPool* pool, float dropout = 0.1f) {
  DataSetup s(c);
  BigramModel model(kVocab, dropout, c.seed);
  Context ctx;
  ctx.pool = pool;
  Trainer t(&model, c, &s.data, s.split, io_for(&model), ctx);
  Status st = t.run();
  EXPECT_TRUE(st.is_ok()) << st.to_string();
  return losses(t.history());
}

TEST(Trainer, LossGoesDownOnRealText) {
  TempDir dir("train_down");
  auto c = small_config(dir.str());
  c.max_steps = 40;
  auto l = run_losses(c, nullptr, 0.0f);
  ASSERT_EQ(l.size(), 40u);
  EXPECT_NEAR(l.front(), std::log(257.0), 0.2);  // near-uniform start
  double last5 = 0;
  for (size_t i = 35; i < 40; ++i) last5 += l[i] / 5;
  EXPECT_LT(last5, l.front() - 1.0);
}

TEST(Trainer, SameSeedSameThreadsGiveBitIdenticalLosses) {
  TempDir a("det_a"), b("det_b"), d("det_d");
  ThreadPool pool(2);
  auto ca = small_config(a.str()), cb = small_config(b.str());
  const auto la = run_losses(ca, &pool), lb = run_losses(cb, &pool);
  ASSERT_EQ(la.size(), 20u);
  EXPECT_EQ(la, lb);  // exact, not near
  auto cd = small_config(d.str());
  cd.seed = 43;
  EXPECT_NE(la, run_losses(cd, &pool));
}

TEST(Trainer, ResumeGivesExactlyTheUninterruptedCurve) {
  TempDir straight("resume_a"), split_run("resume_b");
  auto ca = small_config(straight.str());
  const auto full = run_losses(ca, nullptr);

  auto cb = small_config(split_run.str());
  DataSetup s(cb);
  Context ctx;
  {
    BigramModel m1(kVocab, 0.1f, cb.seed);
    Trainer t1(&m1, cb, &s.data, s.split, io_for(&m1), ctx);
    ASSERT_TRUE(t1.run(10).is_ok());
    EXPECT_EQ(t1.step(), 10);
  }
  // Fresh objects, as after a restart; the model starts from another init
  // so only the checkpoint can make it match.
  BigramModel m2(kVocab, 0.1f, 999);
  Trainer t2(&m2, cb, &s.data, s.split, io_for(&m2), ctx);
  ASSERT_TRUE(t2.resume().is_ok());
  EXPECT_EQ(t2.step(), 10);
  ASSERT_TRUE(t2.run().is_ok());
  const auto tail = losses(t2.history());
  ASSERT_EQ(tail.size(), 10u);
  EXPECT_EQ(std::vector<double>(full.begin() + 10, full.end()), tail);

  // The log holds one continuous curve of 20 steps equal to the straight run.
  std::ifstream log(cb.out_dir + "/log.jsonl");
  std::string line;
  std::vector<double> logged;
  while (std::getline(log, line)) logged.push_back(nlohmann::json::parse(line).at("loss").get<double>());
  EXPECT_EQ(logged, full);
}

TEST(Trainer, StopFlagSavesACheckpointAndResumeContinuesTheCurve) {
  TempDir straight("stop_a"), stopped("stop_b");
  const auto full = run_losses(small_config(straight.str()), nullptr);
  auto c = small_config(stopped.str());
  DataSetup s(c);
  std::atomic<bool> stop{false};
  Context ctx;
  ctx.progress = [&](const ProgressEvent& e) {
    if (e.done == 7) stop = true;  // as Ctrl-C during step 7 would
  };
  {
    BigramModel m(kVocab, 0.1f, c.seed);
    Trainer t(&m, c, &s.data, s.split, io_for(&m), ctx);
    t.set_stop_flag(&stop);
    Status st = t.run();
    ASSERT_EQ(st.code(), StatusCode::kCancelled) << st.to_string();
    EXPECT_NE(st.message().find("after step 7"), std::string::npos) << st.message();
  }
  BigramModel m2(kVocab, 0.1f, 5);
  Trainer t2(&m2, c, &s.data, s.split, io_for(&m2), Context());
  ASSERT_TRUE(t2.resume().is_ok());
  EXPECT_EQ(t2.step(), 7);
  ASSERT_TRUE(t2.run().is_ok());
  EXPECT_EQ(std::vector<double>(full.begin() + 7, full.end()), losses(t2.history()));
}

TEST(Trainer, GradAccumulationTwoOfTwoEqualsOneOfFour) {
  TempDir a("acc_a"), b("acc_b");
  auto ca = small_config(a.str());
  ca.max_steps = 3;
  ca.batch_size = 4;
  auto cb = small_config(b.str());
  cb.max_steps = 3;
  cb.batch_size = 2;
  cb.grad_accum = 2;
  DataSetup s(ca);
  Context ctx;
  BigramModel ma(kVocab, 0.0f, 1), mb(kVocab, 0.0f, 1);
  Trainer ta(&ma, ca, &s.data, s.split, io_for(&ma), ctx);
  Trainer tb(&mb, cb, &s.data, s.split, io_for(&mb), ctx);
  ASSERT_TRUE(ta.run().is_ok());
  ASSERT_TRUE(tb.run().is_ok());
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(ta.history()[i].loss, tb.history()[i].loss, 1e-6);
    EXPECT_NEAR(ta.history()[i].grad_norm, tb.history()[i].grad_norm, 1e-6);
  }
  double max_diff = 0;
  for (size_t i = 0; i < ma.num_params(); ++i) max_diff = std::max(max_diff, double(std::fabs(ma.params()[i] - mb.params()[i])));
  EXPECT_LT(max_diff, 1e-5);
}

TEST(Trainer, LogHasEveryStepAndValidationWhereEvaluated) {
  TempDir dir("log");
  auto c = small_config(dir.str());
  run_losses(c, nullptr);
  std::ifstream log(c.out_dir + "/log.jsonl");
  std::string line;
  int n = 0;
  while (std::getline(log, line)) {
    auto j = nlohmann::json::parse(line);
    ++n;
    EXPECT_EQ(j.at("step").get<int>(), n);
    for (const char* k : {"loss", "lr", "grad_norm", "tokens_per_s"}) EXPECT_TRUE(j.contains(k)) << k;
    EXPECT_EQ(j.contains("val_loss"), n % 5 == 0) << "step " << n;
    if (j.contains("val_loss")) {
      EXPECT_NEAR(j["val_perplexity"].get<double>(), std::exp(j["val_loss"].get<double>()), 1e-9);
    }
  }
  EXPECT_EQ(n, 20);
}

TEST(Trainer, NanLossStopsNamesTheStepAndKeepsLastGoodCheckpoint) {
  TempDir dir("nan");
  auto c = small_config(dir.str());
  c.save_every = 5;
  DataSetup s(c);
  BigramModel inner(kVocab, 0.0f, 1);
  testing::NanAfterModel model(&inner, 7);
  Context ctx;
  Trainer t(&model, c, &s.data, s.split, io_for(&inner), ctx);
  Status st = t.run();
  ASSERT_FALSE(st.is_ok());
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  std::printf("[ info ] %s\n", st.message().c_str());
  EXPECT_NE(st.message().find("at step 7"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("step-00000005"), std::string::npos) << st.message();
  auto latest = latest_checkpoint(c.out_dir);
  ASSERT_TRUE(latest.is_ok());
  auto state = read_training_state(*latest + "/" + kTrainingStateFile);
  ASSERT_TRUE(state.is_ok());
  EXPECT_EQ(state->step, 5);
  for (float x : state->m) ASSERT_TRUE(std::isfinite(x));
}

TEST(Trainer, FailedSaveLeavesPreviousCheckpointLoadable) {
  TempDir dir("atomic");
  auto c = small_config(dir.str());
  c.save_every = 5;
  DataSetup s(c);
  BigramModel model(kVocab, 0.0f, 1);
  int saves = 0;
  ModelCheckpointIO io = io_for(&model);
  ModelCheckpointIO failing{[&](const std::string& d) -> Status {
                              if (++saves < 2) return model.save(d);
                              // Writes half a file, then the "disk" fails.
                              std::ofstream(d + "/params.bin") << "partial";
                              return io_error("injected write failure");
                            },
                            io.load};
  Context ctx;
  Trainer t(&model, c, &s.data, s.split, failing, ctx);
  Status st = t.run();
  ASSERT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("injected write failure"), std::string::npos);
  EXPECT_NE(st.message().find("previous checkpoint is untouched"), std::string::npos);
  auto latest = latest_checkpoint(c.out_dir);
  ASSERT_TRUE(latest.is_ok());
  EXPECT_NE(latest->find("step-00000005"), std::string::npos);
  // A crash mid-save (stale temp dir) does not disturb "latest" either.
  std::filesystem::create_directories(c.out_dir + "/checkpoints/.tmp-step-00000010-1234");
  std::ofstream(c.out_dir + "/checkpoints/.tmp-step-00000010-1234/params.bin") << "junk";
  BigramModel fresh(kVocab, 0.0f, 2);
  Trainer t2(&fresh, c, &s.data, s.split, io_for(&fresh), ctx);
  ASSERT_TRUE(t2.resume().is_ok());
  EXPECT_EQ(t2.step(), 5);
  ASSERT_TRUE(t2.run().is_ok());
  EXPECT_FALSE(std::filesystem::exists(c.out_dir + "/checkpoints/.tmp-step-00000010-1234"));
}

TEST(Trainer, ResumeOnOtherDataIsRefused) {
  TempDir dir("other_data");
  auto c = small_config(dir.str());
  DataSetup s(c);
  BigramModel m(kVocab, 0.0f, 1);
  Context ctx;
  {
    Trainer t(&m, c, &s.data, s.split, io_for(&m), ctx);
    ASSERT_TRUE(t.run(5).is_ok());
  }
  DataSplit other = split_train_val(s.data.count(), 0.3, 42);
  Trainer t2(&m, c, &s.data, other, io_for(&m), ctx);
  Status st = t2.resume();
  ASSERT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("other data"), std::string::npos) << st.message();
}

TEST(Trainer, TruncatedTrainingStateIsRefusedClearly) {
  TempDir dir("trunc_state");
  auto c = small_config(dir.str());
  DataSetup s(c);
  BigramModel m(kVocab, 0.0f, 1);
  Context ctx;
  {
    Trainer t(&m, c, &s.data, s.split, io_for(&m), ctx);
    ASSERT_TRUE(t.run(5).is_ok());
  }
  const std::string state = *latest_checkpoint(c.out_dir) + "/" + kTrainingStateFile;
  for (size_t keep : {size_t{3}, size_t{100}, size_t{5000}}) {
    std::string bytes = *read_file(state);
    ASSERT_TRUE(write_file_atomic(state, bytes.substr(0, std::min(keep, bytes.size() - 1))).is_ok());
    Trainer t2(&m, c, &s.data, s.split, io_for(&m), ctx);
    Status st = t2.resume();
    ASSERT_FALSE(st.is_ok()) << keep;
    EXPECT_NE(st.message().find("is unreadable"), std::string::npos) << st.message();
    ASSERT_TRUE(write_file_atomic(state, bytes).is_ok());
  }
}

TEST(Trainer, KeepsOnlyTheNewestCheckpoints) {
  TempDir dir("keep");
  auto c = small_config(dir.str());
  c.save_every = 4;
  c.keep_checkpoints = 2;
  run_losses(c, nullptr);
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(c.out_dir + "/checkpoints")) {
    names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"latest", "step-00000016", "step-00000020"}));
}

}  // namespace
}  // namespace marketlm
