#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "marketlm/core/file_io.h"
#include "marketlm/io/safetensors.h"
#include "marketlm/models/gpt/gpt_model.h"

namespace marketlm {
namespace {
using kernels::KernelContext;

std::string out_dir(const std::string& name) {
  std::string d = std::string(MARKETLM_BINARY_DIR) + "/test_out/gpt/" + name;
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

GptConfig tiny() {
  GptConfig c;
  c.n_layer = 2;
  c.n_head = 4;
  c.n_embd = 32;
  c.n_ctx = 16;
  c.vocab_size = 67;
  c.bos_token_id = c.eos_token_id = 66;
  c.set_dropout(0.0f);
  return c;
}

TEST(GptConfig, ValidationNamesTheField) {
  GptConfig c = tiny();
  EXPECT_TRUE(c.validate().is_ok());
  c.n_embd = 30;
  Status s = c.validate();
  EXPECT_NE(s.message().find("n_embd 30 is not divisible by n_head 4"), std::string::npos) << s.to_string();
  c = tiny();
  c.attn_pdrop = 1.0f;
  EXPECT_NE(c.validate().message().find("attn_pdrop"), std::string::npos);
  c = tiny();
  c.n_layer = 0;
  EXPECT_NE(c.validate().message().find("n_layer must be positive"), std::string::npos);
  c = tiny();
  c.eos_token_id = 67;
  EXPECT_NE(c.validate().message().find("eos_token_id 67"), std::string::npos);
  EXPECT_FALSE(GptModel::create(GptConfig{.n_head = 5}, KernelContext{}).is_ok());
}

TEST(GptConfig, JsonIsHuggingFaceGpt2AndRoundTrips) {
  GptConfig c = tiny();
  c.attn_pdrop = 0.05f;
  auto j = nlohmann::json::parse(c.to_json());
  EXPECT_EQ(j["model_type"], "gpt2");
  EXPECT_EQ(j["architectures"][0], "GPT2LMHeadModel");
  EXPECT_EQ(j["activation_function"], "gelu_new");
  EXPECT_EQ(j["n_positions"], 16);
  EXPECT_EQ(j["n_ctx"], 16);
  EXPECT_FLOAT_EQ(j["layer_norm_epsilon"].get<float>(), 1e-5f);
  auto back = GptConfig::from_json(c.to_json(), "config.json");
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(back->n_embd, 32);
  EXPECT_EQ(back->vocab_size, 67);
  EXPECT_FLOAT_EQ(back->attn_pdrop, 0.05f);
  EXPECT_EQ(back->eos_token_id, 66);

  auto bad = GptConfig::from_json("{\"n_layer\": 2", "x/config.json");
  EXPECT_NE(bad.status().message().find("x/config.json: not valid JSON"), std::string::npos);
  auto missing = GptConfig::from_json(R"({"n_layer": 2, "n_head": 2, "n_embd": 8, "n_positions": 4})", "c.json");
  EXPECT_NE(missing.status().message().find("'vocab_size'"), std::string::npos) << missing.status().to_string();
  auto wrong_type = GptConfig::from_json(R"({"model_type": "llama"})", "c.json");
  EXPECT_NE(wrong_type.status().message().find("expected \"gpt2\""), std::string::npos);
  auto indivisible = GptConfig::from_json(
      R"({"n_layer": 1, "n_head": 3, "n_embd": 8, "n_positions": 4, "vocab_size": 10, "bos_token_id": 0, "eos_token_id": 0})",
      "c.json");
  EXPECT_NE(indivisible.status().message().find("not divisible"), std::string::npos);
}

TEST(GptIo, SaveLoadRoundTripAndPretrainedDirectory) {
  auto m = GptModel::create(tiny(), KernelContext{});
  ASSERT_TRUE(m.is_ok());
  (*m)->init_weights(7);
  const std::string dir = out_dir("pretrained");
  ASSERT_TRUE((*m)->save_pretrained(dir).is_ok());
  for (const char* f : {"config.json", "model.safetensors", "generation_config.json"})
    EXPECT_TRUE(std::filesystem::exists(dir + "/" + f)) << f;
  auto back = GptModel::from_pretrained(dir, KernelContext{});
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  ASSERT_EQ((*back)->num_params(), (*m)->num_params());
  EXPECT_EQ(0, std::memcmp((*back)->params(), (*m)->params(), (*m)->num_params() * 4));
  EXPECT_EQ(GptModel::from_pretrained(dir + "/nope", KernelContext{}).status().code(), StatusCode::kNotFound);
}

// Writes the model's tensors under other names / shapes to provoke each error.
std::string write_variant(GptModel& m, const std::string& path, const std::string& prefix,
                          const std::string& skip, const std::string& reshape, bool extras) {
  SafetensorsWriter w;
  std::vector<float> fake(64 * 64 * 4, 0.5f);
  for (const auto& s : m.param_specs()) {
    if (s.name == skip) continue;
    if (s.name == reshape) {
      w.add_f32(prefix + s.name, {static_cast<int64_t>(s.numel)}, m.params() + s.offset);
      continue;
    }
    w.add_f32(prefix + s.name, s.shape, m.params() + s.offset);
  }
  if (extras) {
    w.add_f32("lm_head.weight", m.param_specs()[0].shape, m.params());
    w.add_f32(prefix + "h.0.attn.bias", {1, 1, 16, 16}, fake.data());
  }
  EXPECT_TRUE(w.write(path).is_ok());
  return path;
}

TEST(GptIo, LoaderAcceptsHuggingFaceExtrasAndNamesWhatIsWrong) {
  auto src = GptModel::create(tiny(), KernelContext{});
  (*src)->init_weights(3);
  const std::string d = out_dir("loader");
  auto dst = GptModel::create(tiny(), KernelContext{});
  // "transformer." prefix + tied lm_head + attn.bias buffers: accepted
  Status ok = (*dst)->load_safetensors(write_variant(**src, d + "/hf.safetensors", "transformer.", "", "", true));
  ASSERT_TRUE(ok.is_ok()) << ok.to_string();
  EXPECT_EQ(0, std::memcmp((*dst)->params(), (*src)->params(), (*src)->num_params() * 4));

  Status missing = (*dst)->load_safetensors(write_variant(**src, d + "/m.safetensors", "", "h.1.ln_2.bias", "", false));
  EXPECT_NE(missing.message().find("missing tensor 'h.1.ln_2.bias' [32]"), std::string::npos) << missing.to_string();
  Status shape = (*dst)->load_safetensors(write_variant(**src, d + "/s.safetensors", "", "", "h.0.mlp.c_fc.weight", false));
  EXPECT_NE(shape.message().find("wrong shape, expected [32, 128], got [4096]"), std::string::npos) << shape.to_string();

  SafetensorsWriter w;
  std::vector<float> x(4, 1.f);
  w.add_f32("wte.weight", {2, 2}, x.data());
  w.add_f32("surprise", {4}, x.data());
  ASSERT_TRUE(w.write(d + "/u.safetensors").is_ok());
  Status unexpected = (*dst)->load_safetensors(d + "/u.safetensors");
  EXPECT_NE(unexpected.message().find("unexpected tensor 'surprise'"), std::string::npos) << unexpected.to_string();
  // a failed load leaves the parameters untouched
  EXPECT_EQ(0, std::memcmp((*dst)->params(), (*src)->params(), (*src)->num_params() * 4));

  // truncated and garbage files never crash
  auto bytes = read_file(d + "/hf.safetensors");
  ASSERT_TRUE(bytes.is_ok());
  for (size_t len : {size_t{0}, size_t{5}, size_t{100}, bytes->size() / 2, bytes->size() - 1}) {
    std::FILE* f = std::fopen((d + "/t.safetensors").c_str(), "wb");
    std::fwrite(bytes->data(), 1, len, f);
    std::fclose(f);
    EXPECT_FALSE((*dst)->load_safetensors(d + "/t.safetensors").is_ok()) << len;
  }
  std::string garbage(4096, '\0');
  Rng rng(1);
  for (auto& ch : garbage) ch = static_cast<char>(rng.below(256));
  ASSERT_TRUE(write_file_atomic(d + "/g.safetensors", garbage).is_ok());
  EXPECT_FALSE((*dst)->load_safetensors(d + "/g.safetensors").is_ok());
}

// The Python reference reads marketlm's model directory by Hugging Face names
// (hand-parsed safetensors) and must reproduce marketlm's logits.
TEST(GptIo, PythonReferenceLoadsHuggingFaceLayoutAndMatchesLogits) {
  if (!std::filesystem::exists("/usr/bin/python3")) GTEST_SKIP() << "/usr/bin/python3 not installed";
  auto m = GptModel::create(tiny(), KernelContext{});
  (*m)->init_weights(21);
  // larger weights than the init so logits are not all near zero
  Rng rng(2);
  for (size_t i = 0; i < (*m)->num_params(); ++i) (*m)->params()[i] += static_cast<float>(rng.normal()) * 0.05f;
  const std::string dir = out_dir("hf_layout");
  ASSERT_TRUE((*m)->save_pretrained(dir + "/model").is_ok());
  const int B = 2, T = 16;
  std::vector<int32_t> tokens(B * T);
  for (int i = 0; i < B * T; ++i) tokens[i] = (i * 29 + 3) % 67;
  std::vector<float> logits(static_cast<size_t>(B) * T * 67);
  ASSERT_TRUE((*m)->forward_logits(tokens.data(), B, T, logits.data()).is_ok());
  // tokens stored as I32 by hand (the writer only emits F32)
  std::vector<float> tok_as_bits(tokens.size());
  std::memcpy(tok_as_bits.data(), tokens.data(), tokens.size() * 4);
  SafetensorsWriter w;
  w.add_f32("tokens", {B, T}, tok_as_bits.data());
  w.add_f32("logits", {B, T, 67}, logits.data());
  ASSERT_TRUE(w.write(dir + "/check.safetensors").is_ok());
  auto text = read_file(dir + "/check.safetensors");
  std::string patched = *text;
  const size_t pos = patched.find("\"dtype\":\"F32\"");  // first entry is "tokens"
  ASSERT_NE(pos, std::string::npos);
  patched.replace(pos, 13, "\"dtype\":\"I32\"");
  ASSERT_TRUE(write_file_atomic(dir + "/check.safetensors", patched).is_ok());
  const std::string cmd = "/usr/bin/python3 " + std::string(MARKETLM_SOURCE_DIR) +
                          "/tests/reference/gpt2_reference.py check-hf " + dir + "/model " + dir +
                          "/check.safetensors > " + dir + "/python.log 2>&1";
  const int rc = std::system(cmd.c_str());
  auto log = read_file(dir + "/python.log");
  if (WIFEXITED(rc) && WEXITSTATUS(rc) == 77) GTEST_SKIP() << "torch unavailable";
  EXPECT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 0) << (log.is_ok() ? *log : "");
}

}  // namespace
}  // namespace marketlm
