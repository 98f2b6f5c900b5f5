#include <gtest/gtest.h>

#include <cmath>

#include "marketlm/apps/campaign/budget.h"

using namespace marketlm;
using namespace marketlm::campaign;

TEST(CampaignBudget, BestSplitEqualisesMarginalReturnsWithinLimits) {
  std::vector<Channel> ch(2);
  ch[0] = {"a", 10, 5, 0, 100};
  ch[1] = {"b", 10, 5, 0, 100};
  auto s = best_split(ch, {10, 10}, 10, 1000);
  ASSERT_TRUE(s.is_ok());
  EXPECT_NEAR((*s)[0], 5, 0.02);  // symmetric channels split evenly
  // Closed form for unequal potentials: theta_a e^{-s_a/b} = theta_b e^{-s_b/b}
  // => s_a - s_b = b ln(theta_a / theta_b).
  s = best_split(ch, {20, 10}, 10, 1000);
  ASSERT_TRUE(s.is_ok());
  EXPECT_NEAR((*s)[0] - (*s)[1], 5 * std::log(2.0), 0.03);
  EXPECT_NEAR((*s)[0] + (*s)[1], 10, 1e-9);
  // A cap binds.
  ch[0].cap = 4;
  s = best_split(ch, {20, 10}, 10, 1000);
  EXPECT_NEAR((*s)[0], 4, 1e-9);
  // Floors above the budget and caps below it are errors.
  ch[0].floor = 3;
  ch[1].floor = 8;
  EXPECT_FALSE(best_split(ch, {1, 1}, 10).is_ok());
  ch[1].floor = 0;
  ch[1].cap = 2;
  EXPECT_FALSE(best_split(ch, {1, 1}, 10).is_ok());
}

TEST(CampaignBudget, ThompsonRegretGrowsSublinearlyAndBeatsEqualSplit) {
  std::vector<Channel> ch = {{"x", 20, 20, 1, 60}, {"y", 5, 10, 1, 60}, {"z", 12, 30, 1, 60}};
  BudgetOptions o;
  o.budget = 60;
  o.periods = 200;
  o.runs = 10;
  o.delay = 2;
  auto rep = simulate_budget(ch, o);
  ASSERT_TRUE(rep.is_ok()) << rep.status().to_string();
  const auto& ts = rep->regret[0];
  EXPECT_LT(rep->final_regret[0], rep->final_regret[2]);
  // Regret in the second half grows less than in the first half.
  EXPECT_LT(ts[199] - ts[99], ts[99] - ts[0]);
  o.batch = 0;
  EXPECT_FALSE(simulate_budget(ch, o).is_ok());
}
