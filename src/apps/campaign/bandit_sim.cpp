// Policy simulation against a click table, and writing logs as CSV.
#include "marketlm/apps/campaign/bandit_sim.h"

#include <algorithm>
#include <cstdio>

#include "marketlm/core/file_io.h"

namespace marketlm::campaign {

Result<SimulationResult> simulate_policy(BanditPolicy& policy, const std::vector<double>& ctr,
                                         int n_slots, const SimulationOptions& opt) {
  const int K = policy.n_actions();
  if (opt.events <= 0) return invalid_argument("events must be > 0");
  if (opt.slate <= 0 || opt.slate > n_slots || opt.slate > K)
    return invalid_argument("slate size " + std::to_string(opt.slate) + " must be in [1, min(slots " +
                            std::to_string(n_slots) + ", items " + std::to_string(K) + ")]");
  if (ctr.size() != static_cast<size_t>(K) * n_slots)
    return invalid_argument("click table has " + std::to_string(ctr.size()) + " cells, expected " +
                            std::to_string(static_cast<size_t>(K) * n_slots));
  for (double p : ctr)
    if (!(p >= 0 && p <= 1)) return invalid_argument("click probabilities must be in [0, 1]");
  SimulationResult res;
  res.log.n_actions = K;
  res.log.n_positions = opt.slate;
  // Best fixed slate: slots are filled greedily by the assignment maximising
  // the summed click rate (exact by brute force would be K^k; greedy per slot
  // in order of slot value is what a ranked slate does).
  {
    std::vector<bool> used(K, false);
    double best = 0;
    for (int j = 0; j < opt.slate; ++j) {
      int arg = -1;
      for (int a = 0; a < K; ++a)
        if (!used[a] && (arg < 0 || ctr[static_cast<size_t>(j) * K + a] > ctr[static_cast<size_t>(j) * K + arg])) arg = a;
      used[arg] = true;
      best += ctr[static_cast<size_t>(j) * K + arg];
    }
    res.best_fixed_ctr = best / opt.slate;
  }
  Rng rng(opt.seed);
  std::vector<double> x(std::max(policy.dim(), 0), 1.0);
  double clicks = 0, expected = 0;
  for (int e = 0; e < opt.events; ++e) {
    ML_ASSIGN_OR_RETURN(Slate s, policy.select(x, opt.slate, rng));
    for (int j = 0; j < opt.slate; ++j) {
      const int a = s.items[j];
      const double p = ctr[static_cast<size_t>(j) * K + a];
      const double click = rng.uniform_f64() < p ? 1.0 : 0.0;
      clicks += click;
      expected += p;
      res.log.action.push_back(a);
      res.log.position.push_back(j);
      res.log.reward.push_back(click);
      res.log.propensity.push_back(s.propensity[j]);
      ML_RETURN_IF_ERROR(policy.update(x, a, click));
    }
  }
  const double n = static_cast<double>(opt.events) * opt.slate;
  res.ctr = clicks / n;
  res.expected_ctr = expected / n;
  return res;
}

Status write_logged_feedback(const std::string& path, const LoggedFeedback& log) {
  std::string out = "item_id,position,click,propensity_score\n";
  char buf[96];
  for (size_t i = 0; i < log.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%d,%d,%g,%.9g\n", log.action[i], log.position[i] + 1, log.reward[i],
                  log.propensity[i]);
    out += buf;
  }
  return write_file_atomic(path, out);
}

}  // namespace marketlm::campaign
