// Attention export: shapes, rows that sum to 1, causal zeros, layer 0
// recomputed by hand from the weights, JSON that parses, and SVG heatmaps.
#include "marketlm/generate/attention_export.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "marketlm/core/file_io.h"
#include "marketlm/core/rng.h"

namespace marketlm {
namespace {

std::unique_ptr<GptModel> tiny_model() {
  GptConfig c;
  c.n_layer = 2;
  c.n_head = 3;
  c.n_embd = 24;
  c.n_ctx = 16;
  c.vocab_size = 30;
  c.bos_token_id = c.eos_token_id = 0;
  auto m = GptModel::create(c, kernels::KernelContext{nullptr, kernels::Isa::kScalar});
  EXPECT_TRUE(m.is_ok());
  (*m)->init_weights(5);
  Rng rng(6);
  for (size_t i = 0; i < (*m)->num_params(); ++i) (*m)->params()[i] += static_cast<float>(rng.normal()) * 0.3f;
  return std::move(m).value();
}

const std::vector<int32_t> kIds = {4, 9, 9, 21, 0, 13, 7};

std::string text_of(int32_t id) {
  if (id == 9) return " a<b&";
  if (id == 21) return "\xE4\xB8";  // half of a CJK character
  std::string t = "t";
  t += std::to_string(id);
  return t;
}

TEST(AttentionExport, ShapesRowsSumToOneAndCausal) {
  auto m = tiny_model();
  auto a = export_attention(*m, kIds, 4, text_of);
  ASSERT_TRUE(a.is_ok()) << a.status().to_string();
  const int T = 7;
  EXPECT_EQ(a->length(), T);
  EXPECT_EQ(a->weights.size(), static_cast<size_t>(2 * 3 * T * T));
  EXPECT_EQ(a->tokens[1], " a<b&");
  for (int l = 0; l < 2; ++l)
    for (int h = 0; h < 3; ++h)
      for (int i = 0; i < T; ++i) {
        double sum = 0;
        for (int k = 0; k < T; ++k) {
          const float w = a->at(l, h, i, k);
          if (k > i) {
            EXPECT_EQ(w, 0.0f) << l << h << i << k;
          } else {
            EXPECT_GT(w, 0.0f);
            sum += w;
          }
        }
        EXPECT_NEAR(sum, 1.0, 1e-5) << "layer " << l << " head " << h << " row " << i;
      }
  // The first token can only attend to itself.
  EXPECT_FLOAT_EQ(a->at(1, 2, 0, 0), 1.0f);
}

TEST(AttentionExport, LayerZeroMatchesAHandComputedSoftmax) {
  auto m = tiny_model();
  auto a = export_attention(*m, kIds, 2, nullptr);
  ASSERT_TRUE(a.is_ok());
  const int C = 24, T = 7, HS = 8;
  auto P = [&](const char* name) { return m->params() + m->find_param(name)->offset; };
  std::vector<double> q(T * C), k(T * C);
  for (int t = 0; t < T; ++t) {
    std::vector<double> x(C), ln(C);
    double mean = 0, var = 0;
    for (int c = 0; c < C; ++c) {
      x[c] = P("wte.weight")[kIds[t] * C + c] + P("wpe.weight")[t * C + c];
      mean += x[c] / C;
    }
    for (int c = 0; c < C; ++c) var += (x[c] - mean) * (x[c] - mean) / C;
    for (int c = 0; c < C; ++c)
      ln[c] = (x[c] - mean) / std::sqrt(var + 1e-5) * P("h.0.ln_1.weight")[c] + P("h.0.ln_1.bias")[c];
    for (int o = 0; o < 2 * C; ++o) {
      double s = P("h.0.attn.c_attn.bias")[o];
      for (int c = 0; c < C; ++c) s += ln[c] * P("h.0.attn.c_attn.weight")[c * 3 * C + o];
      (o < C ? q[t * C + o] : k[t * C + o - C]) = s;
    }
  }
  for (int h = 0; h < 3; ++h)
    for (int i = 0; i < T; ++i) {
      std::vector<double> e(i + 1);
      double mx = -1e300, z = 0;
      for (int j = 0; j <= i; ++j) {
        double s = 0;
        for (int d = 0; d < HS; ++d) s += q[i * C + h * HS + d] * k[j * C + h * HS + d];
        e[j] = s / std::sqrt(static_cast<double>(HS));
        mx = std::max(mx, e[j]);
      }
      for (double& v : e) z += (v = std::exp(v - mx));
      for (int j = 0; j <= i; ++j) EXPECT_NEAR(a->at(0, h, i, j), e[j] / z, 1e-5) << h << " " << i << " " << j;
    }
}

TEST(AttentionExport, JsonParsesAndSvgsAreWritten) {
  auto m = tiny_model();
  auto a = export_attention(*m, kIds, 4, text_of);
  ASSERT_TRUE(a.is_ok());
  const auto j = nlohmann::json::parse(attention_export_to_json(*a));
  EXPECT_EQ(j["n_layer"], 2);
  EXPECT_EQ(j["n_head"], 3);
  EXPECT_EQ(j["prompt_tokens"], 4);
  ASSERT_EQ(j["tokens"].size(), 7u);
  EXPECT_EQ(j["tokens"][1]["text"], " a<b&");
  // Half a character is replaced by U+FFFD, so the file stays valid UTF-8.
  EXPECT_EQ(j["tokens"][3]["text"].get<std::string>().rfind("\xEF\xBF\xBD", 0), 0u);
  ASSERT_EQ(j["layers"].size(), 2u);
  ASSERT_EQ(j["layers"][1]["heads"].size(), 3u);
  const auto& rows = j["layers"][1]["heads"][2]["weights"];
  ASSERT_EQ(rows.size(), 7u);
  for (size_t i = 0; i < 7; ++i) {
    ASSERT_EQ(rows[i].size(), i + 1);
    EXPECT_NEAR(rows[i][i].get<double>(), a->at(1, 2, static_cast<int>(i), static_cast<int>(i)), 1e-7);
  }
  const std::string dir = std::string(MARKETLM_BINARY_DIR) + "/test_out/attention_export";
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(write_attention_export(*a, dir).is_ok());
  for (const char* f : {"/attention.json", "/layer_00.svg", "/layer_01.svg"})
    EXPECT_TRUE(std::filesystem::exists(dir + f)) << f;
  auto svg = read_file(dir + "/layer_01.svg");
  ASSERT_TRUE(svg.is_ok());
  EXPECT_EQ(svg->rfind("<svg", 0), 0u);
  EXPECT_NE(svg->find("head 2"), std::string::npos);
  EXPECT_NE(svg->find("\xC2\xB7" "a&lt;b&amp;"), std::string::npos);  // escaped, space made visible
  EXPECT_EQ(svg->find("a<b"), std::string::npos);
  EXPECT_NE(svg->find("</svg>"), std::string::npos);
}

TEST(AttentionExport, BadInputIsAnError) {
  auto m = tiny_model();
  EXPECT_FALSE(export_attention(*m, {}, 0, nullptr).is_ok());
  EXPECT_FALSE(export_attention(*m, std::vector<int32_t>(17, 1), 1, nullptr).is_ok());
  EXPECT_FALSE(export_attention(*m, {1, 30}, 1, nullptr).is_ok());
  EXPECT_FALSE(export_attention(*m, {1, 2}, 3, nullptr).is_ok());
}

}  // namespace
}  // namespace marketlm
