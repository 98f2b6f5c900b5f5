// Bandit policies that decide what to show: epsilon-greedy, UCB1, Bernoulli
// Thompson sampling (optionally discounted, for click rates that drift),
// LinUCB and linear Thompson sampling. Every policy can rank a slate of k
// items and reports, for each slot, the probability that its choice lands
// there (the propensity an off-policy evaluator needs later).
//
// Thread safety: a policy object is not thread-safe; randomness comes from the
// Rng the caller passes, so the same seed gives the same choices.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "marketlm/core/rng.h"
#include "marketlm/core/status.h"

namespace marketlm::campaign {

struct Slate {
  std::vector<int> items;          // items[j] is shown in slot j (0 = top)
  std::vector<double> propensity;  // P(items[j] lands in slot j) under the policy's current state
};

struct PolicyConfig {
  int n_actions = 0;         // K items
  int dim = 0;               // context length (LinUCB / linear TS)
  double epsilon = 0.1;      // epsilon-greedy exploration rate
  double ucb_c = 2.0;        // UCB1 bonus sqrt(ucb_c * ln t / n)
  double alpha0 = 1.0;       // Beta prior of Bernoulli TS
  double beta0 = 1.0;
  double discount = 1.0;     // Bernoulli TS: past counts decay by this factor per update (1 = none)
  double lin_alpha = 1.0;    // LinUCB width
  double ridge = 1.0;        // LinUCB / linear TS: A starts as ridge * I
  double lin_ts_v = 0.5;     // linear TS posterior scale
  int propensity_sims = 256; // Monte-Carlo draws for the propensities of randomised-by-sampling policies
};

// Checks the fields a given policy uses; errors name the field and value.
Status validate(const PolicyConfig& c, const std::string& policy);

class BanditPolicy {
 public:
  virtual ~BanditPolicy() = default;
  virtual std::string name() const = 0;
  int n_actions() const { return k_actions_; }
  // Context length this policy expects (0 for context-free policies, which ignore x).
  virtual int dim() const { return 0; }

  // Picks a ranked slate of k distinct items with their slot propensities.
  Result<Slate> select(std::span<const double> x, int k, Rng& rng);
  // Feeds back the reward of one shown item (reward in [0, 1] for Bernoulli TS).
  Status update(std::span<const double> x, int action, double reward);
  // P(item a in slot j) for j < k: out[j * K + a]. Exact for deterministic and
  // epsilon-greedy policies, Monte Carlo with n_sim draws for sampling policies.
  Result<std::vector<double>> action_distribution(std::span<const double> x, int k, Rng& rng,
                                                  int n_sim);

 protected:
  explicit BanditPolicy(int k_actions) : k_actions_(k_actions) {}
  Status check_context(std::span<const double> x) const;
  // Implementations: arguments already validated.
  virtual Slate do_select(std::span<const double> x, int k, Rng& rng) = 0;
  virtual void do_update(std::span<const double> x, int action, double reward) = 0;
  virtual std::vector<double> do_distribution(std::span<const double> x, int k, Rng& rng,
                                              int n_sim) = 0;
  virtual Status check_reward(double reward) const;

  int k_actions_;
};

// "egreedy", "ucb1", "bts", "linucb", "lints". Errors list the known names.
Result<std::unique_ptr<BanditPolicy>> make_policy(const std::string& name, const PolicyConfig& config);

// Counts-level accessors used by tests and reports.
struct ArmStats {
  std::vector<double> pulls, reward_sum;  // epsilon-greedy / UCB1
  std::vector<double> alpha, beta;        // Bernoulli TS (posterior)
};
ArmStats arm_stats(const BanditPolicy& p);

// Linear models expose their per-arm estimate theta_a = A_a^-1 b_a.
std::vector<double> linear_theta(const BanditPolicy& p, int arm);

// Gamma(shape, 1) and Beta(a, b) draws (Marsaglia-Tsang).
double sample_gamma(double shape, Rng& rng);
double sample_beta(double a, double b, Rng& rng);

// Monte-Carlo slot probabilities of Bernoulli Thompson sampling with fixed
// Beta(alpha_a, beta_a) parameters: draw theta ~ Beta, rank, take the top k.
// Returns out[j * K + a]. This is how the Open Bandit protocol gets the BTS
// policy's action distribution.
std::vector<double> bts_slot_probabilities(const std::vector<double>& alpha,
                                           const std::vector<double>& beta, int k, int n_sim,
                                           Rng& rng);

}  // namespace marketlm::campaign
