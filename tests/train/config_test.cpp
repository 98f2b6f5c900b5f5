#include "marketlm/train/train_config.h"

#include <gtest/gtest.h>

#include "marketlm/core/file_io.h"
#include "train/train_fixture.h"

namespace marketlm {
namespace {

using nlohmann::json;

bool has(const Status& s, const std::string& what) { return s.message().find(what) != std::string::npos; }

TEST(TrainConfig, ParsesEveryBlockAndRoundTrips) {
  json j = json::parse(R"({
    "model": {"n_layer": 2, "n_head": 2, "n_embd": 64},
    "data": {"files": ["a.txt", "b.jsonl"], "val_fraction": 0.2, "pack_pairs": false},
    "training": {"max_steps": 50, "batch_size": 4, "seq_len": 64, "lr": 1e-3, "warmup_steps": 5,
                 "grad_accum": 2, "weight_decay": 0.01, "eval_every": 10},
    "seed": 7, "threads": 2, "out_dir": "runs/x", "init_from": "runs/base/final", "precision": "bf16"})");
  auto c = train_config_from_json(j);
  ASSERT_TRUE(c.is_ok()) << c.status().to_string();
  EXPECT_EQ(c->model["n_embd"], 64);
  EXPECT_EQ(c->data_files.size(), 2u);
  EXPECT_FALSE(c->pack_pairs);
  EXPECT_EQ(c->max_steps, 50);
  EXPECT_FLOAT_EQ(c->lr, 1e-3f);
  EXPECT_EQ(c->grad_accum, 2);
  EXPECT_EQ(c->seed, 7u);
  EXPECT_EQ(c->init_from, "runs/base/final");
  EXPECT_EQ(c->precision, "bf16");
  EXPECT_EQ(c->resolved_cache_path(), "runs/x/token_cache.bin");
  EXPECT_TRUE(validate_train_config(*c).is_ok());
  auto back = train_config_from_json(train_config_to_json(*c));
  ASSERT_TRUE(back.is_ok());
  EXPECT_EQ(train_config_to_json(*back), train_config_to_json(*c));
}

TEST(TrainConfig, ErrorsNameTheField) {
  auto typo = train_config_from_json(json::parse(R"({"training": {"learning_rate": 1}})"));
  ASSERT_FALSE(typo.is_ok());
  EXPECT_TRUE(has(typo.status(), "unknown field 'training.learning_rate'")) << typo.status().message();
  auto type = train_config_from_json(json::parse(R"({"training": {"batch_size": "eight"}})"));
  ASSERT_FALSE(type.is_ok());
  EXPECT_TRUE(has(type.status(), "'training.batch_size': expected an integer, got \"eight\""))
      << type.status().message();
  auto big = train_config_from_json(json::parse(R"({"training": {"seq_len": 9999999999}})"));
  ASSERT_FALSE(big.is_ok());
  EXPECT_TRUE(has(big.status(), "training.seq_len")) << big.status().message();
  auto neg = train_config_from_json(json::parse(R"({"seed": -1})"));
  ASSERT_FALSE(neg.is_ok());
  EXPECT_TRUE(has(neg.status(), "'seed': expected a non-negative integer"));
  auto files = train_config_from_json(json::parse(R"({"data": {"files": ["a", 3]}})"));
  ASSERT_FALSE(files.is_ok());
  EXPECT_TRUE(has(files.status(), "data.files[1]"));

  TrainConfig c = testing::small_config("out");
  c.min_lr = 1.0f;
  EXPECT_TRUE(has(validate_train_config(c), "training.min_lr"));
  c = testing::small_config("out");
  c.val_fraction = 1.5;
  EXPECT_TRUE(has(validate_train_config(c), "data.val_fraction"));
  c = testing::small_config("out");
  c.data_files.clear();
  EXPECT_TRUE(has(validate_train_config(c), "data.files"));
  c = testing::small_config("out");
  c.batch_size = 0;
  EXPECT_TRUE(has(validate_train_config(c), "training.batch_size"));
  c = testing::small_config("out");
  c.seq_len = 1 << 24;
  EXPECT_TRUE(has(validate_train_config(c), "training.seq_len"));
  c = testing::small_config("out");
  EXPECT_EQ(c.precision, "fp32");
  c.precision = "fp16";
  EXPECT_TRUE(has(validate_train_config(c), "'precision'")) << validate_train_config(c).message();
  EXPECT_TRUE(has(validate_train_config(c), "\"bf16\""));
}

TEST(TrainConfig, FileErrorsNameThePath) {
  testing::TempDir d("cfg");
  ASSERT_TRUE(write_file_atomic(d.file("bad.json"), "{\"seed\": 1,,}").is_ok());
  auto r = load_train_config(d.file("bad.json"));
  ASSERT_FALSE(r.is_ok());
  EXPECT_TRUE(has(r.status(), "bad.json")) << r.status().message();
  ASSERT_TRUE(write_file_atomic(d.file("typo.json"), "{\"sed\": 1}").is_ok());
  auto t = load_train_config(d.file("typo.json"));
  ASSERT_FALSE(t.is_ok());
  EXPECT_TRUE(has(t.status(), "typo.json")) << t.status().message();
  EXPECT_TRUE(has(t.status(), "'sed'"));
}

TEST(TrainConfig, ShippedExampleConfigsParseAndValidate) {
  for (const char* name : {"tiny-demo.json", "tiny-austen.json", "adcopy-pretrain.json", "adcopy-finetune.json"}) {
    auto c = load_train_config(std::string(MARKETLM_SOURCE_DIR) + "/configs/" + name);
    ASSERT_TRUE(c.is_ok()) << name << ": " << c.status().to_string();
    EXPECT_TRUE(validate_train_config(*c).is_ok()) << name;
  }
}

}  // namespace
}  // namespace marketlm
