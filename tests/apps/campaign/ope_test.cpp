#include "marketlm/apps/campaign/ope.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <numeric>

#include "marketlm/core/rng.h"

using namespace marketlm;
using namespace marketlm::campaign;

namespace {

// A synthetic log with known truth: K actions, one slot, click rates mu,
// a non-uniform logging policy p_b and a fixed evaluation policy pi_e.
// True value V = sum_a pi_e(a) mu_a.
struct Synthetic {
  std::vector<double> mu = {0.10, 0.30, 0.05, 0.50, 0.20};
  std::vector<double> pb = {0.40, 0.10, 0.30, 0.10, 0.10};
  std::vector<double> pe = {0.05, 0.25, 0.05, 0.60, 0.05};
  double truth() const {
    double v = 0;
    for (size_t a = 0; a < mu.size(); ++a) v += pe[a] * mu[a];
    return v;
  }
  LoggedFeedback log(size_t n, uint64_t seed) const {
    Rng rng(seed);
    LoggedFeedback lf;
    lf.n_actions = static_cast<int>(mu.size());
    for (size_t i = 0; i < n; ++i) {
      double u = rng.uniform_f64(), c = 0;
      int a = 0;
      for (; a < lf.n_actions - 1; ++a) {
        c += pb[a];
        if (u < c) break;
      }
      lf.action.push_back(a);
      lf.position.push_back(0);
      lf.propensity.push_back(pb[a]);
      lf.reward.push_back(rng.uniform_f64() < mu[a] ? 1.0 : 0.0);
    }
    return lf;
  }
};

}  // namespace

TEST(CampaignOpe, HandComputedValues) {
  OpeInputs in;
  in.reward = {1, 0, 1, 0};
  in.weight = {2, 0.5, 0, 1.5};
  in.q_logged = {0.5, 0.5, 0.2, 0.1};
  in.q_policy = {0.4, 0.4, 0.3, 0.3};
  in.match = {1, 0, 1, 1};
  EXPECT_DOUBLE_EQ(point_estimate(Estimator::kIps, in, nullptr, 4), 2.0 / 4);
  EXPECT_DOUBLE_EQ(point_estimate(Estimator::kSnips, in, nullptr, 4), 2.0 / 4.0);
  EXPECT_DOUBLE_EQ(point_estimate(Estimator::kReplay, in, nullptr, 4), 2.0 / 3);
  EXPECT_DOUBLE_EQ(point_estimate(Estimator::kDm, in, nullptr, 4), 1.4 / 4);
  // DR: q_policy + w (r - q_logged) = .4+1, .4-.25, .3+0, .3-.15
  EXPECT_DOUBLE_EQ(point_estimate(Estimator::kDr, in, nullptr, 4), (1.4 + 0.15 + 0.3 + 0.15) / 4);
}

TEST(CampaignOpe, IpsIsUnbiasedAndIntervalsCoverTheTruth) {
  Synthetic s;
  const double truth = s.truth();
  const int seeds = 40;
  double mean_ips = 0, mean_dr = 0;
  std::vector<double> ips_vals;
  int covered_ips = 0, covered_dr = 0, covered_snips = 0;
  ThreadPool pool(2);
  for (int seed = 0; seed < seeds; ++seed) {
    auto lf = s.log(3000, 100 + seed);
    std::vector<double> q = fit_reward_table(lf, 5.0);
    auto in = make_ope_inputs(lf, s.pe, q, seed);
    ASSERT_TRUE(in.is_ok()) << in.status().to_string();
    OpeOptions opt;
    opt.estimators = {Estimator::kIps, Estimator::kDr, Estimator::kSnips};
    opt.n_bootstrap = 200;
    opt.seed = seed;
    auto est = evaluate(*in, opt, &pool);
    ASSERT_TRUE(est.is_ok());
    const auto& ips = (*est)[0];
    const auto& dr = (*est)[1];
    const auto& sn = (*est)[2];
    EXPECT_LE(ips.ci_low, ips.value);
    EXPECT_GE(ips.ci_high, ips.value);
    covered_ips += ips.ci_low <= truth && truth <= ips.ci_high;
    covered_dr += dr.ci_low <= truth && truth <= dr.ci_high;
    covered_snips += sn.ci_low <= truth && truth <= sn.ci_high;
    mean_ips += ips.value / seeds;
    mean_dr += dr.value / seeds;
    ips_vals.push_back(ips.value);
  }
  double sd = 0;
  for (double v : ips_vals) sd += (v - mean_ips) * (v - mean_ips);
  sd = std::sqrt(sd / (seeds - 1));
  // Unbiased: the average of 40 independent estimates is within 3.5 standard
  // errors of the analytic value.
  EXPECT_NEAR(mean_ips, truth, 3.5 * sd / std::sqrt(seeds));
  EXPECT_NEAR(mean_dr, truth, 0.01);
  // Nominal 95% intervals: at least 32 of 40 should cover (P(fewer) < 1e-3).
  EXPECT_GE(covered_ips, 32);
  EXPECT_GE(covered_dr, 32);
  EXPECT_GE(covered_snips, 32);
}

TEST(CampaignOpe, DirectMethodWithTheTrueModelIsExact) {
  Synthetic s;
  auto lf = s.log(500, 1);
  auto in = make_ope_inputs(lf, s.pe, s.mu, 0);
  ASSERT_TRUE(in.is_ok());
  EXPECT_NEAR(point_estimate(Estimator::kDm, *in, nullptr, in->size()), s.truth(), 1e-12);
}

TEST(CampaignOpe, ReplayUnderUniformLoggingEstimatesTheValue) {
  Synthetic s;
  s.pb = {0.2, 0.2, 0.2, 0.2, 0.2};
  auto lf = s.log(40000, 9);
  auto in = make_ope_inputs(lf, s.pe, {}, 3);
  ASSERT_TRUE(in.is_ok());
  OpeOptions opt;
  opt.estimators = {Estimator::kReplay};
  opt.n_bootstrap = 100;
  auto est = evaluate(*in, opt, nullptr);
  ASSERT_TRUE(est.is_ok());
  EXPECT_NEAR((*est)[0].value, s.truth(), 0.02);
  EXPECT_NEAR((*est)[0].n_used, 40000 * 0.2, 400);
}

TEST(CampaignOpe, SameSeedSameNumbersWhateverTheThreadCount) {
  Synthetic s;
  auto lf = s.log(2000, 4);
  auto in = make_ope_inputs(lf, s.pe, fit_reward_table(lf), 1);
  ASSERT_TRUE(in.is_ok());
  OpeOptions opt;
  opt.seed = 77;
  ThreadPool p1(1), p2(2);
  auto a = evaluate(*in, opt, &p1), b = evaluate(*in, opt, &p2);
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  for (size_t i = 0; i < a->size(); ++i) {
    EXPECT_EQ((*a)[i].ci_low, (*b)[i].ci_low);
    EXPECT_EQ((*a)[i].ci_high, (*b)[i].ci_high);
  }
}

TEST(CampaignOpe, BadInputs) {
  Synthetic s;
  auto lf = s.log(50, 1);
  EXPECT_FALSE(make_ope_inputs(lf, {0.5, 0.5}, {}, 0).is_ok());             // wrong size
  EXPECT_FALSE(make_ope_inputs(lf, {0.5, 0.5, 0.5, 0, 0}, {}, 0).is_ok());  // sums to 1.5
  auto in = make_ope_inputs(lf, s.pe, {}, 0);
  ASSERT_TRUE(in.is_ok());
  OpeOptions opt;  // asks for DM/DR without a reward model
  EXPECT_FALSE(evaluate(*in, opt, nullptr).is_ok());
  opt.estimators = {Estimator::kIps};
  opt.confidence = 1.5;
  EXPECT_FALSE(evaluate(*in, opt, nullptr).is_ok());
  EXPECT_FALSE(evaluate(OpeInputs{}, OpeOptions{}, nullptr).is_ok());
  EXPECT_FALSE(parse_estimator("magic").is_ok());
  EXPECT_EQ(*parse_estimator("snips"), Estimator::kSnips);
}

TEST(CampaignOpe, ReadLoggedFeedbackValidatesColumns) {
  const std::string dir = ::testing::TempDir();
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir + name) << text;
    return dir + name;
  };
  LogColumns cols;
  auto ok = read_logged_feedback(
      write("ok.csv", "item_id,position,click,propensity_score\n0,1,0,0.5\n2,2,1,\"0.25\"\n"), cols);
  ASSERT_TRUE(ok.is_ok()) << ok.status().to_string();
  EXPECT_EQ(ok->n_actions, 3);
  EXPECT_EQ(ok->n_positions, 2);
  EXPECT_EQ(ok->position[1], 1);

  auto missing = read_logged_feedback(write("m.csv", "item_id,position,click\n0,1,0\n"), cols);
  ASSERT_FALSE(missing.is_ok());
  EXPECT_NE(missing.status().message().find("propensity_score"), std::string::npos);

  auto zero_p = read_logged_feedback(
      write("z.csv", "item_id,position,click,propensity_score\n0,1,0,0.5\n1,1,0,0\n"), cols);
  ASSERT_FALSE(zero_p.is_ok());
  EXPECT_NE(zero_p.status().message().find("z.csv:3:4 'propensity_score'"), std::string::npos)
      << zero_p.status().message();

  auto bad_pos = read_logged_feedback(
      write("p.csv", "item_id,position,click,propensity_score\n0,0,0,0.5\n"), cols);
  ASSERT_FALSE(bad_pos.is_ok());
  EXPECT_NE(bad_pos.status().message().find("'position'"), std::string::npos);

  auto bad_item = read_logged_feedback(
      write("i.csv", "item_id,position,click,propensity_score\nshoe,1,0,0.5\n"), cols);
  ASSERT_FALSE(bad_item.is_ok());
  EXPECT_NE(bad_item.status().message().find("shoe"), std::string::npos);

  EXPECT_FALSE(read_logged_feedback(write("e.csv", "item_id,position,click,propensity_score\n"), cols).is_ok());
}

TEST(CampaignOpe, RefittingTheRewardModelWidensDmIntervalsAndKeepsPointValues) {
  Synthetic s;
  auto lf = s.log(3000, 21);
  auto q = fit_reward_table(lf, 20.0);
  auto fixed = make_ope_inputs(lf, s.pe, q, 1);
  auto refit = make_ope_inputs(lf, s.pe, q, 1, 20.0);
  ASSERT_TRUE(fixed.is_ok() && refit.is_ok());
  OpeOptions opt;
  opt.estimators = {Estimator::kDm, Estimator::kDr};
  opt.n_bootstrap = 200;
  auto a = evaluate(*fixed, opt, nullptr), b = evaluate(*refit, opt, nullptr);
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  EXPECT_DOUBLE_EQ((*a)[0].value, (*b)[0].value);
  EXPECT_DOUBLE_EQ((*a)[1].value, (*b)[1].value);
  // With q fixed, DM's rows all carry the same number: zero-width interval.
  EXPECT_NEAR((*a)[0].ci_high - (*a)[0].ci_low, 0.0, 1e-12);
  EXPECT_GT((*b)[0].ci_high - (*b)[0].ci_low, 0.005);
  EXPECT_LE((*b)[0].ci_low, s.truth());
  EXPECT_GE((*b)[0].ci_high, s.truth());
}
