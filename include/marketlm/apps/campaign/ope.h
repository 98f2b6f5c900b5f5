// Off-policy evaluation: estimate the value (e.g. click rate) an evaluation
// policy would get, from logs collected by another (behaviour) policy.
// Estimators: replay, IPS, self-normalised IPS, direct method and doubly
// robust, each with a percentile bootstrap confidence interval.
//
// Everything is reduced to a few per-row numbers first (OpeInputs), so the
// estimators are plain sums and the bootstrap is cheap even for 1M rows.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "marketlm/core/status.h"
#include "marketlm/core/thread_pool.h"

namespace marketlm::campaign {

// One logged impression per row: which item (action) was shown in which slot
// (position), its reward, and the behaviour policy's propensity for it.
struct LoggedFeedback {
  std::string source;                  // file name, for messages
  int n_actions = 0;
  int n_positions = 1;
  std::vector<int32_t> action, position;
  std::vector<double> reward, propensity;
  int n_features = 0;                  // optional dense context, row-major
  std::vector<double> features;
  size_t size() const { return action.size(); }
};

// Column names of a logged-feedback CSV. position may be empty (one slot).
// Positions in the file are taken as 1-based when position_base = 1.
struct LogColumns {
  std::string action = "item_id", position = "position", reward = "click",
              propensity = "propensity_score";
  int position_base = 1;
  std::vector<std::string> features;   // numeric context columns (optional)
};

// Reads and validates a logged-feedback CSV: actions are integers >= 0,
// positions in range, rewards finite, propensities in (0, 1]. Errors say
// file:line:column, the column's name, the value and what was expected.
Result<LoggedFeedback> read_logged_feedback(const std::string& path, const LogColumns& cols);

// Per-row inputs of the estimators.
//   weight[i]   = pi_e(a_i | x_i, slot_i) / p_b(a_i | x_i, slot_i)
//   q_logged[i] = reward model at the logged action        (DM/DR; may be empty)
//   q_policy[i] = sum_a pi_e(a | x_i, slot_i) q(x_i, a)    (DM/DR; may be empty)
//   match[i]    = 1 when an action drawn from pi_e equals a_i (replay; may be empty)
struct OpeInputs {
  std::vector<double> reward, weight, q_logged, q_policy;
  std::vector<uint8_t> match;
  // Optional: refit the per-(slot, item) reward table inside every bootstrap
  // replicate, so DM's and DR's intervals include the model's own variance.
  // Set by make_ope_inputs when refit_prior >= 0.
  std::vector<int32_t> cell;   // slot * n_actions + item of each row
  int n_actions = 0, n_slots = 0;
  std::vector<double> dist;    // evaluation policy, [slot * n_actions + item]
  double refit_prior = -1;     // prior strength used by fit_reward_table; < 0 = no refit
  size_t size() const { return reward.size(); }
};

// Context-free evaluation policy given as slot probabilities dist[j * K + a]
// (the same for every row), a reward table q[j * K + a] (may be empty: no
// DM/DR), and a seed for replay's draws. When q_table is
// fit_reward_table(logs, refit_prior), pass that prior as refit_prior so the
// bootstrap refits the table in every replicate.
Result<OpeInputs> make_ope_inputs(const LoggedFeedback& logs, const std::vector<double>& dist,
                                  const std::vector<double>& q_table, uint64_t seed,
                                  double refit_prior = -1);

// A smoothed per-(slot, action) mean reward, fitted on logs: the reward model
// for DM and DR. Cells shrink toward the slot mean with `prior_strength` pseudo-rows.
std::vector<double> fit_reward_table(const LoggedFeedback& logs, double prior_strength = 20.0);

enum class Estimator { kReplay, kIps, kSnips, kDm, kDr };
const char* estimator_name(Estimator e);
// "replay", "ips", "snips", "dm", "dr"
Result<Estimator> parse_estimator(const std::string& name);

struct OpeOptions {
  std::vector<Estimator> estimators = {Estimator::kReplay, Estimator::kIps, Estimator::kSnips,
                                       Estimator::kDm, Estimator::kDr};
  int n_bootstrap = 200;
  double confidence = 0.95;
  uint64_t seed = 0;
};

struct Estimate {
  Estimator estimator;
  double value = 0, ci_low = 0, ci_high = 0, std_error = 0;
  double n_used = 0;  // rows that carry the estimate (replay: matches; IPS: rows with weight > 0)
};

// Point value of one estimator on rows idx[0..n) (all rows when idx is null).
double point_estimate(Estimator e, const OpeInputs& in, const uint32_t* idx, size_t n);

// Point estimates plus bootstrap intervals. Replicates are spread over the
// pool; replicate b uses its own Rng(seed, b), so results do not depend on
// the thread count.
Result<std::vector<Estimate>> evaluate(const OpeInputs& in, const OpeOptions& opt, ThreadPool* pool);

// Mean and bootstrap interval of a plain sample (used for on-policy values).
Estimate mean_with_interval(const std::vector<double>& x, int n_bootstrap, double confidence,
                            uint64_t seed);

}  // namespace marketlm::campaign
