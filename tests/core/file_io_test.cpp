#include "marketlm/core/file_io.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace marketlm {
namespace {

std::string temp_dir() {
  auto d = std::filesystem::temp_directory_path() /
           ("marketlm_file_io_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d.string();
}

TEST(FileIo, AtomicWriteReplacesAndLeavesNoTemp) {
  std::string dir = temp_dir();
  std::string path = dir + "/out.txt";
  ASSERT_TRUE(write_file_atomic(path, "first").is_ok());
  ASSERT_TRUE(write_file_atomic(path, "second").is_ok());
  auto r = read_file(path);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(*r, "second");
  int files = 0;
  for (auto& e : std::filesystem::directory_iterator(dir)) (void)e, ++files;
  EXPECT_EQ(files, 1);
}

TEST(FileIo, AbandonedWriterKeepsOldFile) {
  std::string dir = temp_dir();
  std::string path = dir + "/model.bin";
  ASSERT_TRUE(write_file_atomic(path, "good").is_ok());
  {
    AtomicFileWriter w;
    ASSERT_TRUE(w.open(path).is_ok());
    ASSERT_TRUE(w.write("half-written").is_ok());
    // destroyed without commit(), as when a save is interrupted
  }
  EXPECT_EQ(*read_file(path), "good");
  int files = 0;
  for (auto& e : std::filesystem::directory_iterator(dir)) (void)e, ++files;
  EXPECT_EQ(files, 1);
}

TEST(FileIo, MissingFileNamesThePath) {
  auto r = read_file("/nonexistent/dir/file.json");
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("/nonexistent/dir/file.json"), std::string::npos);
}

TEST(FileIo, WriteIntoMissingDirectoryFailsCleanly) {
  Status s = write_file_atomic("/nonexistent/dir/out.txt", "x");
  EXPECT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("/nonexistent/dir/out.txt"), std::string::npos);
}

}  // namespace
}  // namespace marketlm
