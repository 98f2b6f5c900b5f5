// Thompson-sampling budget allocation and its simulator.
#include "marketlm/apps/campaign/budget.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "marketlm/apps/campaign/bandit.h"
#include "marketlm/apps/campaign/csv.h"

namespace marketlm::campaign {

namespace {
double shape_g(const Channel& c, double s) { return 1.0 - std::exp(-s / c.scale); }

// Poisson draw (inversion for small means, normal approximation for large).
double poisson(double mean, Rng& rng) {
  if (mean <= 0) return 0;
  if (mean > 50) return std::max(0.0, std::round(mean + std::sqrt(mean) * rng.normal()));
  double l = std::exp(-mean), p = 1.0;
  int k = 0;
  do {
    ++k;
    p *= rng.uniform_f64();
  } while (p > l);
  return k - 1;
}
}  // namespace

double expected_response(const std::vector<Channel>& ch, const std::vector<double>& theta,
                         const std::vector<double>& spend) {
  double v = 0;
  for (size_t c = 0; c < ch.size(); ++c) v += theta[c] * shape_g(ch[c], spend[c]);
  return v;
}

Result<std::vector<double>> best_split(const std::vector<Channel>& ch, const std::vector<double>& theta,
                                       double budget, int steps) {
  if (ch.empty()) return invalid_argument("budget: no channels");
  if (!(budget > 0)) return invalid_argument("budget must be > 0");
  double floors = 0, caps = 0;
  for (const auto& c : ch) {
    if (!(c.floor >= 0 && c.cap >= c.floor))
      return invalid_argument("channel '" + c.name + "': need 0 <= floor <= cap");
    floors += c.floor;
    caps += std::min(c.cap, budget);
  }
  if (floors > budget + 1e-9)
    return invalid_argument("budget " + std::to_string(budget) + " is below the sum of channel floors " +
                            std::to_string(floors));
  if (caps < budget - 1e-9)
    return invalid_argument("budget " + std::to_string(budget) + " exceeds the sum of channel caps " +
                            std::to_string(caps));
  std::vector<double> s(ch.size());
  for (size_t c = 0; c < ch.size(); ++c) s[c] = ch[c].floor;
  double left = budget - floors;
  const double step = budget / steps;
  while (left > 1e-12) {
    const double inc = std::min(step, left);
    int best = -1;
    double best_gain = -1;
    for (size_t c = 0; c < ch.size(); ++c) {
      if (s[c] + inc > ch[c].cap + 1e-12) continue;
      double gain = theta[c] * (shape_g(ch[c], s[c] + inc) - shape_g(ch[c], s[c]));
      if (gain > best_gain) best_gain = gain, best = static_cast<int>(c);
    }
    if (best < 0) break;
    s[best] += inc;
    left -= inc;
  }
  return s;
}

Result<std::vector<Channel>> channels_from_hillstrom(const BudgetOptions& opt) {
  ML_ASSIGN_OR_RETURN(CsvTable t, read_csv(opt.data, {"channel", "segment", "visit"}));
  const int cc = t.column("channel"), cs = t.column("segment"), cv = t.column("visit");
  struct Acc { double n = 0, v[3] = {0, 0, 0}, k[3] = {0, 0, 0}; };
  std::map<std::string, Acc> acc;
  for (size_t r = 0; r < t.n_rows(); ++r) {
    const std::string& seg = t.rows[r][cs];
    int arm = seg == "No E-Mail" ? 0 : seg == "Mens E-Mail" ? 1 : seg == "Womens E-Mail" ? 2 : -1;
    if (arm < 0) return data_error(t.where(r, cs) + ": unknown segment '" + seg + "'");
    ML_ASSIGN_OR_RETURN(int v, t.binary(r, cv));
    Acc& a = acc[t.rows[r][cc]];
    a.n += 1;
    a.v[arm] += v;
    a.k[arm] += 1;
  }
  std::vector<Channel> out;
  for (const auto& [name, a] : acc) {
    if (a.k[0] == 0 || a.k[1] == 0 || a.k[2] == 0) continue;
    const double uplift = std::max(a.v[1] / a.k[1], a.v[2] / a.k[2]) - a.v[0] / a.k[0];
    const double reach = a.n * opt.audience_share;
    Channel c;
    c.name = name;
    c.theta = std::max(uplift, 1e-4) * reach;
    c.scale = reach * opt.cost_per_contact;
    c.floor = opt.floor_share * opt.budget;
    c.cap = opt.cap_share * opt.budget;
    out.push_back(c);
  }
  if (out.empty()) return data_error(opt.data + ": no channel has all three arms");
  return out;
}

Result<BudgetReport> simulate_budget(const std::vector<Channel>& ch, const BudgetOptions& opt) {
  if (opt.periods <= 0 || opt.batch <= 0 || opt.delay < 0 || opt.runs <= 0)
    return invalid_argument("budget: periods, batch and runs must be > 0 and delay >= 0");
  if (!(opt.prior_shape > 0 && opt.prior_rate > 0)) return invalid_argument("budget: Gamma prior must be positive");
  const size_t C = ch.size();
  std::vector<double> truth(C);
  for (size_t c = 0; c < C; ++c) truth[c] = ch[c].theta;
  BudgetReport rep;
  rep.channels = ch;
  ML_ASSIGN_OR_RETURN(rep.best_fixed, best_split(ch, truth, opt.budget));
  rep.best_value = expected_response(ch, truth, rep.best_fixed);
  rep.policies = {"thompson", "greedy-mean", "equal-split"};
  const size_t P = rep.policies.size();
  rep.regret.assign(P, std::vector<double>(opt.periods, 0.0));
  rep.final_split.assign(P, {});
  std::vector<std::vector<double>> finals(P);
  // Equal split within the floors and caps.
  std::vector<double> equal(C, opt.budget / C);
  for (size_t c = 0; c < C; ++c) equal[c] = std::clamp(equal[c], ch[c].floor, ch[c].cap);
  for (int run = 0; run < opt.runs; ++run) {
    for (size_t p = 0; p < P; ++p) {
      Rng rng(opt.seed * 1000003 + run * 17 + p);
      std::vector<double> shape(C, opt.prior_shape), rate(C, opt.prior_rate);
      struct Pending { int ready_batch; std::vector<double> y, g; };
      std::vector<Pending> pending;
      std::vector<double> split = equal;
      double cum = 0;
      const int n_batches = (opt.periods + opt.batch - 1) / opt.batch;
      for (int b = 0; b < n_batches; ++b) {
        // Feedback whose delay has passed.
        for (auto it = pending.begin(); it != pending.end();) {
          if (it->ready_batch <= b) {
            for (size_t c = 0; c < C; ++c) shape[c] += it->y[c], rate[c] += it->g[c];
            it = pending.erase(it);
          } else {
            ++it;
          }
        }
        std::vector<double> th(C);
        for (size_t c = 0; c < C; ++c)
          th[c] = p == 0 ? sample_gamma(shape[c], rng) / rate[c] : shape[c] / rate[c];
        if (p < 2) {
          ML_ASSIGN_OR_RETURN(split, best_split(ch, th, opt.budget));
        }
        Pending fb{b + 1 + opt.delay, std::vector<double>(C, 0.0), std::vector<double>(C, 0.0)};
        const double inst = rep.best_value - expected_response(ch, truth, split);
        for (int t = b * opt.batch; t < std::min(opt.periods, (b + 1) * opt.batch); ++t) {
          for (size_t c = 0; c < C; ++c) {
            const double g = shape_g(ch[c], split[c]);
            fb.y[c] += poisson(truth[c] * g, rng);
            fb.g[c] += g;
          }
          cum += inst;
          rep.regret[p][t] += cum / opt.runs;
        }
        pending.push_back(std::move(fb));
      }
      finals[p].push_back(cum);
      if (run == 0) rep.final_split[p] = split;
    }
  }
  for (size_t p = 0; p < P; ++p) {
    double m = std::accumulate(finals[p].begin(), finals[p].end(), 0.0) / finals[p].size(), ss = 0;
    for (double v : finals[p]) ss += (v - m) * (v - m);
    rep.final_regret.push_back(m);
    rep.final_regret_sd.push_back(finals[p].size() > 1 ? std::sqrt(ss / (finals[p].size() - 1)) : 0.0);
  }
  return rep;
}

}  // namespace marketlm::campaign
