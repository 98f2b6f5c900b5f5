#include "marketlm/train/training_log.h"

#include <gtest/gtest.h>

#include "marketlm/core/file_io.h"
#include "train/train_fixture.h"

namespace marketlm {
namespace {

TEST(TrainingLog, ReadsCurvesAndSkipsALineCutByACrash) {
  testing::TempDir d("log_read");
  const std::string path = d.file("log.jsonl");
  ASSERT_TRUE(write_file_atomic(path, "{\"step\": 1, \"loss\": 5.0}\n\n{\"step\": 2, \"loss\": 4.0, \"val_loss\": 4.5}\n"
                                      "{\"step\": 3, \"lo")
                  .is_ok());
  auto c = read_training_log(path);
  ASSERT_TRUE(c.is_ok()) << c.status().to_string();
  EXPECT_EQ(c->step, (std::vector<double>{1, 2}));
  EXPECT_EQ(c->loss, (std::vector<double>{5.0, 4.0}));
  EXPECT_EQ(c->val_step, (std::vector<double>{2}));
  EXPECT_EQ(c->val_loss, (std::vector<double>{4.5}));
  ASSERT_TRUE(write_loss_chart(*c, d.file("loss.svg"), "t", 0.9).is_ok());
  auto svg = read_file(d.file("loss.svg"));
  ASSERT_TRUE(svg.is_ok());
  EXPECT_NE(svg->find("validation loss"), std::string::npos);
}

TEST(TrainingLog, BadLinesNameFileAndLine) {
  testing::TempDir d("log_bad");
  const std::string path = d.file("log.jsonl");
  ASSERT_TRUE(write_file_atomic(path, "{\"step\": 1, \"loss\": 5.0}\n{oops}\n{\"step\": 3, \"loss\": 4.0}\n").is_ok());
  auto c = read_training_log(path);
  ASSERT_FALSE(c.is_ok());
  EXPECT_NE(c.status().message().find("log.jsonl:2:"), std::string::npos) << c.status().message();
  ASSERT_TRUE(write_file_atomic(path, "{\"step\": 1}\n").is_ok());
  auto m = read_training_log(path);
  ASSERT_FALSE(m.is_ok());
  EXPECT_NE(m.status().message().find(":1: expected numeric"), std::string::npos);
  ASSERT_TRUE(write_file_atomic(path, "").is_ok());
  EXPECT_FALSE(read_training_log(path).is_ok());
}

}  // namespace
}  // namespace marketlm
