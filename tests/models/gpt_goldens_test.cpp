// Parity with the PyTorch reference (tests/reference/gpt2_reference.py):
// logits, loss, every parameter gradient and 10 AdamW steps on a tiny GPT-2.
// Tolerances and their reasons: docs/numerics.md.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>

#include "marketlm/io/safetensors.h"
#include "marketlm/models/gpt/gpt_model.h"
#include "kernels/kernel_test_util.h"

namespace marketlm {
namespace {
using kernels::Isa;
using kernels::KernelContext;

std::string sci(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.3g", v);
  return buf;
}

const std::string kGoldenDir = std::string(MARKETLM_SOURCE_DIR) + "/tests/reference/goldens";

struct Goldens {
  GptConfig config;
  int B = 0, T = 0;
  std::vector<int32_t> inputs, targets;
  std::vector<float> logits, adamw_losses;
  float loss = 0;
  SafetensorsFile file;
};

Goldens load_goldens() {
  auto f = SafetensorsFile::open(kGoldenDir + "/gpt2_tiny_goldens.safetensors");
  EXPECT_TRUE(f.is_ok()) << f.status().to_string();
  Goldens g{GptConfig{}, 0, 0, {}, {}, {}, {}, 0, std::move(f).value()};
  const auto& m = g.file.metadata();
  g.config.n_layer = std::stoi(m.at("n_layer"));
  g.config.n_head = std::stoi(m.at("n_head"));
  g.config.n_embd = std::stoi(m.at("n_embd"));
  g.config.n_ctx = std::stoi(m.at("n_ctx"));
  g.config.vocab_size = std::stoi(m.at("vocab_size"));
  g.config.set_dropout(0.0f);
  g.config.bos_token_id = g.config.eos_token_id = g.config.vocab_size - 1;
  g.B = std::stoi(m.at("B"));
  g.T = std::stoi(m.at("T"));
  auto ints = [&](const char* name) {
    auto bytes = g.file.read_bytes(*g.file.find(name));
    std::vector<int32_t> v(bytes->size() / 4);
    std::memcpy(v.data(), bytes->data(), bytes->size());
    return v;
  };
  auto floats = [&](const std::string& name) {
    const TensorInfo* t = g.file.find(name);
    EXPECT_NE(t, nullptr) << name;
    std::vector<float> v(static_cast<size_t>(t ? t->numel() : 0));
    if (t) {
      EXPECT_TRUE(g.file.read_f32(*t, v.data()).is_ok());
    }
    return v;
  };
  g.inputs = ints("inputs");
  g.targets = ints("targets");
  g.logits = floats("logits");
  g.adamw_losses = floats("adamw_losses");
  g.loss = floats("loss")[0];
  return g;
}

std::unique_ptr<GptModel> load_model(const Goldens& g, const KernelContext& ctx) {
  auto m = GptModel::create(g.config, ctx);
  EXPECT_TRUE(m.is_ok()) << m.status().to_string();
  Status s = (*m)->load_safetensors(kGoldenDir + "/gpt2_tiny_params.safetensors");
  EXPECT_TRUE(s.is_ok()) << s.to_string();
  return std::move(m).value();
}

TEST(GptGoldens, LogitsLossAndEveryGradientMatchPyTorch) {
  Goldens g = load_goldens();
  ThreadPool pool(2);
  for (Isa isa : kernels::testing::test_isas()) {
    SCOPED_TRACE(kernels::isa_name(isa));
    auto model = load_model(g, KernelContext{&pool, isa});
    std::vector<float> logits(g.logits.size());
    ASSERT_TRUE(model->forward_logits(g.inputs.data(), g.B, g.T, logits.data()).is_ok());
    kernels::testing::expect_close("logits", logits, g.logits, 1e-4, 2e-5);
    double max_logit_diff = 0;
    for (size_t i = 0; i < logits.size(); ++i)
      max_logit_diff = std::max(max_logit_diff, static_cast<double>(std::fabs(logits[i] - g.logits[i])));
    RecordProperty(std::string("max_logit_diff_") + kernels::isa_name(isa), sci(max_logit_diff));

    TokenBatch batch{g.inputs.data(), g.targets.data(), g.B, g.T};
    LossSum eval = model->forward_loss(batch);
    EXPECT_EQ(eval.count, g.B * g.T - 3);
    EXPECT_NEAR(eval.sum / eval.count, g.loss, 2e-5);

    model->zero_grad();
    LossSum r = model->forward_backward(batch, 1.0f / static_cast<float>(eval.count), nullptr);
    EXPECT_NEAR(r.sum / r.count, g.loss, 2e-5);
    double worst = 0;
    std::string worst_name;
    for (const ParamSpec& s : model->param_specs()) {
      auto ref = [&] {
        const TensorInfo* t = g.file.find("grad." + s.name);
        std::vector<float> v(s.numel);
        EXPECT_NE(t, nullptr) << s.name;
        if (t) {
      EXPECT_TRUE(g.file.read_f32(*t, v.data()).is_ok());
    }
        return v;
      }();
      float max_ref = 0;
      for (float v : ref) max_ref = std::max(max_ref, std::fabs(v));
      const float* got = model->grads() + s.offset;
      for (size_t i = 0; i < s.numel; ++i) {
        const double err = std::fabs(got[i] - ref[i]) / (1e-4 * max_ref + 1e-7);
        if (err > worst) {
          worst = err;
          worst_name = s.name + "[" + std::to_string(i) + "]";
        }
      }
      // each tensor: within 1e-4 of its largest entry (plus a 1e-7 floor)
      kernels::testing::expect_close("grad " + s.name, got, ref.data(), s.numel, 1e-4, 1e-4 * max_ref + 1e-7);
    }
    RecordProperty(std::string("worst_grad_error_") + kernels::isa_name(isa), sci(worst));
  }
}

// A plain AdamW (PyTorch semantics, decoupled weight decay on decay=true
// tensors) only to check the golden AdamW losses; the trainer owns the real one.
TEST(GptGoldens, TenAdamWStepsFollowPyTorchLosses) {
  Goldens g = load_goldens();
  const auto& m = g.file.metadata();
  const float lr = std::stof(m.at("adamw_lr")), b1 = std::stof(m.at("adamw_beta1")),
              b2 = std::stof(m.at("adamw_beta2")), eps = std::stof(m.at("adamw_eps")),
              wd = std::stof(m.at("adamw_weight_decay"));
  ThreadPool pool(2);
  auto model = load_model(g, KernelContext{&pool, kernels::best_isa()});
  const size_t n = model->num_params();
  std::vector<float> mom(n, 0.f), vel(n, 0.f);
  TokenBatch batch{g.inputs.data(), g.targets.data(), g.B, g.T};
  const int steps = static_cast<int>(g.adamw_losses.size());
  double max_diff = 0;
  ASSERT_EQ(steps, 10);
  for (int step = 1; step <= steps; ++step) {
    model->zero_grad();
    LossSum r = model->forward_backward(batch, 1.0f / 13.0f, nullptr);
    ASSERT_EQ(r.count, 13);
    EXPECT_NEAR(r.sum / r.count, g.adamw_losses[step - 1], 1e-4) << "step " << step;
    max_diff = std::max(max_diff, std::fabs(r.sum / r.count - g.adamw_losses[step - 1]));
    const float bc1 = 1.0f - std::pow(b1, static_cast<float>(step));
    const float bc2 = 1.0f - std::pow(b2, static_cast<float>(step));
    for (const ParamSpec& s : model->param_specs()) {
      float* p = model->params() + s.offset;
      const float* gr = model->grads() + s.offset;
      for (size_t i = 0; i < s.numel; ++i) {
        const size_t k = s.offset + i;
        if (s.decay) p[i] -= lr * wd * p[i];
        mom[k] = b1 * mom[k] + (1 - b1) * gr[i];
        vel[k] = b2 * vel[k] + (1 - b2) * gr[i] * gr[i];
        p[i] -= lr * (mom[k] / bc1) / (std::sqrt(vel[k] / bc2) + eps);
      }
    }
  }
  RecordProperty("max_adamw_loss_diff", sci(max_diff));
}

}  // namespace
}  // namespace marketlm
