// Per-group int8 weights in GptModel: closer to f32 than per-row, saved as
// I8 + [G, OC] / [V, G] scales, and loaded back with the same codes.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "kernels/kernel_test_util.h"
#include "marketlm/core/file_io.h"
#include "marketlm/io/safetensors.h"
#include "marketlm/models/gpt/gpt_model.h"
#include "models/gpt_test_model.h"

namespace marketlm {
namespace {
using kernels::KernelContext;
using kernels::WeightFormat;

std::unique_ptr<GptModel> grouped_model(const KernelContext& ctx) { return testing::small_quant_gpt(ctx, 21); }

const std::vector<int32_t>& kSeq = testing::kQuantSeq;
using testing::rel_rms;

std::vector<float> logits(GptModel& m) {
  GptKvCache cache = m.make_kv_cache(16);
  std::vector<float> out(kSeq.size() * static_cast<size_t>(m.config().vocab_size));
  EXPECT_TRUE(m.forward_cached(kSeq.data(), static_cast<int>(kSeq.size()), &cache, out.data(), true).is_ok());
  return out;
}

TEST(GptQuantGroups, GroupedInt8IsCloseToF32AndRejectsBadGroupSizes) {
  const KernelContext ctx{nullptr, kernels::Isa::kScalar};
  auto f32 = grouped_model(ctx);
  const auto ref = logits(*f32);
  auto row = grouped_model(ctx), g32 = grouped_model(ctx);
  ASSERT_TRUE(row->set_weight_format(WeightFormat::kInt8, 0).is_ok());
  ASSERT_TRUE(g32->set_weight_format(WeightFormat::kInt8, 32).is_ok());
  EXPECT_EQ(g32->int8_group_size(), 32);
  const double e_row = rel_rms(logits(*row), ref), e_g32 = rel_rms(logits(*g32), ref);
  EXPECT_GT(e_g32, 0.0);
  EXPECT_LT(e_g32, e_row);  // finer scales, smaller error
  EXPECT_GT(g32->decode_weight_bytes(), row->decode_weight_bytes());  // more scales
  const Status bad = f32->set_weight_format(WeightFormat::kInt8, 48);
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.message().find("48"), std::string::npos);
  EXPECT_EQ(f32->weight_format(), WeightFormat::kF32);  // unchanged after the refusal
}

TEST(GptQuantGroups, GroupedDirectoryRoundTripsWithSameLogits) {
  ThreadPool pool(2);
  const KernelContext ctx{&pool, kernels::best_isa()};
  const std::string dir = std::string(MARKETLM_BINARY_DIR) + "/test_out/gpt_quant_group";
  std::filesystem::remove_all(dir);
  auto m = grouped_model(ctx);
  ASSERT_TRUE(m->set_weight_format(WeightFormat::kInt8, 32).is_ok());
  ASSERT_TRUE(m->save_pretrained(dir).is_ok());
  auto st = SafetensorsFile::open(dir + "/model.safetensors");
  ASSERT_TRUE(st.is_ok());
  EXPECT_EQ(st->metadata().at("marketlm_int8_group_size"), "32");
  // Conv1D c_fc [64, 256]: scales [2 groups, 256]; wte [71, 64]: [71, 2].
  EXPECT_EQ(st->find("h.1.mlp.c_fc.weight_scale")->shape, (std::vector<int64_t>{2, 256}));
  EXPECT_EQ(st->find("h.1.mlp.c_proj.weight_scale")->shape, (std::vector<int64_t>{8, 64}));
  EXPECT_EQ(st->find("wte.weight_scale")->shape, (std::vector<int64_t>{71, 2}));
  auto config = read_file(dir + "/config.json");
  ASSERT_TRUE(config.is_ok());
  EXPECT_NE(config->find("\"group_size\": 32"), std::string::npos) << *config;
  EXPECT_NE(config->find("\"per_group\""), std::string::npos) << *config;
  auto back = GptModel::from_pretrained(dir, ctx);
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ((*back)->int8_group_size(), 32);
  for (size_t i = 0; i < m->num_params(); ++i)
    ASSERT_NEAR((*back)->params()[i], m->params()[i], 1e-6 * std::fabs(m->params()[i])) << i;
  EXPECT_EQ(logits(**back), logits(*m));

  // A file whose scales do not fit the group size is refused by name.
  auto meta_wrong = SafetensorsWriter();
  meta_wrong.set_metadata("marketlm_int8_group_size", "64");
  for (const auto& t : st->tensors()) {
    auto bytes = st->read_bytes(t);
    ASSERT_TRUE(bytes.is_ok());
    meta_wrong.add_bytes(t.name, t.dtype, t.shape, *bytes);
  }
  ASSERT_TRUE(meta_wrong.write(dir + "/model.safetensors").is_ok());
  auto refused = GptModel::from_pretrained(dir, ctx);
  ASSERT_FALSE(refused.is_ok());
  EXPECT_NE(refused.status().message().find("_scale' of shape"), std::string::npos) << refused.status().to_string();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace marketlm
