// The PyTorch SASRec goldens (tests/reference/sasrec_reference.py) load with
// TensorFile, and the parts of SASRec that need no transformer already agree
// with them: scores = hidden . item embedding (shared table, padding row
// excluded) and the BCE / softmax cross-entropy losses over non-padded
// positions. The transformer itself is checked once nn/ lands.
#include <gtest/gtest.h>

#include <cmath>

#include "marketlm/apps/recsys/tensor_file.h"

using namespace marketlm::recsys;

namespace {
const std::string kGolden = MARKETLM_SOURCE_DIR "/tests/reference/goldens/sasrec_tiny.safetensors";
constexpr int B = 3, T = 8, C = 16, V = 20;
}  // namespace

TEST(RecsysSasrecGolden, LayoutAndShapes) {
  auto tf = TensorFile::read(kGolden);
  ASSERT_TRUE(tf.is_ok()) << tf.status().to_string();
  EXPECT_EQ(tf->tensors().at("param.item_emb.weight").shape, (std::vector<int64_t>{V + 1, C}));
  EXPECT_EQ(tf->tensors().at("param.pos_emb.weight").shape, (std::vector<int64_t>{T, C}));
  EXPECT_EQ(tf->tensors().at("param.blocks.1.fc2.weight").shape, (std::vector<int64_t>{C, C}));
  EXPECT_EQ(tf->tensors().at("out.all_logits").shape, (std::vector<int64_t>{B, T, V}));
  EXPECT_EQ(tf->tensors().at("out.attention_last_block").shape, (std::vector<int64_t>{B, 2, T, T}));
  for (const auto& [name, t] : tf->tensors()) {
    if (name.rfind("param.", 0) == 0) {
      EXPECT_TRUE(tf->has("grad.bce." + name.substr(6))) << name;
      EXPECT_TRUE(tf->has("grad.ce." + name.substr(6))) << name;
    }
  }
  auto emb = *tf->get_f32("param.item_emb.weight");
  for (int c = 0; c < C; ++c) EXPECT_EQ(emb[static_cast<size_t>(c)], 0.0f);  // padding row
}

TEST(RecsysSasrecGolden, ScoresAndLossesFromHidden) {
  auto tf = TensorFile::read(kGolden);
  ASSERT_TRUE(tf.is_ok());
  auto emb = *tf->get_f32("param.item_emb.weight", (V + 1) * C);
  auto hid = *tf->get_f32("out.hidden", B * T * C);
  auto all = *tf->get_f32("out.all_logits", B * T * V);
  auto pl = *tf->get_f32("out.pos_logits", B * T);
  auto nl = *tf->get_f32("out.neg_logits", B * T);
  auto pos = *tf->get_i64("input.pos", B * T);
  auto neg = *tf->get_i64("input.neg", B * T);
  const float bce_ref = (*tf->get_f32("loss.bce", 1))[0];
  const float ce_ref = (*tf->get_f32("loss.ce", 1))[0];
  auto dot = [&](int bt, int64_t item) {
    double s = 0;
    for (int c = 0; c < C; ++c) {
      s += static_cast<double>(hid[static_cast<size_t>(bt * C + c)]) * emb[static_cast<size_t>(item * C + c)];
    }
    return s;
  };
  double bce = 0, ce = 0;
  int n = 0;
  for (int bt = 0; bt < B * T; ++bt) {
    for (int i = 1; i <= V; ++i) {
      EXPECT_NEAR(dot(bt, i), all[static_cast<size_t>(bt * V + i - 1)], 1e-5) << bt << " " << i;
    }
    const int64_t p = pos[static_cast<size_t>(bt)];
    if (p == 0) continue;
    EXPECT_NEAR(dot(bt, p), pl[static_cast<size_t>(bt)], 1e-5);
    EXPECT_NEAR(dot(bt, neg[static_cast<size_t>(bt)]), nl[static_cast<size_t>(bt)], 1e-5);
    const double sp = dot(bt, p), sn = dot(bt, neg[static_cast<size_t>(bt)]);
    bce += std::log1p(std::exp(-sp)) + std::log1p(std::exp(sn));
    double mx = -1e30, z = 0;
    for (int i = 1; i <= V; ++i) mx = std::max(mx, dot(bt, i));
    for (int i = 1; i <= V; ++i) z += std::exp(dot(bt, i) - mx);
    ce += mx + std::log(z) - sp;
    ++n;
  }
  EXPECT_EQ(n, 8 + 5 + 2);
  EXPECT_NEAR(bce / n, bce_ref, 1e-5);
  EXPECT_NEAR(ce / n, ce_ref, 1e-5);
}
