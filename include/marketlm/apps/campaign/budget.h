// Budget allocation across channels with Thompson sampling.
//
// Each channel c turns spend s into expected responses theta_c * g_c(s) with
// the diminishing-returns shape g_c(s) = 1 - exp(-s / b_c) (b_c: the spend at
// which 63% of the channel's potential is reached). Responses are Poisson, so
// theta_c has a conjugate Gamma posterior. Each decision draws theta from the
// posterior and splits the budget to maximise the drawn total, within each
// channel's floor and cap. Decisions hold for a batch of periods and their
// feedback arrives `delay` batches later.
//
// The simulator takes each channel's reach and response from the Hillstrom
// e-mail test (channel = the customers' purchase channel; potential = the
// customers reachable per period x the e-mail's uplift in visits there; b_c =
// the cost of e-mailing all of them). The exponential saturation shape is an
// assumption of the simulator, not something the data shows.
#pragma once

#include <string>
#include <vector>

#include "marketlm/core/rng.h"
#include "marketlm/core/status.h"

namespace marketlm::campaign {

struct Channel {
  std::string name;
  double theta = 0;  // true potential (responses per period at saturation)
  double scale = 1;  // b_c
  double floor = 0, cap = 1e300;  // spend limits per period
};

// Best split of `budget` for given potentials: greedy in `steps` increments
// (exact for concave curves up to the increment), floors first.
Result<std::vector<double>> best_split(const std::vector<Channel>& ch, const std::vector<double>& theta,
                                       double budget, int steps = 400);
double expected_response(const std::vector<Channel>& ch, const std::vector<double>& theta,
                         const std::vector<double>& spend);

struct BudgetOptions {
  std::string data = "../shared/data/hillstrom/hillstrom.csv";
  double budget = 60.0;        // per period
  double cost_per_contact = 0.1;
  double audience_share = 0.01;// customers reachable per period, as a share of the file
  int periods = 300;
  int batch = 5;               // periods per decision
  int delay = 2;               // batches before feedback arrives
  double floor_share = 0.05;   // each channel gets at least this share of the budget
  double cap_share = 0.7;      // and at most this share
  double prior_shape = 1.0, prior_rate = 0.02;  // Gamma prior on theta
  int runs = 20;               // independent simulations averaged
  uint64_t seed = 0;
};

struct BudgetReport {
  std::vector<Channel> channels;
  std::vector<double> best_fixed;        // best fixed split (known theta)
  double best_value = 0;                 // expected responses per period under it
  std::vector<std::string> policies;     // "thompson", "greedy-mean", "equal-split"
  std::vector<std::vector<double>> regret;  // mean cumulative regret per period, per policy
  std::vector<double> final_regret, final_regret_sd;
  std::vector<std::vector<double>> final_split;  // the last split of run 0, per policy
};

// Channels fitted from the Hillstrom CSV (see the header comment).
Result<std::vector<Channel>> channels_from_hillstrom(const BudgetOptions& opt);

Result<BudgetReport> simulate_budget(const std::vector<Channel>& ch, const BudgetOptions& opt);

}  // namespace marketlm::campaign
