// Reads ../shared/data/{ticdata,hillstrom}: quick versions of the documented runs.
#include <gtest/gtest.h>

#include "marketlm/apps/campaign/targeting.h"
#include "marketlm/apps/campaign/uplift.h"

using namespace marketlm;
using namespace marketlm::campaign;

TEST(CampaignTargetingData, LogregBeatsRandomOnCoilTest) {
  TargetingOptions o;
  o.data = MARKETLM_SOURCE_DIR "/../shared/data/ticdata/ticdata.csv";
  o.models = {"logreg"};
  o.tune = false;
  o.folds = 2;
  auto rep = run_targeting(o, nullptr);
  ASSERT_TRUE(rep.is_ok()) << rep.status().to_string();
  EXPECT_EQ(rep->train_rows, 5822u);
  EXPECT_EQ(rep->test_rows, 4000u);
  EXPECT_EQ(rep->test_buyers, 238);
  EXPECT_EQ(rep->train_buyers, 348);
  // Random selection finds 47.6 in expectation; a response model must do far better.
  EXPECT_GT(rep->models[0].test_hits, 85);
  EXPECT_GT(rep->models[0].test_auc, 0.68);
  EXPECT_NEAR(rep->models[0].gains.back(), 238, 1e-9);
}

TEST(CampaignTargetingData, BadOptionsAndColumns) {
  TargetingOptions o;
  o.data = MARKETLM_SOURCE_DIR "/../shared/data/hillstrom/hillstrom.csv";
  auto rep = run_targeting(o, nullptr);
  ASSERT_FALSE(rep.is_ok());
  EXPECT_NE(rep.status().message().find("CARAVAN"), std::string::npos);
  o.models = {"forest"};
  EXPECT_FALSE(run_targeting(o, nullptr).is_ok());
}

TEST(CampaignUpliftData, HillstromArmRatesAndPositiveUplift) {
  UpliftOptions o;
  o.data = MARKETLM_SOURCE_DIR "/../shared/data/hillstrom/hillstrom.csv";
  o.n_bootstrap = 50;
  auto rep = run_uplift(o, nullptr);
  ASSERT_TRUE(rep.is_ok()) << rep.status().to_string();
  // Published arm visit rates: none 10.62%, men's 18.28%, women's 15.14%.
  EXPECT_NEAR(rep->arm_visit_rate[0], 0.1062, 5e-5);
  EXPECT_NEAR(rep->arm_visit_rate[1], 0.1828, 5e-5);
  EXPECT_NEAR(rep->arm_visit_rate[2], 0.1514, 5e-5);
  ASSERT_EQ(rep->models.size(), 4u);
  for (const auto& m : rep->models) {
    EXPECT_GT(m.ate, 0.0);
    EXPECT_GT(m.auuc, 0.0);
  }
  // Sending e-mails by the rule must beat sending none.
  EXPECT_GT(rep->gain_vs_none_per_1000, 30.0);
}
