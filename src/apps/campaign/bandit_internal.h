// Concrete policy classes, shared by bandit.cpp and bandit_policies.cpp only.
#pragma once

#include <vector>

#include "marketlm/apps/campaign/bandit.h"

namespace marketlm::campaign::detail {

// Indices of the k largest scores, best first; ties go to the lower index.
std::vector<int> top_k(const std::vector<double>& score, int k);

class EpsilonGreedy final : public BanditPolicy {
 public:
  EpsilonGreedy(const PolicyConfig& c);
  std::string name() const override { return "egreedy"; }
  std::vector<double> pulls, sums;

 protected:
  Slate do_select(std::span<const double> x, int k, Rng& rng) override;
  void do_update(std::span<const double> x, int action, double reward) override;
  std::vector<double> do_distribution(std::span<const double> x, int k, Rng& rng, int n_sim) override;

 private:
  std::vector<double> means() const;
  double eps_;
};

class Ucb1 final : public BanditPolicy {
 public:
  Ucb1(const PolicyConfig& c);
  std::string name() const override { return "ucb1"; }
  std::vector<double> pulls, sums;
  double total = 0;

 protected:
  Slate do_select(std::span<const double> x, int k, Rng& rng) override;
  void do_update(std::span<const double> x, int action, double reward) override;
  std::vector<double> do_distribution(std::span<const double> x, int k, Rng& rng, int n_sim) override;

 private:
  std::vector<double> scores() const;
  double c_;
};

class BernoulliTs final : public BanditPolicy {
 public:
  BernoulliTs(const PolicyConfig& c);
  std::string name() const override { return "bts"; }
  std::vector<double> successes, failures;  // discounted counts
  std::vector<double> alpha() const;
  std::vector<double> beta() const;

 protected:
  Slate do_select(std::span<const double> x, int k, Rng& rng) override;
  void do_update(std::span<const double> x, int action, double reward) override;
  std::vector<double> do_distribution(std::span<const double> x, int k, Rng& rng, int n_sim) override;
  Status check_reward(double reward) const override;

 private:
  double a0_, b0_, gamma_;
  int sims_;
};

// Disjoint linear model per arm: A_a = ridge I + sum x x^T (kept as its
// inverse via Sherman-Morrison), b_a = sum r x.
class LinearArms : public BanditPolicy {
 public:
  LinearArms(const PolicyConfig& c);
  int dim() const override { return d_; }
  std::vector<std::vector<double>> a_inv, b;
  std::vector<double> theta(int arm) const;

 protected:
  void do_update(std::span<const double> x, int action, double reward) override;
  int d_;
};

class LinUcb final : public LinearArms {
 public:
  LinUcb(const PolicyConfig& c) : LinearArms(c), alpha_(c.lin_alpha) {}
  std::string name() const override { return "linucb"; }

 protected:
  Slate do_select(std::span<const double> x, int k, Rng& rng) override;
  std::vector<double> do_distribution(std::span<const double> x, int k, Rng& rng, int n_sim) override;

 private:
  std::vector<double> scores(std::span<const double> x) const;
  double alpha_;
};

class LinTs final : public LinearArms {
 public:
  LinTs(const PolicyConfig& c) : LinearArms(c), v_(c.lin_ts_v), sims_(c.propensity_sims) {}
  std::string name() const override { return "lints"; }

 protected:
  Slate do_select(std::span<const double> x, int k, Rng& rng) override;
  std::vector<double> do_distribution(std::span<const double> x, int k, Rng& rng, int n_sim) override;

 private:
  // Per arm: mean x^T theta and sd v * sqrt(x^T A^-1 x): the sampled score
  // x^T theta~ is exactly normal with these moments, so no Cholesky is needed.
  void score_moments(std::span<const double> x, std::vector<double>& mean,
                     std::vector<double>& sd) const;
  double v_;
  int sims_;
};

}  // namespace marketlm::campaign::detail
