// `marketlm campaign ...`: marketing-strategy optimisation (issue #6).
//   ope     off-policy evaluation of a bandit policy on a logged-feedback CSV
//   obd     the Open Bandit Dataset protocol (BTS estimated from random logs)
//   uplift  whom to e-mail: uplift models on the Hillstrom randomised test
//   target  who will buy: response models on the CoIL 2000 caravan data
//   budget  where to spend: Thompson-sampling budget allocation, simulated
// Each prints a readable table, or JSON with --json, and can draw an SVG chart.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/campaign_commands.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "marketlm/apps/campaign/bandit_sim.h"
#include "marketlm/apps/campaign/obd.h"
#include "marketlm/apps/campaign/ope.h"
#include "marketlm/core/file_io.h"
#include "marketlm/core/thread_pool.h"
#include "marketlm/io/interval_chart.h"

namespace marketlm::cli {

using namespace marketlm::campaign;
using nlohmann::json;

json estimate_json(const Estimate& e) {
  return {{"estimator", estimator_name(e.estimator)}, {"value", e.value}, {"ci_low", e.ci_low},
          {"ci_high", e.ci_high}, {"std_error", e.std_error}, {"rows_used", e.n_used}};
}

namespace {

struct OpeOpts {
  std::string logs, policy = "bts", policy_logs, chart;
  std::string action_col = "item_id", position_col = "position", reward_col = "click",
              propensity_col = "propensity_score";
  int position_base = 1, n_sim = 100000, bootstrap = 200, threads = 0;
  double epsilon = 0.1;
  uint64_t seed = 0;
  bool json = false;
};

// Builds a context-free evaluation policy's slot probabilities from the
// statistics of a log (the log itself, or --policy-logs).
Result<std::vector<double>> policy_distribution(const OpeOpts& o, const LoggedFeedback& logs,
                                                const LoggedFeedback& stats) {
  const int K = logs.n_actions, P = logs.n_positions;
  if (o.policy == "uniform") return std::vector<double>(static_cast<size_t>(K) * P, 1.0 / K);
  if (o.policy == "bts") return bts_distribution_from_counts(stats, 1.0, 1.0, 1.0, P, o.n_sim, o.seed);
  std::vector<double> clicks(K, 0), shows(K, 0);
  for (size_t i = 0; i < stats.size(); ++i)
    if (stats.action[i] < K) clicks[stats.action[i]] += stats.reward[i], shows[stats.action[i]] += 1;
  std::vector<double> score(K);
  double total = 0;
  for (double s : shows) total += s;
  for (int a = 0; a < K; ++a) {
    double mean = shows[a] > 0 ? clicks[a] / shows[a] : 0;
    score[a] = o.policy == "ucb1" ? (shows[a] > 0 ? mean + std::sqrt(2 * std::log(total) / shows[a]) : 1e9)
                                  : mean;
  }
  if (o.policy != "egreedy" && o.policy != "ucb1")
    return invalid_argument("--policy must be uniform, bts, egreedy or ucb1, got '" + o.policy + "'");
  if (P > K) return invalid_argument("more slots than items");
  std::vector<int> order(K);
  for (int a = 0; a < K; ++a) order[a] = a;
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return score[a] > score[b]; });
  const double eps = o.policy == "egreedy" ? o.epsilon : 0.0;
  std::vector<double> d(static_cast<size_t>(K) * P, eps / K);
  for (int j = 0; j < P; ++j) d[static_cast<size_t>(j) * K + order[j]] += 1.0 - eps;
  return d;
}

int run_ope(const OpeOpts& o) {
  LogColumns cols;
  cols.action = o.action_col;
  cols.position = o.position_col;
  cols.reward = o.reward_col;
  cols.propensity = o.propensity_col;
  cols.position_base = o.position_base;
  auto logs = read_logged_feedback(o.logs, cols);
  if (!logs.is_ok()) return report_error("campaign ope", logs.status());
  LoggedFeedback stats_logs;
  if (!o.policy_logs.empty()) {
    auto s = read_logged_feedback(o.policy_logs, cols);
    if (!s.is_ok()) return report_error("campaign ope", s.status());
    stats_logs = std::move(s).value();
    logs->n_actions = std::max(logs->n_actions, stats_logs.n_actions);
    logs->n_positions = std::max(logs->n_positions, stats_logs.n_positions);
  }
  const LoggedFeedback& stats = o.policy_logs.empty() ? *logs : stats_logs;
  auto dist = policy_distribution(o, *logs, stats);
  if (!dist.is_ok()) return report_error("campaign ope", dist.status());
  auto in = make_ope_inputs(*logs, *dist, fit_reward_table(*logs, 20.0), o.seed + 5, 20.0);
  if (!in.is_ok()) return report_error("campaign ope", in.status());
  ThreadPool pool(o.threads);
  OpeOptions oo;
  oo.n_bootstrap = o.bootstrap;
  oo.seed = o.seed;
  auto est = evaluate(*in, oo, &pool);
  if (!est.is_ok()) return report_error("campaign ope", est.status());
  if (!o.chart.empty()) {
    IntervalChart c;
    ChartOptions co;
    co.title = "Estimated value of policy '" + o.policy + "' (95% bootstrap CI)";
    co.y_label = "value per impression";
    for (const auto& e : *est) {
      c.labels.push_back(estimator_name(e.estimator));
      c.value.push_back(e.value);
      c.low.push_back(e.ci_low);
      c.high.push_back(e.ci_high);
    }
    Status st = write_interval_chart(o.chart, c, co);
    if (!st.is_ok()) return report_error("campaign ope", st);
  }
  if (o.json) {
    json j = {{"logs", o.logs}, {"policy", o.policy}, {"rows", logs->size()},
              {"items", logs->n_actions}, {"slots", logs->n_positions}, {"estimates", json::array()}};
    for (const auto& e : *est) j["estimates"].push_back(estimate_json(e));
    print_json(j);
    return kExitOk;
  }
  std::printf("off-policy value of '%s' on %s (%zu rows, %d items, %d slots)\n", o.policy.c_str(),
              o.logs.c_str(), logs->size(), logs->n_actions, logs->n_positions);
  std::printf("%-8s %10s %10s %10s %10s\n", "method", "value", "ci_low", "ci_high", "rows_used");
  for (const auto& e : *est)
    std::printf("%-8s %10.6f %10.6f %10.6f %10.0f\n", estimator_name(e.estimator), e.value, e.ci_low,
                e.ci_high, e.n_used);
  return kExitOk;
}

struct ObdOpts {
  ObdOptions opt;
  std::string chart;
  int threads = 0;
  bool json = false;
};

int run_obd(const ObdOpts& o) {
  ThreadPool pool(o.threads);
  auto rep = run_obd_protocol(o.opt, &pool);
  if (!rep.is_ok()) return report_error("campaign obd", rep.status());
  if (!o.chart.empty()) {
    IntervalChart c;
    ChartOptions co;
    co.title = "OBD men: BTS click rate estimated from random logs";
    co.y_label = "click rate";
    for (const auto& v : rep->variants) {
      if (v.name == "count-posterior") continue;
      const char* tag = v.name == "bts-log-frequency" ? " (freq)" : " (MC)";
      for (const auto& e : v.estimates) {
        c.labels.push_back(std::string(estimator_name(e.estimator)) + tag);
        c.value.push_back(e.value);
        c.low.push_back(e.ci_low);
        c.high.push_back(e.ci_high);
      }
    }
    c.reference = rep->on_policy.value;
    c.reference_label = "BTS on-policy";
    Status st = write_interval_chart(o.chart, c, co);
    if (!st.is_ok()) return report_error("campaign obd", st);
  }
  if (o.json) {
    json j = {{"campaign", o.opt.campaign},
              {"random_rows", rep->random_rows},
              {"bts_rows", rep->bts_rows},
              {"items", rep->n_items},
              {"slots", rep->n_slots},
              {"random_ctr", rep->random_ctr},
              {"bts_on_policy_ctr", estimate_json(rep->on_policy)},
              {"variants", json::array()}};
    for (const auto& v : rep->variants) {
      json jv = {{"name", v.name}, {"description", v.description}, {"scale", v.scale}, {"prior_strength", v.prior_strength},
                 {"log_likelihood", v.log_likelihood}, {"tv_to_frequency", v.tv_to_frequency},
                 {"estimates", json::array()}};
      for (size_t i = 0; i < v.estimates.size(); ++i) {
        json je = estimate_json(v.estimates[i]);
        je["relative_error"] = v.relative_error[i];
        jv["estimates"].push_back(je);
      }
      j["variants"].push_back(jv);
    }
    print_json(j);
    return kExitOk;
  }
  std::printf("Open Bandit Dataset, %s campaign: %zu random rows, %zu BTS rows, %d items, %d slots\n",
              o.opt.campaign.c_str(), rep->random_rows, rep->bts_rows, rep->n_items, rep->n_slots);
  std::printf("random policy CTR %.5f | BTS on-policy CTR %.5f [%.5f, %.5f]\n", rep->random_ctr,
              rep->on_policy.value, rep->on_policy.ci_low, rep->on_policy.ci_high);
  for (const auto& v : rep->variants) {
    std::printf("\nBTS action distribution: %s (m=%g, s=%g, mean log-lik %.3f, TV to BTS-log freq %.3f)\n",
                v.name.c_str(), v.prior_strength, v.scale, v.log_likelihood, v.tv_to_frequency);
    std::printf("%-8s %10s %10s %10s %9s\n", "method", "estimate", "ci_low", "ci_high", "rel_err");
    for (size_t i = 0; i < v.estimates.size(); ++i) {
      const auto& e = v.estimates[i];
      std::printf("%-8s %10.5f %10.5f %10.5f %9.3f\n", estimator_name(e.estimator), e.value, e.ci_low,
                  e.ci_high, v.relative_error[i]);
    }
  }
  return kExitOk;
}

struct SimOpts {
  std::string policy = "bts", logs = "../shared/data/obd/random/men/men.csv", out;
  PolicyConfig cfg;
  SimulationOptions sim;
  bool json = false;
};

int run_simulate(SimOpts o) {
  LogColumns cols;
  auto logs = read_logged_feedback(o.logs, cols);
  if (!logs.is_ok()) return report_error("campaign simulate", logs.status());
  const auto table = fit_reward_table(*logs, 20.0);
  o.cfg.n_actions = logs->n_actions;
  if (o.policy == "linucb" || o.policy == "lints") o.cfg.dim = 1;  // no user context: a constant feature
  auto policy = make_policy(o.policy, o.cfg);
  if (!policy.is_ok()) return report_error("campaign simulate", policy.status());
  auto res = simulate_policy(**policy, table, logs->n_positions, o.sim);
  if (!res.is_ok()) return report_error("campaign simulate", res.status());
  if (!o.out.empty()) {
    Status st = write_logged_feedback(o.out, res->log);
    if (!st.is_ok()) return report_error("campaign simulate", st);
  }
  if (o.json) {
    print_json({{"policy", o.policy}, {"click_table_from", o.logs}, {"events", o.sim.events},
                {"slate", o.sim.slate}, {"ctr", res->ctr}, {"expected_ctr", res->expected_ctr},
                {"best_fixed_ctr", res->best_fixed_ctr}, {"log", o.out}});
    return kExitOk;
  }
  std::printf("policy %s, %d slates of %d items, click rates per (slot, item) fitted on %s\n", o.policy.c_str(),
              o.sim.events, o.sim.slate, o.logs.c_str());
  std::printf("%-22s %10s\n%-22s %10.5f\n%-22s %10.5f\n%-22s %10.5f\n", "", "CTR", "observed", res->ctr,
              "expected (no noise)", res->expected_ctr, "best fixed slate", res->best_fixed_ctr);
  if (!o.out.empty()) std::printf("log with propensities written to %s\n", o.out.c_str());
  return kExitOk;
}

}  // namespace

void register_campaign(CLI::App& app, CliState& state) {
  auto* cmd = app.add_subcommand("campaign", "Marketing-strategy optimisation: what to show (bandits, "
                                             "off-policy evaluation), whom to contact (uplift), who will "
                                             "buy (targeting), where to spend (budget)");
  cmd->require_subcommand(1);

  auto ope = std::make_shared<OpeOpts>();
  auto* c1 = cmd->add_subcommand("ope", "Off-policy evaluation of a policy on a logged-feedback CSV "
                                        "(replay, IPS, SNIPS, DM, DR with bootstrap intervals)");
  c1->add_option("--logs", ope->logs, "Logged-feedback CSV (one row per shown item)")->required();
  c1->add_option("--policy", ope->policy, "Evaluation policy: uniform, bts, egreedy, ucb1 (fitted on the "
                                          "click counts of --policy-logs, default the logs themselves)")
      ->capture_default_str();
  c1->add_option("--policy-logs", ope->policy_logs, "CSV whose counts define the evaluation policy");
  c1->add_option("--action-column", ope->action_col, "Action column")->capture_default_str();
  c1->add_option("--position-column", ope->position_col, "Slot column ('' = one slot)")->capture_default_str();
  c1->add_option("--reward-column", ope->reward_col, "Reward column")->capture_default_str();
  c1->add_option("--propensity-column", ope->propensity_col, "Logging propensity column")->capture_default_str();
  c1->add_option("--position-base", ope->position_base, "Number of the first slot in the file")->capture_default_str();
  c1->add_option("--epsilon", ope->epsilon, "egreedy exploration rate")->capture_default_str();
  c1->add_option("--n-sim", ope->n_sim, "Monte-Carlo draws for bts")->capture_default_str();
  c1->add_option("--bootstrap", ope->bootstrap, "Bootstrap resamples")->capture_default_str();
  c1->add_option("--seed", ope->seed, "Random seed")->capture_default_str();
  c1->add_option("--threads", ope->threads, "Threads (0 = all cores)")->capture_default_str();
  c1->add_option("--chart", ope->chart, "Write the estimates with intervals as an SVG chart (.svg)");
  c1->add_flag("--json", ope->json, "Machine-readable output");
  c1->callback([&state, ope] { state.exit_code = run_ope(*ope); });

  auto obd = std::make_shared<ObdOpts>();
  auto* c2 = cmd->add_subcommand("obd", "Open Bandit Dataset protocol: estimate Bernoulli-TS's click rate "
                                        "from the random policy's logs; relative error vs BTS's own logs");
  c2->add_option("--data", obd->opt.data_dir, "OBD folder (random/ and bts/)")->capture_default_str();
  c2->add_option("--campaign", obd->opt.campaign, "Campaign folder name")->capture_default_str();
  c2->add_option("--n-sim", obd->opt.n_sim, "Monte-Carlo draws for BTS's action distribution")->capture_default_str();
  c2->add_option("--bootstrap", obd->opt.n_bootstrap, "Bootstrap resamples")->capture_default_str();
  c2->add_option("--seed", obd->opt.seed, "Random seed")->capture_default_str();
  c2->add_option("--threads", obd->threads, "Threads (0 = all cores)")->capture_default_str();
  c2->add_option("--chart", obd->chart, "Write the estimates vs the on-policy value as an SVG chart (.svg)");
  c2->add_flag("--json", obd->json, "Machine-readable output");
  c2->callback([&state, obd] { state.exit_code = run_obd(*obd); });

  auto sim = std::make_shared<SimOpts>();
  auto* c3 = cmd->add_subcommand("simulate", "Run a bandit policy (egreedy, ucb1, bts, linucb, lints) against "
                                             "click rates fitted on a log; write its own log with propensities");
  c3->add_option("--policy", sim->policy, "egreedy, ucb1, bts, linucb or lints")->capture_default_str();
  c3->add_option("--logs", sim->logs, "Log whose per-(slot, item) click rates drive the simulation")->capture_default_str();
  c3->add_option("--events", sim->sim.events, "Slates to show")->capture_default_str();
  c3->add_option("--slate", sim->sim.slate, "Items per slate")->capture_default_str();
  c3->add_option("--epsilon", sim->cfg.epsilon, "egreedy exploration rate")->capture_default_str();
  c3->add_option("--discount", sim->cfg.discount, "bts: decay of past counts per update (1 = none)")->capture_default_str();
  c3->add_option("--propensity-sims", sim->cfg.propensity_sims, "Monte-Carlo draws per logged propensity")->capture_default_str();
  c3->add_option("--seed", sim->sim.seed, "Random seed")->capture_default_str();
  c3->add_option("--out", sim->out, "Write the policy's log (item_id, position, click, propensity_score)");
  c3->add_flag("--json", sim->json, "Machine-readable output");
  c3->callback([&state, sim] { state.exit_code = run_simulate(*sim); });

  register_campaign_more(cmd, state);
}

}  // namespace marketlm::cli
