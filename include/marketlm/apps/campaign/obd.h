// The Open Bandit Dataset protocol (Saito et al., "Open Bandit Dataset and
// Pipeline", 2021): estimate the Bernoulli-TS policy's click rate from the
// uniform-random policy's logs, and compare with the click rate BTS actually
// got in its own logs (relative error per estimator).
//
// The BTS policy's action distribution is not in the random logs. We rebuild
// it by Monte-Carlo simulation of Bernoulli TS (draw theta_a ~ Beta, show the
// top 3), with Beta parameters implied by the BTS logs, in two ways:
//  - fitted-posterior: Beta(m * mu_a, m * (1 - mu_a)) with the per-item means
//    mu_a fitted so that simulated BTS shows each item as often as the BTS
//    logs do, and the strength m chosen by the likelihood of the logged slots;
//  - count-posterior: Beta(m * ctr + s * clicks_a, m * (1 - ctr) + s *
//    non-clicks_a) from the BTS logs' own click counts, (m, s) by likelihood.
// The plain slot frequencies of the BTS logs (the time-averaged policy, no
// simulation) are reported as a third variant.
#pragma once

#include <string>
#include <vector>

#include "marketlm/apps/campaign/ope.h"
#include "marketlm/core/thread_pool.h"

namespace marketlm::campaign {

struct ObdOptions {
  std::string data_dir = "../shared/data/obd";
  std::string campaign = "men";
  int n_sim = 100000;          // Monte-Carlo draws for the BTS action distribution
  int n_bootstrap = 200;
  double alpha0 = 1.0, beta0 = 1.0;
  double reward_prior = 20.0;  // shrinkage of the DM/DR reward table
  uint64_t seed = 0;
};

struct ObdVariant {
  std::string name;            // "fitted-posterior", "sample-posterior", "bts-log-frequency"
  std::string description;
  double scale = 1.0;          // s (posterior variants)
  double prior_strength = 0;   // m: prior Beta(m*ctr, m*(1-ctr))
  double log_likelihood = 0;   // mean log P(logged slot choice) on the BTS logs
  double tv_to_frequency = 0;  // total-variation distance to the BTS logs' slot frequencies (mean over slots)
  std::vector<double> dist;    // slot probabilities [slot * K + item]
  std::vector<Estimate> estimates;
  std::vector<double> relative_error;  // |estimate - on-policy| / on-policy, per estimate
};

struct ObdReport {
  size_t random_rows = 0, bts_rows = 0;
  int n_items = 0, n_slots = 0;
  double random_ctr = 0;
  Estimate on_policy;          // BTS's own click rate with a bootstrap interval
  std::vector<ObdVariant> variants;
};

Result<ObdReport> run_obd_protocol(const ObdOptions& opt, ThreadPool* pool);

// Monte-Carlo BTS slot probabilities from click counts with scale s.
std::vector<double> bts_distribution_from_counts(const LoggedFeedback& bts_logs, double scale,
                                                 double alpha0, double beta0, int n_slots,
                                                 int n_sim, uint64_t seed);

}  // namespace marketlm::campaign
