// Model directory: save/load round trip for every type, loader validation.
#include <gtest/gtest.h>

#include <filesystem>

#include "marketlm/apps/recsys/model_dir.h"
#include "marketlm/core/file_io.h"

using namespace marketlm;
using namespace marketlm::recsys;
namespace fs = std::filesystem;

namespace {
SequenceData tiny() {
  auto d = parse_sequence_lines("u1 a b c d\nu2 b c e\nu3 a c d e f\nu4 f a\n", "tiny.txt");
  EXPECT_TRUE(d.is_ok());
  return std::move(d).value();
}

std::string temp_dir(const std::string& name) {
  auto p = fs::temp_directory_path() / ("marketlm_recsys_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(p);
  return p.string();
}
}  // namespace

TEST(RecsysModelDir, RoundTripEveryType) {
  const SequenceData d = tiny();
  for (const std::string type : {"pop", "itemknn", "bpr", "markov"}) {
    RecConfig cfg;
    cfg.model_type = type;
    cfg.bpr_factors = 4;
    cfg.bpr_epochs = 3;
    auto m = train_model(d, cfg, false, "tiny.txt", Context{});
    ASSERT_TRUE(m.is_ok()) << type << ": " << m.status().to_string();
    const std::string dir = temp_dir(type);
    ASSERT_TRUE(save_model_dir(*m, dir).is_ok());
    // Saving again over an existing model replaces it (a trailing slash is fine).
    ASSERT_TRUE(save_model_dir(*m, dir + "/").is_ok());
    EXPECT_FALSE(fs::exists(dir + ".tmp-" + std::to_string(::getpid())));
    auto l = load_model_dir(dir);
    ASSERT_TRUE(l.is_ok()) << type << ": " << l.status().to_string();
    EXPECT_EQ(l->model->type(), type);
    EXPECT_EQ(l->items.names(), d.items.names());
    EXPECT_EQ(l->users.names(), d.users.names());
    EXPECT_EQ(l->histories, d.seqs);
    EXPECT_EQ(l->trained_on, "train-split");
    for (int32_t u = -1; u < d.n_users(); ++u) {
      std::vector<float> a(static_cast<size_t>(d.n_items())), b(a.size());
      std::vector<int32_t> h = u >= 0 ? d.seqs[static_cast<size_t>(u)] : std::vector<int32_t>{0, 2};
      m->model->score({u, h}, a);
      l->model->score({u, h}, b);
      EXPECT_EQ(a, b) << type << " user " << u;
    }
    fs::remove_all(dir);
  }
}

TEST(RecsysModelDir, LoaderRejectsDamage) {
  RecConfig cfg;
  cfg.model_type = "markov";
  auto m = train_model(tiny(), cfg, true, "tiny.txt", Context{});
  ASSERT_TRUE(m.is_ok());
  const std::string dir = temp_dir("damage");
  ASSERT_TRUE(save_model_dir(*m, dir).is_ok());

  EXPECT_EQ(load_model_dir(dir + "/nope").status().code(), StatusCode::kNotFound);
  // Truncated weights.
  auto bytes = read_file(dir + "/model.safetensors");
  ASSERT_TRUE(bytes.is_ok());
  ASSERT_TRUE(write_file_atomic(dir + "/model.safetensors", bytes->substr(0, bytes->size() - 5)).is_ok());
  auto l = load_model_dir(dir);
  ASSERT_FALSE(l.is_ok());
  EXPECT_NE(l.status().message().find("model.safetensors"), std::string::npos) << l.status().message();
  ASSERT_TRUE(write_file_atomic(dir + "/model.safetensors", *bytes).is_ok());
  ASSERT_TRUE(load_model_dir(dir).is_ok());
  // An item list of the wrong length.
  ASSERT_TRUE(write_file_atomic(dir + "/items.txt", "a\nb\n").is_ok());
  l = load_model_dir(dir);
  ASSERT_FALSE(l.is_ok());
  EXPECT_NE(l.status().message().find("items.txt"), std::string::npos) << l.status().message();
  // Not a model directory.
  ASSERT_TRUE(write_file_atomic(dir + "/config.json", "{\"format\": \"other\"}").is_ok());
  EXPECT_FALSE(load_model_dir(dir).is_ok());
  fs::remove_all(dir);
}

TEST(RecsysTensorFile, RoundTripAndValidation) {
  TensorFile tf;
  std::vector<float> w{1.5f, -2.0f, 3.0f, 4.0f, 5.0f, 6.0f};
  tf.put_f32("w", {2, 3}, w);
  std::vector<int64_t> o{0, 7};
  tf.put_i64("o", {2}, o);
  const std::string bytes = tf.serialize();
  auto back = TensorFile::parse(bytes, "t.safetensors");
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(*back->get_f32("w", 6), w);
  EXPECT_FALSE(back->get_f32("w", 5).is_ok());  // wrong size
  EXPECT_FALSE(back->get_i32("w").is_ok());     // wrong dtype
  EXPECT_FALSE(back->get_f32("missing").is_ok());
  EXPECT_FALSE(TensorFile::parse(bytes.substr(0, 4), "t").is_ok());
  EXPECT_FALSE(TensorFile::parse(bytes + "xx", "t").is_ok());
  std::string bad = bytes;
  bad[0] = static_cast<char>(0xff);  // header size beyond the file
  EXPECT_FALSE(TensorFile::parse(bad, "t").is_ok());
}
