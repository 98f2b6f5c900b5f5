// The Open Bandit Dataset protocol: BTS's value estimated from random logs.
#include "marketlm/apps/campaign/obd.h"

#include <algorithm>
#include <cmath>

#include "marketlm/apps/campaign/bandit.h"
#include "marketlm/core/rng.h"

namespace marketlm::campaign {

std::vector<double> bts_distribution_from_counts(const LoggedFeedback& logs, double scale,
                                                 double alpha0, double beta0, int n_slots,
                                                 int n_sim, uint64_t seed) {
  const int K = logs.n_actions;
  std::vector<double> clicks(K, 0.0), shows(K, 0.0);
  for (size_t i = 0; i < logs.size(); ++i) {
    clicks[logs.action[i]] += logs.reward[i] > 0 ? 1.0 : 0.0;
    shows[logs.action[i]] += 1.0;
  }
  std::vector<double> a(K), b(K);
  for (int i = 0; i < K; ++i) {
    a[i] = alpha0 + scale * clicks[i];
    b[i] = beta0 + scale * (shows[i] - clicks[i]);
  }
  Rng rng(seed);
  return bts_slot_probabilities(a, b, n_slots, n_sim, rng);
}

namespace {

std::vector<double> slot_frequencies(const LoggedFeedback& logs, int K, int P) {
  std::vector<double> f(static_cast<size_t>(K) * P, 0.0), tot(P, 0.0);
  for (size_t i = 0; i < logs.size(); ++i) {
    f[static_cast<size_t>(logs.position[i]) * K + logs.action[i]] += 1.0;
    tot[logs.position[i]] += 1.0;
  }
  for (int j = 0; j < P; ++j)
    for (int a = 0; a < K; ++a)
      if (tot[j] > 0) f[static_cast<size_t>(j) * K + a] /= tot[j];
  return f;
}

double mean_log_likelihood(const LoggedFeedback& logs, const std::vector<double>& dist, int K) {
  double ll = 0;
  for (size_t i = 0; i < logs.size(); ++i)
    ll += std::log(std::max(dist[static_cast<size_t>(logs.position[i]) * K + logs.action[i]], 1e-6));
  return ll / static_cast<double>(logs.size());
}

double tv_distance(const std::vector<double>& p, const std::vector<double>& q, int K, int P) {
  double tv = 0;
  for (int j = 0; j < P; ++j) {
    double s = 0;
    for (int a = 0; a < K; ++a) s += std::fabs(p[static_cast<size_t>(j) * K + a] - q[static_cast<size_t>(j) * K + a]);
    tv += 0.5 * s;
  }
  return tv / P;
}

// Per-item Beta means mu_a (prior strength m) such that Monte-Carlo BTS shows
// each item as often as the BTS logs do: multiplicative updates of mu_a by the
// ratio of logged to simulated exposure.
std::vector<double> fit_means_to_exposure(const std::vector<double>& freq, int K, int P, double m,
                                          double ctr, int iters, int n_sim, uint64_t seed) {
  std::vector<double> mu(K, ctr), a(K), b(K), target(K, 0.0);
  for (int j = 0; j < P; ++j)
    for (int i = 0; i < K; ++i) target[i] += freq[static_cast<size_t>(j) * K + i];
  for (int it = 0; it < iters; ++it) {
    for (int i = 0; i < K; ++i) a[i] = m * mu[i], b[i] = m * (1 - mu[i]);
    Rng rng(seed + it);
    auto d = bts_slot_probabilities(a, b, P, n_sim, rng);
    for (int i = 0; i < K; ++i) {
      double sim = 0;
      for (int j = 0; j < P; ++j) sim += d[static_cast<size_t>(j) * K + i];
      const double ratio = (target[i] + 1e-4) / (sim + 1e-4);
      mu[i] = std::clamp(mu[i] * std::pow(ratio, 0.3 * 30.0 / std::sqrt(m) + 0.02), 1e-5, 0.5);
    }
  }
  return mu;
}

}  // namespace

Result<ObdReport> run_obd_protocol(const ObdOptions& opt, ThreadPool* pool) {
  if (opt.n_sim <= 0) return invalid_argument("n_sim must be > 0");
  LogColumns cols;  // item_id, position (1-based), click, propensity_score
  const std::string rpath = opt.data_dir + "/random/" + opt.campaign + "/" + opt.campaign + ".csv";
  const std::string bpath = opt.data_dir + "/bts/" + opt.campaign + "/" + opt.campaign + ".csv";
  ML_ASSIGN_OR_RETURN(LoggedFeedback rnd, read_logged_feedback(rpath, cols));
  ML_ASSIGN_OR_RETURN(LoggedFeedback bts, read_logged_feedback(bpath, cols));
  const int K = std::max(rnd.n_actions, bts.n_actions), P = std::max(rnd.n_positions, bts.n_positions);
  rnd.n_actions = bts.n_actions = K;
  rnd.n_positions = bts.n_positions = P;

  ObdReport rep;
  rep.random_rows = rnd.size();
  rep.bts_rows = bts.size();
  rep.n_items = K;
  rep.n_slots = P;
  for (double r : rnd.reward) rep.random_ctr += r / static_cast<double>(rnd.size());
  rep.on_policy = mean_with_interval(bts.reward, opt.n_bootstrap, 0.95, opt.seed + 1);

  const auto freq = slot_frequencies(bts, K, P);
  // Fit the Beta parameters on a coarse grid by the likelihood of the slots
  // BTS actually chose: prior Beta(m * ctr, m * (1 - ctr)) centred on the BTS
  // logs' click rate with strength m, plus s times the BTS logs' counts.
  double ctr = 0;
  for (double r : bts.reward) ctr += r / static_cast<double>(bts.size());
  ctr = std::clamp(ctr, 1e-4, 0.5);
  const int fit_sims = std::min(opt.n_sim, 10000);
  double best_s = 1, best_m = 2, best_ll = -1e300;
  for (double m : {2.0, 100.0, 1000.0, 3000.0, 10000.0, 30000.0})
    for (double s : {1.0, 4.0, 16.0, 64.0}) {
      auto d = bts_distribution_from_counts(bts, s, m * ctr, m * (1 - ctr), P, fit_sims, opt.seed + 7);
      double ll = mean_log_likelihood(bts, d, K);
      if (ll > best_ll) best_ll = ll, best_s = s, best_m = m;
    }
  auto q = fit_reward_table(rnd, opt.reward_prior);
  OpeOptions oo;
  oo.n_bootstrap = opt.n_bootstrap;
  oo.seed = opt.seed + 3;
  auto add_variant = [&](ObdVariant v) -> Status {
    v.log_likelihood = mean_log_likelihood(bts, v.dist, K);
    v.tv_to_frequency = tv_distance(v.dist, freq, K, P);
    ML_ASSIGN_OR_RETURN(OpeInputs in, make_ope_inputs(rnd, v.dist, q, opt.seed + 5, opt.reward_prior));
    ML_ASSIGN_OR_RETURN(v.estimates, evaluate(in, oo, pool));
    for (const auto& e : v.estimates)
      v.relative_error.push_back(std::fabs(e.value - rep.on_policy.value) / rep.on_policy.value);
    rep.variants.push_back(std::move(v));
    return Status::ok();
  };
  // Main variant: a genuine Bernoulli-TS policy (top 3 of Beta draws) whose
  // per-item Beta means are fitted so its exposure matches the BTS logs; the
  // prior strength m is picked by the likelihood of the logged slot choices.
  double fit_m = 0, fit_ll = -1e300;
  std::vector<double> fit_mu;
  for (double m : {30.0, 100.0, 300.0, 1000.0, 3000.0, 10000.0, 30000.0}) {
    auto mu = fit_means_to_exposure(freq, K, P, m, ctr, 25, 3000, opt.seed + 17);
    std::vector<double> a(K), b(K);
    for (int i = 0; i < K; ++i) a[i] = m * mu[i], b[i] = m * (1 - mu[i]);
    Rng rng(opt.seed + 19);
    double ll = mean_log_likelihood(bts, bts_slot_probabilities(a, b, P, fit_sims, rng), K);
    if (ll > fit_ll) fit_ll = ll, fit_m = m, fit_mu = mu;
  }
  ObdVariant fitted;
  fitted.name = "fitted-posterior";
  fitted.scale = 0;
  fitted.prior_strength = fit_m;
  fitted.description =
      "Monte-Carlo BTS with Beta(m*mu_a, m*(1-mu_a)); mu_a fitted so simulated exposure matches the "
      "BTS logs, m by likelihood of BTS's logged slot choices";
  {
    std::vector<double> a(K), b(K);
    for (int i = 0; i < K; ++i) a[i] = fit_m * fit_mu[i], b[i] = fit_m * (1 - fit_mu[i]);
    Rng rng(opt.seed + 11);
    fitted.dist = bts_slot_probabilities(a, b, P, opt.n_sim, rng);
  }
  ML_RETURN_IF_ERROR(add_variant(std::move(fitted)));
  ObdVariant counts;
  counts.name = "count-posterior";
  counts.scale = best_s;
  counts.prior_strength = best_m;
  counts.description =
      "Monte-Carlo BTS, Beta(m*ctr + s*clicks, m*(1-ctr) + s*non-clicks) from the BTS logs' own click "
      "counts, (m, s) fitted by likelihood of BTS's logged slot choices";
  counts.dist = bts_distribution_from_counts(bts, best_s, best_m * ctr, best_m * (1 - ctr), P,
                                             opt.n_sim, opt.seed + 13);
  ML_RETURN_IF_ERROR(add_variant(std::move(counts)));
  ObdVariant fr;
  fr.name = "bts-log-frequency";
  fr.scale = 0;
  fr.description = "slot frequencies of each item in the BTS logs (the time-averaged BTS policy, no simulation)";
  fr.dist = freq;
  ML_RETURN_IF_ERROR(add_variant(std::move(fr)));
  return rep;
}

}  // namespace marketlm::campaign
