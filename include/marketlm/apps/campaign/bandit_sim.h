// Runs a bandit policy against a click-rate table (slot x item) and logs every
// impression with the policy's propensity, in the logged-feedback format that
// `campaign ope` reads. The table is typically fitted on real logs
// (fit_reward_table on the OBD random logs).
#pragma once

#include <string>
#include <vector>

#include "marketlm/apps/campaign/bandit.h"
#include "marketlm/apps/campaign/ope.h"

namespace marketlm::campaign {

struct SimulationOptions {
  int events = 10000;   // slates shown
  int slate = 3;        // k
  uint64_t seed = 0;
};

struct SimulationResult {
  LoggedFeedback log;          // one row per shown item (position 0-based)
  double ctr = 0;              // clicks per impression the policy got
  double best_fixed_ctr = 0;   // expected CTR of the fixed slate filled greedily slot by slot
  double expected_ctr = 0;     // expected CTR of the policy's choices (no click noise)
};

// ctr_table[j * K + a]: click probability of item a in slot j (slots >= k).
Result<SimulationResult> simulate_policy(BanditPolicy& policy, const std::vector<double>& ctr_table,
                                         int n_slots, const SimulationOptions& opt);

// Writes a log as CSV with columns item_id, position (1-based), click, propensity_score.
Status write_logged_feedback(const std::string& path, const LoggedFeedback& log);

}  // namespace marketlm::campaign
