// The quantised inference path: the KV-cached forward with bf16 / int8
// weights against the f32 model, on every ISA path, and quantised model
// directories saved and loaded back. Tolerances: docs/numerics.md.
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

std::unique_ptr<GptModel> model_for(const KernelContext& ctx) { return testing::small_quant_gpt(ctx, 11); }

const std::vector<int32_t>& kSeq = testing::kQuantSeq;
using testing::rel_rms;

// Logits of every position: a prefill of the first 5 tokens, then steps.
std::vector<float> cached_logits(GptModel& m) {
  const int V = m.config().vocab_size;
  GptKvCache cache = m.make_kv_cache(16);
  std::vector<float> out(kSeq.size() * V);
  EXPECT_TRUE(m.forward_cached(kSeq.data(), 5, &cache, out.data(), true).is_ok());
  for (size_t i = 5; i < kSeq.size(); ++i)
    EXPECT_TRUE(m.forward_cached(&kSeq[i], 1, &cache, out.data() + i * V).is_ok());
  return out;
}

TEST(GptQuant, Bf16CachedForwardEqualsF32ForwardOfTheRoundedWeights) {
  ThreadPool pool(2);
  for (auto isa : kernels::testing::test_isas()) {
    SCOPED_TRACE(kernels::isa_name(isa));
    auto m = model_for(KernelContext{&pool, isa});
    ASSERT_TRUE(m->set_weight_format(WeightFormat::kBF16).is_ok());
    EXPECT_EQ(m->weight_format(), WeightFormat::kBF16);
    const auto q = cached_logits(*m);
    // params() now hold the bf16 values exactly, so the f32 training forward
    // computes the same function; only summation order differs.
    std::vector<float> full(q.size());
    ASSERT_TRUE(m->forward_logits(kSeq.data(), 1, static_cast<int>(kSeq.size()), full.data()).is_ok());
    kernels::testing::expect_close("bf16 vs f32 forward", q, full, 1e-4, 1e-4);
  }
}

TEST(GptQuant, QuantisedLogitsStayCloseToF32OnEveryPath) {
  ThreadPool pool(2);
  for (auto isa : kernels::testing::test_isas()) {
    SCOPED_TRACE(kernels::isa_name(isa));
    auto m = model_for(KernelContext{&pool, isa});
    const auto f32 = cached_logits(*m);
    for (WeightFormat f : {WeightFormat::kBF16, WeightFormat::kInt8}) {
      auto q = model_for(KernelContext{&pool, isa});
      ASSERT_TRUE(q->set_weight_format(f).is_ok());
      const auto got = cached_logits(*q);
      const double rel = rel_rms(got, f32);
      // Measured: bf16 ~1e-3, int8 ~1e-2 on this model; bounds leave 3-5x.
      EXPECT_LT(rel, f == WeightFormat::kBF16 ? 5e-3 : 4e-2) << kernels::weight_format_name(f);
      EXPECT_GT(rel, 0.0) << kernels::weight_format_name(f);
      int agree = 0;
      const int V = m->config().vocab_size;
      for (size_t t = 0; t < kSeq.size(); ++t) {
        auto arg = [&](const std::vector<float>& l) {
          return std::max_element(l.begin() + t * V, l.begin() + (t + 1) * V) - (l.begin() + t * V);
        };
        agree += arg(got) == arg(f32);
      }
      EXPECT_GE(agree, static_cast<int>(kSeq.size()) - 1) << kernels::weight_format_name(f);
    }
  }
}

TEST(GptQuant, BatchedStepMatchesSingleStepsForInt8) {
  ThreadPool pool(2);
  auto m = model_for(KernelContext{&pool, kernels::best_isa()});
  ASSERT_TRUE(m->set_weight_format(WeightFormat::kInt8).is_ok());
  const int V = m->config().vocab_size;
  GptKvCache a = m->make_kv_cache(16), b = m->make_kv_cache(16);
  std::vector<float> la(V), lb(V), both(2 * V);
  ASSERT_TRUE(m->forward_cached(kSeq.data(), 3, &a, la.data()).is_ok());
  ASSERT_TRUE(m->forward_cached(kSeq.data() + 3, 4, &b, lb.data()).is_ok());
  GptKvCache a2 = a, b2 = b;
  const int32_t next[2] = {5, 9};
  ASSERT_TRUE(m->forward_cached(&next[0], 1, &a, la.data()).is_ok());
  ASSERT_TRUE(m->forward_cached(&next[1], 1, &b, lb.data()).is_ok());
  GptKvCache* caches[2] = {&a2, &b2};
  ASSERT_TRUE(m->forward_cached_step(next, caches, 2, both.data()).is_ok());
  // Activations are quantised per row, so batching does not change a row.
  kernels::testing::expect_close("seq a", both.data(), la.data(), V, 1e-5, 1e-5);
  kernels::testing::expect_close("seq b", both.data() + V, lb.data(), V, 1e-5, 1e-5);
}

TEST(GptQuant, QuantisedDirectoriesRoundTrip) {
  ThreadPool pool(2);
  const KernelContext ctx{&pool, kernels::best_isa()};
  const std::string dir = (std::filesystem::temp_directory_path() / "marketlm_gpt_quant_test").string();
  for (WeightFormat f : {WeightFormat::kBF16, WeightFormat::kInt8}) {
    SCOPED_TRACE(kernels::weight_format_name(f));
    std::filesystem::remove_all(dir);
    auto m = model_for(ctx);
    ASSERT_TRUE(m->set_weight_format(f).is_ok());
    ASSERT_TRUE(m->save_pretrained(dir).is_ok());
    auto st = SafetensorsFile::open(dir + "/model.safetensors");
    ASSERT_TRUE(st.is_ok());
    const TensorInfo* w = st->find("h.1.mlp.c_fc.weight");
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->dtype, f == WeightFormat::kInt8 ? DType::kI8 : DType::kBF16);
    EXPECT_EQ(w->shape, (std::vector<int64_t>{64, 256}));
    EXPECT_EQ(st->find("h.1.mlp.c_fc.weight_scale") != nullptr, f == WeightFormat::kInt8);
    EXPECT_EQ(st->find("wte.weight")->dtype, f == WeightFormat::kInt8 ? DType::kI8 : DType::kBF16);
    EXPECT_EQ(st->find("h.0.ln_1.weight")->dtype, DType::kF32);
    auto config = read_file(dir + "/config.json");
    ASSERT_TRUE(config.is_ok());
    EXPECT_NE(config->find("\"quantization_config\""), std::string::npos);

    auto back = GptModel::from_pretrained(dir, ctx);
    ASSERT_TRUE(back.is_ok()) << back.status().to_string();
    EXPECT_EQ((*back)->weight_format(), f);
    for (size_t i = 0; i < m->num_params(); ++i)
      ASSERT_NEAR((*back)->params()[i], m->params()[i], 1e-6 * std::fabs(m->params()[i])) << i;
    kernels::testing::expect_close("reloaded logits", cached_logits(**back), cached_logits(*m), 1e-5, 1e-5);
  }
  std::filesystem::remove_all(dir);
}

TEST(GptQuant, Int8WeightWithoutScaleIsRefusedByName) {
  const std::string dir = (std::filesystem::temp_directory_path() / "marketlm_gpt_quant_bad").string();
  std::filesystem::remove_all(dir);
  auto m = model_for(KernelContext{nullptr, kernels::Isa::kScalar});
  ASSERT_TRUE(m->save_pretrained(dir).is_ok());
  // Rewrite the file with one I8 tensor and no scale.
  SafetensorsWriter w;
  for (const auto& s : m->param_specs()) {
    if (s.name == "h.0.attn.c_proj.weight") {
      w.add_bytes(s.name, DType::kI8, s.shape, std::string(s.numel, '\1'));
    } else {
      w.add_f32(s.name, s.shape, m->params() + s.offset);
    }
  }
  ASSERT_TRUE(w.write(dir + "/model.safetensors").is_ok());
  auto back = GptModel::from_pretrained(dir, KernelContext{});
  ASSERT_FALSE(back.is_ok());
  EXPECT_NE(back.status().message().find("h.0.attn.c_proj.weight_scale"), std::string::npos)
      << back.status().message();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace marketlm
