// BanditPolicy: argument checks shared by every policy, the factory, and the
// Gamma/Beta samplers.
#include <cmath>
#include <numeric>
#include <sstream>

#include "apps/campaign/bandit_internal.h"

namespace marketlm::campaign {

namespace {
std::string num(double v) {
  std::ostringstream o;
  o << v;
  return o.str();
}
}  // namespace

Status validate(const PolicyConfig& c, const std::string& policy) {
  if (c.n_actions <= 0)
    return invalid_argument("n_actions must be > 0, got " + std::to_string(c.n_actions));
  if (policy == "egreedy" && !(c.epsilon >= 0 && c.epsilon <= 1))
    return invalid_argument("epsilon must be in [0, 1], got " + num(c.epsilon));
  if (policy == "ucb1" && !(c.ucb_c >= 0 && std::isfinite(c.ucb_c)))
    return invalid_argument("ucb_c must be >= 0, got " + num(c.ucb_c));
  if (policy == "bts") {
    if (!(c.alpha0 > 0 && c.beta0 > 0 && std::isfinite(c.alpha0) && std::isfinite(c.beta0)))
      return invalid_argument("Beta prior must have alpha0 > 0 and beta0 > 0, got " +
                              num(c.alpha0) + ", " + num(c.beta0));
    if (!(c.discount > 0 && c.discount <= 1))
      return invalid_argument("discount must be in (0, 1], got " + num(c.discount));
  }
  if (policy == "linucb" || policy == "lints") {
    if (c.dim <= 0) return invalid_argument(policy + " needs a context: dim must be > 0, got " +
                                            std::to_string(c.dim));
    if (!(c.ridge > 0)) return invalid_argument("ridge must be > 0, got " + num(c.ridge));
    if (!(c.lin_alpha >= 0)) return invalid_argument("lin_alpha must be >= 0, got " + num(c.lin_alpha));
    if (!(c.lin_ts_v > 0)) return invalid_argument("lin_ts_v must be > 0, got " + num(c.lin_ts_v));
  }
  if (c.propensity_sims <= 0)
    return invalid_argument("propensity_sims must be > 0, got " + std::to_string(c.propensity_sims));
  return Status::ok();
}

Status BanditPolicy::check_context(std::span<const double> x) const {
  if (dim() == 0) return Status::ok();
  if (static_cast<int>(x.size()) != dim())
    return invalid_argument(name() + ": context has " + std::to_string(x.size()) +
                            " values, expected " + std::to_string(dim()));
  for (size_t i = 0; i < x.size(); ++i)
    if (!std::isfinite(x[i]))
      return invalid_argument(name() + ": context value " + std::to_string(i) + " is not finite");
  return Status::ok();
}

Status BanditPolicy::check_reward(double reward) const {
  if (!std::isfinite(reward)) return invalid_argument(name() + ": reward is not finite");
  return Status::ok();
}

Result<Slate> BanditPolicy::select(std::span<const double> x, int k, Rng& rng) {
  ML_RETURN_IF_ERROR(check_context(x));
  if (k <= 0 || k > k_actions_)
    return invalid_argument(name() + ": slate size k=" + std::to_string(k) + " must be in [1, " +
                            std::to_string(k_actions_) + "]");
  return do_select(x, k, rng);
}

Status BanditPolicy::update(std::span<const double> x, int action, double reward) {
  ML_RETURN_IF_ERROR(check_context(x));
  if (action < 0 || action >= k_actions_)
    return invalid_argument(name() + ": action " + std::to_string(action) + " out of range [0, " +
                            std::to_string(k_actions_) + ")");
  ML_RETURN_IF_ERROR(check_reward(reward));
  do_update(x, action, reward);
  return Status::ok();
}

Result<std::vector<double>> BanditPolicy::action_distribution(std::span<const double> x, int k,
                                                              Rng& rng, int n_sim) {
  ML_RETURN_IF_ERROR(check_context(x));
  if (k <= 0 || k > k_actions_)
    return invalid_argument(name() + ": slate size k=" + std::to_string(k) + " out of range");
  if (n_sim <= 0) return invalid_argument("n_sim must be > 0, got " + std::to_string(n_sim));
  return do_distribution(x, k, rng, n_sim);
}

Result<std::unique_ptr<BanditPolicy>> make_policy(const std::string& name, const PolicyConfig& c) {
  using namespace detail;
  if (name != "egreedy" && name != "ucb1" && name != "bts" && name != "linucb" && name != "lints")
    return invalid_argument("unknown policy '" + name +
                            "'; expected one of egreedy, ucb1, bts, linucb, lints");
  ML_RETURN_IF_ERROR(validate(c, name));
  std::unique_ptr<BanditPolicy> p;
  if (name == "egreedy") p = std::make_unique<EpsilonGreedy>(c);
  else if (name == "ucb1") p = std::make_unique<Ucb1>(c);
  else if (name == "bts") p = std::make_unique<BernoulliTs>(c);
  else if (name == "linucb") p = std::make_unique<LinUcb>(c);
  else p = std::make_unique<LinTs>(c);
  return p;
}

ArmStats arm_stats(const BanditPolicy& p) {
  using namespace detail;
  ArmStats s;
  if (auto* e = dynamic_cast<const EpsilonGreedy*>(&p)) {
    s.pulls = e->pulls;
    s.reward_sum = e->sums;
  } else if (auto* u = dynamic_cast<const Ucb1*>(&p)) {
    s.pulls = u->pulls;
    s.reward_sum = u->sums;
  } else if (auto* t = dynamic_cast<const BernoulliTs*>(&p)) {
    s.alpha = t->alpha();
    s.beta = t->beta();
  }
  return s;
}

std::vector<double> linear_theta(const BanditPolicy& p, int arm) {
  if (auto* l = dynamic_cast<const detail::LinearArms*>(&p)) return l->theta(arm);
  return {};
}

double sample_gamma(double shape, Rng& rng) {
  if (shape < 1.0) {
    double u = rng.uniform_f64();
    return sample_gamma(shape + 1.0, rng) * std::pow(u > 0 ? u : 1e-300, 1.0 / shape);
  }
  const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double z = rng.normal(), v = 1.0 + c * z;
    if (v <= 0) continue;
    v = v * v * v;
    double u = rng.uniform_f64();
    if (u < 1.0 - 0.0331 * z * z * z * z) return d * v;
    if (u > 0 && std::log(u) < 0.5 * z * z + d * (1.0 - v + std::log(v))) return d * v;
  }
}

double sample_beta(double a, double b, Rng& rng) {
  double x = sample_gamma(a, rng), y = sample_gamma(b, rng);
  return x + y > 0 ? x / (x + y) : 0.5;
}

std::vector<double> bts_slot_probabilities(const std::vector<double>& alpha,
                                           const std::vector<double>& beta, int k, int n_sim,
                                           Rng& rng) {
  const int n = static_cast<int>(alpha.size());
  std::vector<double> out(static_cast<size_t>(k) * n, 0.0), theta(n);
  for (int s = 0; s < n_sim; ++s) {
    for (int a = 0; a < n; ++a) theta[a] = sample_beta(alpha[a], beta[a], rng);
    auto top = detail::top_k(theta, k);
    for (int j = 0; j < k; ++j) out[static_cast<size_t>(j) * n + top[j]] += 1.0;
  }
  for (auto& v : out) v /= n_sim;
  return out;
}

}  // namespace marketlm::campaign
