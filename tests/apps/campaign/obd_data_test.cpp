// Reads ../shared/data/obd: the Open Bandit protocol on the men campaign.
#include "marketlm/apps/campaign/obd.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace marketlm;
using namespace marketlm::campaign;

TEST(CampaignObdData, ProtocolReproducesCountsAndCoversTheOnPolicyValue) {
  ObdOptions o;
  o.data_dir = MARKETLM_SOURCE_DIR "/../shared/data/obd";
  o.n_sim = 4000;
  o.n_bootstrap = 100;
  ThreadPool pool(2);
  auto rep = run_obd_protocol(o, &pool);
  ASSERT_TRUE(rep.is_ok()) << rep.status().to_string();
  EXPECT_EQ(rep->random_rows, 10000u);
  EXPECT_EQ(rep->bts_rows, 10000u);
  EXPECT_EQ(rep->n_items, 34);
  EXPECT_EQ(rep->n_slots, 3);
  EXPECT_NEAR(rep->on_policy.value, 0.0069, 1e-12);  // 69 clicks in 10,000 BTS rows
  EXPECT_NEAR(rep->random_ctr, 0.0046, 1e-12);
  ASSERT_EQ(rep->variants.size(), 3u);
  for (const auto& v : rep->variants) {
    for (int j = 0; j < 3; ++j) {
      double s = 0;
      for (int a = 0; a < 34; ++a) s += v.dist[j * 34 + a];
      EXPECT_NEAR(s, 1.0, 1e-9) << v.name;
    }
  }
  // The time-averaged BTS policy: IPS's interval must cover BTS's own CTR.
  const auto& freq = rep->variants[2];
  ASSERT_EQ(freq.name, "bts-log-frequency");
  const auto& ips = freq.estimates[1];
  EXPECT_EQ(ips.estimator, Estimator::kIps);
  EXPECT_LE(ips.ci_low, rep->on_policy.value);
  EXPECT_GE(ips.ci_high, rep->on_policy.value);
  // The exposure-fitted Monte-Carlo posterior explains BTS's choices better than the count one.
  EXPECT_GT(rep->variants[0].log_likelihood, rep->variants[1].log_likelihood);
}

TEST(CampaignObdData, MissingFolderIsAClearError) {
  ObdOptions o;
  o.data_dir = "/nonexistent/obd";
  auto rep = run_obd_protocol(o, nullptr);
  ASSERT_FALSE(rep.is_ok());
  EXPECT_NE(rep.status().message().find("/nonexistent/obd/random/men/men.csv"), std::string::npos)
      << rep.status().message();
}
