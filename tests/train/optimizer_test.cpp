#include "marketlm/train/optimizer.h"

#include <gtest/gtest.h>

#include <cmath>

#include "marketlm/core/thread_pool.h"
#include "marketlm/train/lr_schedule.h"

namespace marketlm {
namespace {

TEST(LrSchedule, WarmupThenCosineToMinLr) {
  LrSchedule s{1.0f, 0.1f, 10, 110};
  EXPECT_FLOAT_EQ(s.at(0), 0.1f);   // (0+1)/10
  EXPECT_FLOAT_EQ(s.at(4), 0.5f);
  EXPECT_FLOAT_EQ(s.at(9), 1.0f);
  EXPECT_FLOAT_EQ(s.at(10), 1.0f);  // cosine start
  EXPECT_NEAR(s.at(60), 0.55f, 1e-6);  // halfway: min + 0.5 * (max - min)
  EXPECT_NEAR(s.at(35), 0.1 + 0.9 * 0.5 * (1 + std::cos(M_PI * 0.25)), 1e-6);
  EXPECT_FLOAT_EQ(s.at(110), 0.1f);
  EXPECT_FLOAT_EQ(s.at(500), 0.1f);
  LrSchedule flat{2.0f, 2.0f, 0, 5};
  EXPECT_FLOAT_EQ(flat.at(0), 2.0f);
  EXPECT_FLOAT_EQ(flat.at(3), 2.0f);
}

TEST(GradNorm, ClipsToMaxNormAndLeavesSmallGradients) {
  std::vector<float> g = {3.0f, 4.0f};
  const double n = global_grad_norm(g.data(), g.size(), nullptr);
  EXPECT_DOUBLE_EQ(n, 5.0);
  const float scale = clip_grad_norm(g.data(), g.size(), n, 1.0f, nullptr);
  EXPECT_NEAR(scale, 0.2f, 1e-6);
  EXPECT_NEAR(global_grad_norm(g.data(), g.size(), nullptr), 1.0, 1e-6);
  std::vector<float> small = {0.3f, 0.4f};
  EXPECT_EQ(clip_grad_norm(small.data(), 2, 0.5, 1.0f, nullptr), 1.0f);
  EXPECT_EQ(small[0], 0.3f);
  EXPECT_EQ(clip_grad_norm(g.data(), 2, 5.0, 0.0f, nullptr), 1.0f);  // 0 = off
}

TEST(GradNorm, SameBitsForAnyThreadCount) {
  const size_t n = 200003;
  std::vector<float> g(n);
  Rng rng(11);
  for (auto& x : g) x = static_cast<float>(rng.normal());
  ThreadPool p2(2), p4(4);
  const double a = global_grad_norm(g.data(), n, nullptr);
  EXPECT_EQ(a, global_grad_norm(g.data(), n, &p2));
  EXPECT_EQ(a, global_grad_norm(g.data(), n, &p4));
}

TEST(AdamWOptimizer, WeightDecayOnlyOnDecayGroup) {
  std::vector<ParamSpec> specs = {{"w", {2, 2}, 0, 4, true}, {"b", {2}, 4, 2, false}, {"ln.weight", {2}, 6, 2, false}};
  AdamWConfig cfg;
  cfg.weight_decay = 0.5f;
  AdamW opt(specs, 8, cfg, kernels::Isa::kScalar);
  std::vector<float> p(8, 1.0f), g(8, 0.0f);  // zero gradient: only decay can move p
  opt.step(p.data(), g.data(), 0.1f, nullptr);
  for (int i = 0; i < 4; ++i) EXPECT_FLOAT_EQ(p[i], 0.95f) << i;
  for (int i = 4; i < 8; ++i) EXPECT_FLOAT_EQ(p[i], 1.0f) << i;
  EXPECT_EQ(opt.step_count(), 1);

  cfg.no_decay_weight_decay = 0.2f;  // the second group can be given its own decay
  AdamW opt2(specs, 8, cfg, kernels::Isa::kScalar);
  std::vector<float> q(8, 1.0f);
  opt2.step(q.data(), g.data(), 0.1f, nullptr);
  EXPECT_FLOAT_EQ(q[0], 0.95f);
  EXPECT_FLOAT_EQ(q[5], 0.98f);
}

}  // namespace
}  // namespace marketlm
