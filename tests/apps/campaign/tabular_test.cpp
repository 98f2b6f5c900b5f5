#include "marketlm/apps/campaign/tabular.h"

#include <gtest/gtest.h>

#include <cmath>

#include "marketlm/apps/campaign/uplift.h"
#include "marketlm/core/rng.h"

using namespace marketlm;
using namespace marketlm::campaign;

TEST(CampaignTabular, EncoderKeepsCoilCodesAndOneHotsText) {
  auto t = parse_csv(
      "num,pct,contrib,seg,kind\n"
      "1.5,0%,f 0,1) $0 - $100,Rural\n"
      "2,1 - 10%,f 1000-4999,3) $200 - $350,Urban\n"
      "3,100%,f 20000-?,2) $100 - $200,Rural\n",
      "t.csv");
  ASSERT_TRUE(t.is_ok());
  auto d = encode_features(*t, {"num"});
  ASSERT_TRUE(d.is_ok()) << d.status().to_string();
  ASSERT_EQ(d->n_features, 5);  // pct, contrib, seg, kind=Rural, kind=Urban
  EXPECT_EQ(d->feature_names[3], "kind=Rural");
  EXPECT_EQ(d->row(0)[0], 0.0f);
  EXPECT_EQ(d->row(1)[0], 1.0f);
  EXPECT_EQ(d->row(2)[0], 9.0f);  // 100% is code 9
  EXPECT_EQ(d->row(1)[1], 6.0f);  // f 1000-4999 is code 6
  EXPECT_EQ(d->row(2)[1], 9.0f);
  EXPECT_EQ(d->row(1)[2], 2.0f);  // rank of "3)" among 1, 2, 3
  EXPECT_EQ(d->row(2)[4], 0.0f);
  EXPECT_EQ(d->row(1)[4], 1.0f);
}

TEST(CampaignTabular, AucAndHitsKnownAnswers) {
  EXPECT_DOUBLE_EQ(auc({0.1, 0.4, 0.35, 0.8}, {0, 0, 1, 1}), 0.75);
  EXPECT_DOUBLE_EQ(auc({0.5, 0.5}, {0, 1}), 0.5);
  EXPECT_EQ(hits_at_top({0.9, 0.1, 0.8, 0.7}, {1, 1, 0, 1}, 2), 1);
  auto f = stratified_folds({1, 1, 1, 1, 0, 0, 0, 0, 0, 0}, 2, 3);
  int pos0 = 0;
  for (int i = 0; i < 4; ++i) pos0 += f[i] == 0;
  EXPECT_EQ(pos0, 2);
}

namespace {
// y ~ Bernoulli(sigmoid(-1 + 2 x0 - x1)); x2 is noise.
Dataset synthetic(size_t n, std::vector<double>* y, uint64_t seed) {
  Rng rng(seed);
  Dataset d;
  d.n_features = 3;
  for (size_t i = 0; i < n; ++i) {
    double x0 = rng.normal(), x1 = rng.normal(), x2 = rng.normal();
    d.x.insert(d.x.end(), {float(x0), float(x1), float(x2)});
    double p = 1 / (1 + std::exp(-(-1 + 2 * x0 - x1)));
    y->push_back(rng.uniform_f64() < p ? 1 : 0);
  }
  return d;
}
}  // namespace

TEST(CampaignTabular, LogisticRegressionRecoversCoefficients) {
  std::vector<double> y;
  auto d = synthetic(20000, &y, 1);
  LogisticRegression m;
  LogRegConfig c;
  c.l2 = 1e-6;
  ASSERT_TRUE(m.fit(d, y, {}, c).is_ok());
  // Weights are on standardised features (sd ~ 1 here), so they approximate 2, -1, 0.
  EXPECT_NEAR(m.weights()[0], 2.0, 0.12);
  EXPECT_NEAR(m.weights()[1], -1.0, 0.08);
  EXPECT_NEAR(m.weights()[2], 0.0, 0.06);
  const float x[3] = {0, 0, 0};
  EXPECT_NEAR(m.predict(x), 1 / (1 + std::exp(1.0)), 0.03);
  // A strong penalty shrinks the weights.
  LogisticRegression s;
  c.l2 = 1e5;
  ASSERT_TRUE(s.fit(d, y, {}, c).is_ok());
  EXPECT_LT(std::fabs(s.weights()[0]), 0.5);
}

TEST(CampaignTabular, BoostedTreesLearnAStepAndRankWell) {
  Rng rng(2);
  Dataset d;
  d.n_features = 2;
  std::vector<double> y;
  for (int i = 0; i < 4000; ++i) {
    double a = rng.uniform_f64(), b = rng.uniform_f64();
    d.x.insert(d.x.end(), {float(a), float(b)});
    double p = (a > 0.6 && b < 0.5) ? 0.8 : 0.1;  // an interaction a linear model cannot fit
    y.push_back(rng.uniform_f64() < p ? 1 : 0);
  }
  GbtConfig c;
  c.n_trees = 60;
  c.max_depth = 2;
  c.learning_rate = 0.2;
  GradientBoostedTrees g;
  ASSERT_TRUE(g.fit(d, y, {}, c).is_ok());
  const float in[2] = {0.8f, 0.2f}, out[2] = {0.2f, 0.8f};
  EXPECT_NEAR(g.predict(in), 0.8, 0.08);
  EXPECT_NEAR(g.predict(out), 0.1, 0.05);
  c.n_trees = 0;
  EXPECT_FALSE(g.fit(d, y, {}, c).is_ok());
}

TEST(CampaignUplift, CurveKnownAnswer) {
  // Scores rank two treated responders first, then a control non-responder...
  std::vector<double> s = {0.9, 0.8, 0.7, 0.6};
  std::vector<int> t = {1, 0, 1, 0};
  std::vector<double> y = {1, 0, 0, 1};
  auto c = uplift_curve(s, t, y, 4);
  ASSERT_EQ(c.qini.size(), 5u);
  EXPECT_DOUBLE_EQ(c.qini[0], 0);
  EXPECT_DOUBLE_EQ(c.qini[1], 1);       // 1 treated responder, no control yet
  EXPECT_DOUBLE_EQ(c.qini[2], 1);       // R_t 1 - R_c 0
  EXPECT_DOUBLE_EQ(c.qini[4], 1 - 1);   // R_t 1 - R_c 1 * 2/2
  EXPECT_DOUBLE_EQ(c.uplift[2], (1.0 - 0.0) * 2);
}
