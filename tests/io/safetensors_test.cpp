#include "marketlm/io/safetensors.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "marketlm/core/file_io.h"
#include "marketlm/core/rng.h"

namespace marketlm {
namespace {

std::string test_dir() {
  std::string d = std::string(MARKETLM_BINARY_DIR) + "/test_out/io";
  std::filesystem::create_directories(d);
  return d;
}

// A hand-made file: header JSON (unpadded) + data bytes.
std::string make_file(const std::string& header, const std::string& data) {
  std::string out(8, '\0');
  const uint64_t n = header.size();
  std::memcpy(out.data(), &n, 8);
  return out + header + data;
}

// Plain (non-atomic, no fsync) write: these are throwaway test inputs.
Status write_raw(const std::string& path, const std::string& bytes) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return io_error("cannot open " + path);
  const bool ok = bytes.empty() || std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  std::fclose(f);
  return ok ? Status::ok() : io_error("cannot write " + path);
}

TEST(Safetensors, RoundTripKeepsNamesShapesValuesAndMetadata) {
  const std::string path = test_dir() + "/rt.safetensors";
  std::vector<float> a = {1.5f, -2.f, 3.f, 4.f, 5.f, 6.f}, b = {7.f, 8.f};
  SafetensorsWriter w;
  w.set_metadata("format", "pt");
  w.add_f32("h.0.attn.c_attn.weight", {2, 3}, a.data());
  w.add_f32("ln_f.bias", {2}, b.data());
  ASSERT_TRUE(w.write(path).is_ok());
  auto f = SafetensorsFile::open(path);
  ASSERT_TRUE(f.is_ok()) << f.status().to_string();
  ASSERT_EQ(f->tensors().size(), 2u);
  EXPECT_EQ(f->metadata().at("format"), "pt");
  const TensorInfo* t = f->find("h.0.attn.c_attn.weight");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->shape, (std::vector<int64_t>{2, 3}));
  std::vector<float> got(6);
  ASSERT_TRUE(f->read_f32(*t, got.data()).is_ok());
  EXPECT_EQ(got, a);
  EXPECT_EQ(f->find("missing"), nullptr);
  // data section starts 8-byte aligned
  auto bytes = read_file(path);
  uint64_t n;
  std::memcpy(&n, bytes->data(), 8);
  EXPECT_EQ((8 + n) % 8, 0u);
}

TEST(Safetensors, ReadsBf16AndF16AsFloat) {
  const std::string path = test_dir() + "/bf16.safetensors";
  uint16_t bf[2] = {f32_to_bf16(1.0f), f32_to_bf16(-3.5f)};
  uint16_t hf[2] = {0x3c00, 0xc000};  // 1.0, -2.0 in IEEE half
  std::string data(reinterpret_cast<char*>(bf), 4);
  data.append(reinterpret_cast<char*>(hf), 4);
  const std::string hdr = R"({"a":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"F16","shape":[2],"data_offsets":[4,8]}})";
  ASSERT_TRUE(write_raw(path, make_file(hdr, data)).is_ok());
  auto f = SafetensorsFile::open(path);
  ASSERT_TRUE(f.is_ok()) << f.status().to_string();
  float out[2];
  ASSERT_TRUE(f->read_f32(*f->find("a"), out).is_ok());
  EXPECT_EQ(out[0], 1.0f);
  EXPECT_EQ(out[1], -3.5f);
  ASSERT_TRUE(f->read_f32(*f->find("b"), out).is_ok());
  EXPECT_EQ(out[0], 1.0f);
  EXPECT_EQ(out[1], -2.0f);
  EXPECT_EQ(bf16_to_f32(f32_to_bf16(1.00390625f)), 1.0f);  // ties round to even
}

struct BadCase {
  const char* name;
  std::string bytes;
  const char* expect;  // substring of the error
};

TEST(Safetensors, WritesI8AndBf16BytesWithTheirDtypes) {
  const std::string path = (std::filesystem::temp_directory_path() / "marketlm_st_bytes.safetensors").string();
  SafetensorsWriter w;
  w.add_bytes("q", DType::kI8, {3}, std::string("\x01\xff\x81", 3));
  const float one = 1.0f;
  w.add_f32("s", {1}, &one);
  w.add_bytes("b", DType::kBF16, {1}, std::string("\x80\x3f", 2));  // 1.0 in bf16
  ASSERT_TRUE(w.write(path).is_ok());
  auto f = SafetensorsFile::open(path);
  ASSERT_TRUE(f.is_ok()) << f.status().to_string();
  ASSERT_EQ(f->find("q")->dtype, DType::kI8);
  auto q = f->read_bytes(*f->find("q"));
  ASSERT_TRUE(q.is_ok());
  EXPECT_EQ(static_cast<int8_t>((*q)[1]), -1);
  EXPECT_EQ(static_cast<int8_t>((*q)[2]), -127);
  float s = 0, b = 0;
  ASSERT_TRUE(f->read_f32(*f->find("s"), &s).is_ok());
  ASSERT_TRUE(f->read_f32(*f->find("b"), &b).is_ok());
  EXPECT_EQ(s, 1.0f);
  EXPECT_EQ(b, 1.0f);
  std::filesystem::remove(path);
}

TEST(Safetensors, CorruptFilesGiveNamedErrors) {
  const std::string ok_hdr = R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  std::string too_long(8, '\0');
  const uint64_t huge = 1000;
  std::memcpy(too_long.data(), &huge, 8);
  std::vector<BadCase> cases = {
      {"short", std::string("abc"), "shorter than the 8-byte"},
      {"header beyond", too_long + "{}", "beyond the file size"},
      {"bad json", make_file("{\"w\": [", ""), "not valid JSON"},
      {"not object", make_file("[1,2]", ""), "must be an object"},
      {"bad dtype", make_file(R"({"w":{"dtype":"Q4","shape":[1],"data_offsets":[0,4]}})", std::string(4, 'x')),
       "unsupported dtype 'Q4'"},
      {"negative shape", make_file(R"({"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", std::string(4, 'x')),
       "non-negative"},
      {"offsets out of range", make_file(ok_hdr, std::string(4, 'x')), "out of range"},
      {"size mismatch", make_file(R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", std::string(8, 'x')),
       "needs 12 bytes"},
      {"overlap", make_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                            std::string(12, 'x')),
       "overlap"},
      {"missing offsets", make_file(R"({"w":{"dtype":"F32","shape":[2]}})", std::string(8, 'x')), "data_offsets"},
      {"bad metadata", make_file(R"({"__metadata__":{"a":1}})", ""), "__metadata__.a"},
  };
  for (const auto& c : cases) {
    const std::string path = test_dir() + "/bad.safetensors";
    ASSERT_TRUE(write_raw(path, c.bytes).is_ok());
    auto f = SafetensorsFile::open(path);
    ASSERT_FALSE(f.is_ok()) << c.name;
    EXPECT_NE(f.status().message().find(c.expect), std::string::npos)
        << c.name << ": " << f.status().to_string();
    EXPECT_NE(f.status().message().find(path), std::string::npos) << c.name;
  }
  auto missing = SafetensorsFile::open(test_dir() + "/does_not_exist.safetensors");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

TEST(Safetensors, EveryTruncationAndRandomGarbageFailsCleanly) {
  const std::string good_path = test_dir() + "/good.safetensors";
  std::vector<float> a(10, 0.25f);
  SafetensorsWriter w;
  w.add_f32("a", {2, 5}, a.data());
  w.add_f32("b", {3}, a.data());
  ASSERT_TRUE(w.write(good_path).is_ok());
  auto good = read_file(good_path);
  ASSERT_TRUE(good.is_ok());
  const std::string path = test_dir() + "/trunc.safetensors";
  for (size_t len = 0; len < good->size(); ++len) {
    ASSERT_TRUE(write_raw(path, good->substr(0, len)).is_ok());
    auto f = SafetensorsFile::open(path);
    EXPECT_FALSE(f.is_ok()) << "prefix of " << len << " bytes was accepted";
  }
  Rng rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    std::string bytes = *good;
    const int flips = 1 + static_cast<int>(rng.below(4));
    for (int k = 0; k < flips; ++k) bytes[rng.below(bytes.size())] = static_cast<char>(rng.below(256));
    if (trial % 4 == 0) {
      bytes.resize(8 + rng.below(64));
      for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(rng.below(256));
    }
    ASSERT_TRUE(write_raw(path, bytes).is_ok());
    auto f = SafetensorsFile::open(path);  // must not crash; either outcome is fine
    if (f.is_ok()) {
      for (const auto& t : f->tensors()) {
        if (t.dtype == DType::kF32 || t.dtype == DType::kBF16 || t.dtype == DType::kF16) {
          std::vector<float> buf(static_cast<size_t>(t.numel()));
          (void)f->read_f32(t, buf.data());
        }
      }
    }
  }
}

}  // namespace
}  // namespace marketlm
