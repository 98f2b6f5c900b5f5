// Greedy choice, seeded sampling, log-softmax and top alternatives.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "marketlm/generate/sampling.h"

namespace marketlm {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

TEST(GenSampling, ArgmaxLowestIndexOnTies) {
  EXPECT_EQ(argmax_token(std::vector<float>{1, 3, 3, -kInf}), 1);
  EXPECT_EQ(argmax_token(std::vector<float>{-kInf, -kInf}), -1);
}

TEST(GenSampling, SeededSamplingIsReproducible) {
  const std::vector<float> s{0.1f, 0.5f, -1.0f, 2.0f, 0.0f};
  Rng a(42), b(42), c(43);
  std::vector<int32_t> xa, xb, xc;
  for (int i = 0; i < 200; ++i) {
    xa.push_back(sample_token(s, a));
    xb.push_back(sample_token(s, b));
    xc.push_back(sample_token(s, c));
  }
  EXPECT_EQ(xa, xb);
  EXPECT_NE(xa, xc);
}

TEST(GenSampling, FrequenciesMatchSoftmaxAndMaskedNeverDrawn) {
  const std::vector<float> s{std::log(0.2f), std::log(0.5f), -kInf, std::log(0.3f)};
  Rng rng(7);
  std::vector<int> counts(4, 0);
  const int n = 40000;
  for (int i = 0; i < n; ++i) ++counts[sample_token(s, rng)];
  EXPECT_EQ(counts[2], 0);
  // 5 standard deviations of a binomial at n=40000 is < 0.013.
  EXPECT_NEAR(counts[0] / double(n), 0.2, 0.013);
  EXPECT_NEAR(counts[1] / double(n), 0.5, 0.013);
  EXPECT_NEAR(counts[3] / double(n), 0.3, 0.013);
}

TEST(GenSampling, LogSoftmaxAndTop) {
  const std::vector<float> s{std::log(0.25f), std::log(0.25f), std::log(0.5f), -kInf};
  std::vector<float> lp(4);
  log_softmax(s, lp);
  EXPECT_NEAR(lp[0], std::log(0.25), 1e-6);
  EXPECT_NEAR(lp[2], std::log(0.5), 1e-6);
  EXPECT_EQ(lp[3], -kInf);
  const auto top = top_logprobs(lp, 3);
  ASSERT_EQ(top.size(), 3u);
  EXPECT_EQ(top[0].token, 2);
  EXPECT_EQ(top[1].token, 0);  // tie: lower id first
  EXPECT_EQ(top[2].token, 1);
  EXPECT_EQ(top_logprobs(lp, 10).size(), 3u);  // -inf skipped
}

}  // namespace
}  // namespace marketlm
