#include "marketlm/apps/campaign/bandit.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <vector>

using namespace marketlm;
using namespace marketlm::campaign;

namespace {
PolicyConfig cfg(int k, int dim = 0) {
  PolicyConfig c;
  c.n_actions = k;
  c.dim = dim;
  return c;
}
std::unique_ptr<BanditPolicy> make(const std::string& n, const PolicyConfig& c) {
  auto p = make_policy(n, c);
  EXPECT_TRUE(p.is_ok()) << p.status().to_string();
  return std::move(p).value();
}
}  // namespace

TEST(CampaignBandit, EpsilonGreedyUpdateAndExactPropensities) {
  auto c = cfg(4);
  c.epsilon = 0.2;
  auto p = make("egreedy", c);
  std::vector<double> none;
  ASSERT_TRUE(p->update(none, 2, 1.0).is_ok());
  ASSERT_TRUE(p->update(none, 2, 0.0).is_ok());
  ASSERT_TRUE(p->update(none, 1, 1.0).is_ok());
  ASSERT_TRUE(p->update(none, 0, 0.0).is_ok());
  ASSERT_TRUE(p->update(none, 3, 0.0).is_ok());
  auto s = arm_stats(*p);
  EXPECT_EQ(s.pulls, (std::vector<double>{1, 1, 2, 1}));
  EXPECT_EQ(s.reward_sum, (std::vector<double>{0, 1, 1, 0}));
  Rng rng(1);
  auto d = p->action_distribution(none, 2, rng, 1);
  ASSERT_TRUE(d.is_ok());
  // Greedy slate is [1 (mean 1), 2 (mean .5)].
  EXPECT_NEAR((*d)[0 * 4 + 1], 0.8 + 0.05, 1e-12);
  EXPECT_NEAR((*d)[0 * 4 + 0], 0.05, 1e-12);
  EXPECT_NEAR((*d)[1 * 4 + 2], 0.85, 1e-12);
  // Logged propensities match the distribution; empirical frequencies too.
  int top1 = 0;
  for (int t = 0; t < 20000; ++t) {
    auto sl = p->select(none, 2, rng);
    ASSERT_TRUE(sl.is_ok());
    EXPECT_NE(sl->items[0], sl->items[1]);
    EXPECT_NEAR(sl->propensity[0], (*d)[sl->items[0]], 1e-12);
    top1 += sl->items[0] == 1;
  }
  EXPECT_NEAR(top1 / 20000.0, 0.85, 0.015);
}

TEST(CampaignBandit, Ucb1TriesEveryArmThenUsesTheBonus) {
  auto p = make("ucb1", cfg(3));
  std::vector<double> none;
  Rng rng(0);
  std::set<int> first;
  for (int t = 0; t < 3; ++t) {
    auto s = p->select(none, 1, rng);
    ASSERT_TRUE(s.is_ok());
    EXPECT_EQ(s->propensity[0], 1.0);
    first.insert(s->items[0]);
    ASSERT_TRUE(p->update(none, s->items[0], s->items[0] == 0 ? 1.0 : 0.0).is_ok());
  }
  EXPECT_EQ(first.size(), 3u);
  // Scores now: arm0 = 1 + sqrt(2 ln 3), others sqrt(2 ln 3): arm 0 first.
  auto s = p->select(none, 3, rng);
  EXPECT_EQ(s->items[0], 0);
  // After many pulls of arm 0 the bonus of arms 1, 2 wins: sqrt(2 ln t / 1) grows.
  for (int t = 0; t < 50; ++t) ASSERT_TRUE(p->update(none, 0, 0.0).is_ok());
  s = p->select(none, 1, rng);
  EXPECT_NE(s->items[0], 0);
  auto st = arm_stats(*p);
  EXPECT_EQ(st.pulls[0], 51);
}

TEST(CampaignBandit, BernoulliTsPosteriorAndDiscounting) {
  auto c = cfg(2);
  c.alpha0 = 1;
  c.beta0 = 2;
  auto p = make("bts", c);
  std::vector<double> none;
  ASSERT_TRUE(p->update(none, 0, 1.0).is_ok());
  ASSERT_TRUE(p->update(none, 0, 0.0).is_ok());
  ASSERT_TRUE(p->update(none, 1, 1.0).is_ok());
  auto s = arm_stats(*p);
  EXPECT_EQ(s.alpha, (std::vector<double>{2, 2}));
  EXPECT_EQ(s.beta, (std::vector<double>{3, 2}));
  EXPECT_FALSE(p->update(none, 0, 1.5).is_ok());
  EXPECT_FALSE(p->update(none, 0, -0.1).is_ok());

  c.discount = 0.5;
  auto d = make("bts", c);
  ASSERT_TRUE(d->update(none, 0, 1.0).is_ok());  // S0 = 1
  ASSERT_TRUE(d->update(none, 1, 0.0).is_ok());  // S0 = .5, F1 = 1
  ASSERT_TRUE(d->update(none, 1, 1.0).is_ok());  // S0 = .25, F1 = .5, S1 = 1
  s = arm_stats(*d);
  EXPECT_DOUBLE_EQ(s.alpha[0], 1.25);
  EXPECT_DOUBLE_EQ(s.alpha[1], 2.0);
  EXPECT_DOUBLE_EQ(s.beta[1], 2.5);
}

TEST(CampaignBandit, BtsSlotProbabilitiesMatchAClosedForm) {
  // theta0 ~ Beta(1,1), theta1 ~ Beta(2,1): P(theta1 > theta0) = 2/3.
  Rng rng(7);
  auto d = bts_slot_probabilities({1, 2}, {1, 1}, 2, 40000, rng);
  EXPECT_NEAR(d[1], 2.0 / 3.0, 0.01);
  EXPECT_NEAR(d[0] + d[1], 1.0, 1e-12);
  EXPECT_NEAR(d[2 + 0], 2.0 / 3.0, 0.01);  // slot 2 holds the loser
}

TEST(CampaignBandit, BetaSamplerMoments) {
  Rng rng(3);
  for (auto [a, b] : std::vector<std::pair<double, double>>{{0.5, 0.5}, {2, 5}, {30, 3}}) {
    double m = 0, m2 = 0;
    const int n = 40000;
    for (int i = 0; i < n; ++i) {
      double x = sample_beta(a, b, rng);
      ASSERT_GE(x, 0.0);
      ASSERT_LE(x, 1.0);
      m += x;
      m2 += x * x;
    }
    m /= n;
    m2 /= n;
    EXPECT_NEAR(m, a / (a + b), 0.006);
    EXPECT_NEAR(m2 - m * m, a * b / ((a + b) * (a + b) * (a + b + 1)), 0.004);
  }
}

TEST(CampaignBandit, LinearPoliciesRecoverTheRidgeSolution) {
  for (const char* name : {"linucb", "lints"}) {
    auto c = cfg(2, 3);
    c.ridge = 1.0;
    auto p = make(name, c);
    // Rows for arm 0; the ridge solution solves (I + X^T X) theta = X^T y.
    std::vector<std::vector<double>> X = {{1, 0, 0}, {0, 1, 0}, {1, 1, 1}, {0, 0, 1}, {1, 2, 0}};
    std::vector<double> y = {1, 2, 2, 0.5, 3};
    for (size_t i = 0; i < X.size(); ++i) ASSERT_TRUE(p->update(X[i], 0, y[i]).is_ok());
    auto th = linear_theta(*p, 0);
    ASSERT_EQ(th.size(), 3u);
    // Check the normal equations directly.
    double A[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, r[3] = {0, 0, 0};
    for (size_t i = 0; i < X.size(); ++i)
      for (int a = 0; a < 3; ++a) {
        r[a] += X[i][a] * y[i];
        for (int b = 0; b < 3; ++b) A[a][b] += X[i][a] * X[i][b];
      }
    for (int a = 0; a < 3; ++a) {
      double lhs = 0;
      for (int b = 0; b < 3; ++b) lhs += A[a][b] * th[b];
      EXPECT_NEAR(lhs, r[a], 1e-9) << name;
    }
    auto th1 = linear_theta(*p, 1);
    EXPECT_EQ(th1, (std::vector<double>{0, 0, 0}));
  }
}

TEST(CampaignBandit, LinUcbLearnsWhichArmSuitsWhichContext) {
  auto c = cfg(2, 2);
  c.lin_alpha = 0.5;
  auto p = make("linucb", c);
  Rng rng(5);
  for (int t = 0; t < 400; ++t) {
    std::vector<double> x = {1.0, rng.uniform_f64() < 0.5 ? 1.0 : 0.0};
    auto s = p->select(x, 1, rng);
    ASSERT_TRUE(s.is_ok());
    const int a = s->items[0];
    double reward = (x[1] > 0.5) == (a == 1) ? 1.0 : 0.0;
    ASSERT_TRUE(p->update(x, a, reward).is_ok());
  }
  EXPECT_EQ(p->select(std::vector<double>{1.0, 1.0}, 1, rng)->items[0], 1);
  EXPECT_EQ(p->select(std::vector<double>{1.0, 0.0}, 1, rng)->items[0], 0);
}

TEST(CampaignBandit, EverySlotDistributionSumsToOne) {
  Rng rng(11);
  for (const char* name : {"egreedy", "ucb1", "bts", "linucb", "lints"}) {
    auto p = make(name, cfg(6, 2));
    std::vector<double> x = {1.0, 0.3};
    for (int t = 0; t < 30; ++t) ASSERT_TRUE(p->update(x, t % 6, (t % 4 == 0) ? 1.0 : 0.0).is_ok());
    auto d = p->action_distribution(x, 3, rng, 500);
    ASSERT_TRUE(d.is_ok()) << name;
    for (int j = 0; j < 3; ++j) {
      double s = 0;
      for (int a = 0; a < 6; ++a) s += (*d)[j * 6 + a];
      EXPECT_NEAR(s, 1.0, 1e-9) << name << " slot " << j;
    }
    for (int a = 0; a < 6; ++a) {
      double s = 0;
      for (int j = 0; j < 3; ++j) s += (*d)[j * 6 + a];
      EXPECT_LE(s, 1.0 + 1e-9) << name;
    }
    auto sl = p->select(x, 3, rng);
    ASSERT_TRUE(sl.is_ok());
    std::set<int> uniq(sl->items.begin(), sl->items.end());
    EXPECT_EQ(uniq.size(), 3u) << name;
    for (double pr : sl->propensity) {
      EXPECT_GT(pr, 0.0) << name;
      EXPECT_LE(pr, 1.0) << name;
    }
  }
}

TEST(CampaignBandit, BadInputIsRejected) {
  EXPECT_FALSE(make_policy("nope", cfg(3)).is_ok());
  EXPECT_FALSE(make_policy("egreedy", cfg(0)).is_ok());
  auto c = cfg(3);
  c.epsilon = 1.5;
  EXPECT_FALSE(make_policy("egreedy", c).is_ok());
  c = cfg(3);
  c.discount = 0;
  EXPECT_FALSE(make_policy("bts", c).is_ok());
  c = cfg(3);
  c.alpha0 = -1;
  EXPECT_FALSE(make_policy("bts", c).is_ok());
  EXPECT_FALSE(make_policy("linucb", cfg(3, 0)).is_ok());
  EXPECT_FALSE(make_policy("lints", cfg(3, 0)).is_ok());
  c = cfg(3);
  c.propensity_sims = 0;
  EXPECT_FALSE(make_policy("bts", c).is_ok());

  auto p = make("egreedy", cfg(3));
  std::vector<double> none;
  Rng rng(0);
  EXPECT_FALSE(p->select(none, 0, rng).is_ok());
  EXPECT_FALSE(p->select(none, 4, rng).is_ok());
  EXPECT_FALSE(p->update(none, 3, 1.0).is_ok());
  EXPECT_FALSE(p->update(none, -1, 1.0).is_ok());
  EXPECT_FALSE(p->update(none, 0, std::nan("")).is_ok());
  auto lin = make("linucb", cfg(3, 2));
  EXPECT_FALSE(lin->select(std::vector<double>{1.0}, 1, rng).is_ok());
  EXPECT_FALSE(lin->update(std::vector<double>{1.0, INFINITY}, 0, 1.0).is_ok());
  EXPECT_FALSE(lin->action_distribution(std::vector<double>{1.0, 2.0}, 1, rng, 0).is_ok());
}

#include "marketlm/apps/campaign/bandit_sim.h"

TEST(CampaignBandit, SimulatedLogsCarryPropensitiesThatMakeIpsUnbiased) {
  // Two slots, four items; epsilon-greedy logs exact propensities, so IPS of
  // the uniform policy on its log estimates the uniform policy's true CTR.
  std::vector<double> ctr = {0.1, 0.5, 0.2, 0.3, 0.05, 0.25, 0.1, 0.15};
  PolicyConfig c;
  c.n_actions = 4;
  c.epsilon = 0.3;
  auto p = make_policy("egreedy", c);
  ASSERT_TRUE(p.is_ok());
  SimulationOptions o;
  o.events = 20000;
  o.slate = 2;
  auto res = simulate_policy(**p, ctr, 2, o);
  ASSERT_TRUE(res.is_ok()) << res.status().to_string();
  EXPECT_EQ(res->log.size(), 40000u);
  // Item 1 takes slot 1 (0.5); slot 2 gets the best remaining item, 3 (0.15).
  EXPECT_NEAR(res->best_fixed_ctr, (0.5 + 0.15) / 2, 1e-12);
  EXPECT_LE(res->expected_ctr, res->best_fixed_ctr);
  std::vector<double> uniform(8, 0.25);
  auto in = make_ope_inputs(res->log, uniform, {}, 0);
  ASSERT_TRUE(in.is_ok());
  OpeOptions oo;
  oo.estimators = {Estimator::kIps};
  oo.n_bootstrap = 100;
  auto est = evaluate(*in, oo, nullptr);
  ASSERT_TRUE(est.is_ok());
  const double truth = (0.1 + 0.5 + 0.2 + 0.3 + 0.05 + 0.25 + 0.1 + 0.15) / 8;
  EXPECT_NEAR((*est)[0].value, truth, 4 * (*est)[0].std_error);
  EXPECT_FALSE(simulate_policy(**p, ctr, 2, SimulationOptions{10, 3, 0}).is_ok());
  EXPECT_FALSE(simulate_policy(**p, {0.5}, 2, o).is_ok());
}

TEST(CampaignBandit, DiscountedThompsonSamplingFollowsAChangeInClickRates) {
  // Arm 0 is better for 3000 steps, then arm 1; count how often each policy
  // picks the new best arm over the last 1000 steps.
  auto run = [](double discount) {
    PolicyConfig c;
    c.n_actions = 2;
    c.discount = discount;
    c.propensity_sims = 1;
    auto p = make_policy("bts", c);
    EXPECT_TRUE(p.is_ok());
    Rng rng(42);
    std::vector<double> none;
    int late_best = 0;
    for (int t = 0; t < 4000; ++t) {
      const double rate[2] = {t < 3000 ? 0.6 : 0.3, t < 3000 ? 0.3 : 0.6};
      auto s = (*p)->select(none, 1, rng);
      const int a = s->items[0];
      EXPECT_TRUE((*p)->update(none, a, rng.uniform_f64() < rate[a] ? 1.0 : 0.0).is_ok());
      if (t >= 3000) late_best += a == 1;
    }
    return late_best;
  };
  const int stationary = run(1.0), discounted = run(0.99);
  EXPECT_GT(discounted, 800);
  EXPECT_GT(discounted, stationary + 200);
}
