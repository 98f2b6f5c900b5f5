// `marketlm campaign uplift|target|budget` (see cmd_campaign.cpp).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <sstream>

#include "cli/campaign_commands.h"
#include "cli/output.h"
#include "marketlm/apps/campaign/budget.h"
#include "marketlm/io/chart.h"
#include "marketlm/apps/campaign/targeting.h"
#include "marketlm/apps/campaign/uplift.h"
#include "marketlm/core/thread_pool.h"

namespace marketlm::cli {

using namespace marketlm::campaign;
using nlohmann::json;

namespace {

struct TargetOpts {
  TargetingOptions opt;
  std::string model = "all", chart;
  int threads = 0;
  bool json = false, no_tune = false;
};

int run_target(TargetOpts o) {
  if (o.model == "all") o.opt.models = {"logreg", "gbt", "ensemble"};
  else o.opt.models = {o.model};
  o.opt.tune = !o.no_tune;
  ThreadPool pool(o.threads);
  ProgressBar bar(!o.json);
  auto rep = run_targeting(o.opt, &pool, bar.sink());
  if (!rep.is_ok()) return report_error("campaign target", rep.status());
  if (!o.chart.empty()) {
    ChartOptions co;
    co.title = "CoIL 2000 test set: cumulative gains (" + std::to_string(rep->test_buyers) + " buyers)";
    co.x_label = "% of customers contacted (ranked by model)";
    co.y_label = "buyers found";
    std::vector<ChartSeries> series;
    for (const auto& m : rep->models) {
      ChartSeries s;
      s.name = m.model + " (" + std::to_string(m.test_hits) + "@" + std::to_string(rep->top) + ")";
      for (int p = 0; p <= 100; ++p) s.x.push_back(p), s.y.push_back(m.gains[p]);
      series.push_back(s);
    }
    ChartSeries rnd;
    rnd.name = "random";
    rnd.x = {0, 100};
    rnd.y = {0, double(rep->test_buyers)};
    rnd.dashed = true;
    series.push_back(rnd);
    ChartSeries win;
    win.name = "winner 121@800";
    win.x = {20, 20};
    win.y = {0, 121};
    win.dashed = true;
    series.push_back(win);
    Status st = write_line_chart(o.chart, series, co);
    if (!st.is_ok()) return report_error("campaign target", st);
  }
  if (o.json) {
    json j = {{"data", o.opt.data}, {"train_rows", rep->train_rows}, {"test_rows", rep->test_rows},
              {"train_buyers", rep->train_buyers}, {"test_buyers", rep->test_buyers}, {"top", rep->top},
              {"random_expected_hits", rep->random_hits}, {"published_winner_hits", 121},
              {"published_random_hits", 42}, {"models", json::array()}};
    for (const auto& m : rep->models)
      j["models"].push_back({{"model", m.model}, {"chosen", m.chosen},
                             {"cv_hits_top20", std::isnan(m.cv_hits_top20) ? json(nullptr) : json(m.cv_hits_top20)},
                             {"cv_auc", std::isnan(m.cv_auc) ? json(nullptr) : json(m.cv_auc)},
                             {"test_hits", m.test_hits}, {"test_auc", m.test_auc}, {"gains_by_percent", m.gains}});
    print_json(j);
    return kExitOk;
  }
  std::printf("CoIL 2000 caravan insurance: train %zu rows (%d buyers), test %zu rows (%d buyers)\n",
              rep->train_rows, rep->train_buyers, rep->test_rows, rep->test_buyers);
  std::printf("buyers in the top %d test rows: random %.1f expected (published 42), challenge winner 121\n\n",
              rep->top, rep->random_hits);
  std::printf("%-9s %9s %8s %8s %8s  %s\n", "model", "hits@top", "test_auc", "cv_hits", "cv_auc", "chosen by CV");
  for (const auto& m : rep->models)
    std::printf("%-9s %9d %8.4f %8.0f %8.4f  %s\n", m.model.c_str(), m.test_hits, m.test_auc,
                m.cv_hits_top20, m.cv_auc, m.chosen.c_str());
  return kExitOk;
}

struct UpliftOpts {
  UpliftOptions opt;
  std::string chart;
  int threads = 0;
  bool json = false;
};

int run_uplift_cmd(const UpliftOpts& o) {
  ThreadPool pool(o.threads);
  auto rep = run_uplift(o.opt, &pool);
  if (!rep.is_ok()) return report_error("campaign uplift", rep.status());
  if (!o.chart.empty()) {
    ChartOptions co;
    co.title = "Hillstrom held-out: Qini curves (incremental visits)";
    co.x_label = "share of customers targeted";
    co.y_label = "incremental visits";
    std::vector<ChartSeries> series;
    std::vector<std::string> seen;
    for (const auto& m : rep->models) {
      ChartSeries s;
      s.name = (m.treatment == "Mens E-Mail" ? "mens " : m.treatment == "Womens E-Mail" ? "womens " : m.treatment + " ") + m.model;
      s.x = m.curve.fraction;
      s.y = m.curve.qini;
      series.push_back(s);
      if (std::find(seen.begin(), seen.end(), m.treatment) == seen.end()) {
        seen.push_back(m.treatment);
        ChartSeries r;
        r.name = "random (" + s.name.substr(0, s.name.find(' ')) + ")";
        r.x = {0, 1};
        r.y = {0, m.curve.qini.back()};
        r.dashed = true;
        series.push_back(r);
      }
    }
    Status st = write_line_chart(o.chart, series, co);
    if (!st.is_ok()) return report_error("campaign uplift", st);
  }
  if (o.json) {
    json j = {{"data", o.opt.data}, {"learner", o.opt.learner}, {"train_rows", rep->train_rows},
              {"test_rows", rep->test_rows}, {"arm_visit_rate", rep->arm_visit_rate},
              {"models", json::array()}, {"rule", json::object()}};
    for (const auto& m : rep->models)
      j["models"].push_back({{"treatment", m.treatment}, {"model", m.model}, {"auuc", m.auuc},
                             {"auuc_random", m.auuc_random}, {"qini_coefficient", m.qini_coefficient},
                             {"uplift_at_30", m.uplift_at_30}, {"ate", m.ate},
                             {"qini_curve", {{"fraction", m.curve.fraction}, {"qini", m.curve.qini}}}});
    j["rule"] = {{"model", rep->rule_model}, {"min_uplift", o.opt.min_uplift}, {"share", rep->rule_share},
                 {"gain_vs_none_visits_per_1000", rep->gain_vs_none_per_1000},
                 {"gain_vs_best_single_visits_per_1000", rep->gain_vs_best_single_per_1000},
                 {"gain_vs_best_single_ci", {rep->gain_vs_best_ci_low, rep->gain_vs_best_ci_high}},
                 {"values", json::array()}};
    for (const auto& v : rep->values)
      j["rule"]["values"].push_back({{"policy", v.policy}, {"visit_rate", v.visit_rate},
                                     {"ci_low", v.ci_low}, {"ci_high", v.ci_high}});
    print_json(j);
    return kExitOk;
  }
  std::printf("Hillstrom e-mail test: %zu train / %zu held-out customers; visit rates none %.2f%%",
              rep->train_rows, rep->test_rows, 100 * rep->arm_visit_rate[0]);
  for (size_t k = 1; k < rep->arm_visit_rate.size(); ++k)
    std::printf(", %s %.2f%%", o.opt.treatments[k - 1].c_str(), 100 * rep->arm_visit_rate[k]);
  std::printf("\n\n%-14s %-16s %8s %8s %8s %10s %9s\n", "treatment", "model", "AUUC", "random",
              "Qini", "uplift@30%", "ATE");
  for (const auto& m : rep->models)
    std::printf("%-14s %-16s %8.5f %8.5f %8.5f %9.2f%% %8.2f%%\n", m.treatment.c_str(), m.model.c_str(),
                m.auuc, m.auuc_random, m.qini_coefficient, 100 * m.uplift_at_30, 100 * m.ate);
  std::printf("\nrule (%s, contact if predicted uplift > %.3f): none %.1f%%", rep->rule_model.c_str(),
              o.opt.min_uplift, 100 * rep->rule_share[0]);
  for (size_t k = 1; k < rep->rule_share.size(); ++k)
    std::printf(", %s %.1f%%", o.opt.treatments[k - 1].c_str(), 100 * rep->rule_share[k]);
  std::printf("\n%-22s %10s %10s %10s\n", "policy (held-out, IPS)", "visit rate", "ci_low", "ci_high");
  for (const auto& v : rep->values)
    std::printf("%-22s %9.2f%% %9.2f%% %9.2f%%\n", v.policy.c_str(), 100 * v.visit_rate, 100 * v.ci_low,
                100 * v.ci_high);
  std::printf("expected gain: %+.1f visits per 1,000 customers vs no e-mail; %+.1f [%+.1f, %+.1f] vs the best single e-mail\n",
              rep->gain_vs_none_per_1000, rep->gain_vs_best_single_per_1000, rep->gain_vs_best_ci_low,
              rep->gain_vs_best_ci_high);
  return kExitOk;
}

struct BudgetOpts {
  BudgetOptions opt;
  std::string chart;
  bool json = false;
};

int run_budget_cmd(const BudgetOpts& o) {
  auto ch = channels_from_hillstrom(o.opt);
  if (!ch.is_ok()) return report_error("campaign budget", ch.status());
  auto rep = simulate_budget(*ch, o.opt);
  if (!rep.is_ok()) return report_error("campaign budget", rep.status());
  if (!o.chart.empty()) {
    ChartOptions co;
    co.title = "Budget allocation: cumulative regret vs the best fixed split";
    co.x_label = "period";
    co.y_label = "cumulative regret (expected responses)";
    std::vector<ChartSeries> series;
    for (size_t p = 0; p < rep->policies.size(); ++p) {
      ChartSeries s;
      s.name = rep->policies[p];
      for (size_t t = 0; t < rep->regret[p].size(); ++t) s.x.push_back(t + 1), s.y.push_back(rep->regret[p][t]);
      series.push_back(s);
    }
    Status st = write_line_chart(o.chart, series, co);
    if (!st.is_ok()) return report_error("campaign budget", st);
  }
  if (o.json) {
    json j = {{"budget_per_period", o.opt.budget}, {"periods", o.opt.periods}, {"batch", o.opt.batch},
              {"delay_batches", o.opt.delay}, {"runs", o.opt.runs}, {"channels", json::array()},
              {"best_fixed_value", rep->best_value}, {"policies", json::array()}};
    for (size_t c = 0; c < rep->channels.size(); ++c) {
      const auto& ch_c = rep->channels[c];
      j["channels"].push_back({{"name", ch_c.name}, {"theta", ch_c.theta}, {"scale", ch_c.scale},
                               {"floor", ch_c.floor}, {"cap", ch_c.cap}, {"best_fixed_spend", rep->best_fixed[c]}});
    }
    for (size_t p = 0; p < rep->policies.size(); ++p)
      j["policies"].push_back({{"policy", rep->policies[p]}, {"final_regret", rep->final_regret[p]},
                               {"final_regret_sd", rep->final_regret_sd[p]},
                               {"regret_share", rep->final_regret[p] / (rep->best_value * o.opt.periods)},
                               {"last_split_run0", rep->final_split[p]}});
    print_json(j);
    return kExitOk;
  }
  std::printf("budget %.1f per period, %d periods, decisions every %d periods, feedback %d batches late, %d runs\n",
              o.opt.budget, o.opt.periods, o.opt.batch, o.opt.delay, o.opt.runs);
  std::printf("%-14s %10s %10s %8s %8s %12s\n", "channel", "potential", "scale", "floor", "cap", "best spend");
  for (size_t c = 0; c < rep->channels.size(); ++c) {
    const auto& x = rep->channels[c];
    std::printf("%-14s %10.2f %10.2f %8.2f %8.2f %12.2f\n", x.name.c_str(), x.theta, x.scale, x.floor, x.cap,
                rep->best_fixed[c]);
  }
  std::printf("best fixed split: %.3f expected responses per period\n\n", rep->best_value);
  std::printf("%-12s %14s %8s %10s  %s\n", "policy", "final regret", "sd", "% of value", "last split (run 0)");
  for (size_t p = 0; p < rep->policies.size(); ++p) {
    std::printf("%-12s %14.2f %8.2f %9.2f%%  ", rep->policies[p].c_str(), rep->final_regret[p],
                rep->final_regret_sd[p], 100 * rep->final_regret[p] / (rep->best_value * o.opt.periods));
    for (double v : rep->final_split[p]) std::printf("%.1f ", v);
    std::printf("\n");
  }
  return kExitOk;
}

}  // namespace

void register_campaign_more(CLI::App* cmd, CliState& state) {
  auto t = std::make_shared<TargetOpts>();
  auto* c = cmd->add_subcommand("target", "Who will buy: response models on the CoIL 2000 caravan data; "
                                          "buyers in the top N test rows");
  c->add_option("--data", t->opt.data, "ticdata CSV (column 'split' = train/test)")->capture_default_str();
  c->add_option("--model", t->model, "logreg, gbt or all (adds their rank ensemble)")->capture_default_str();
  c->add_option("--top", t->opt.top, "Size of the mailing list")->capture_default_str();
  c->add_option("--folds", t->opt.folds, "Cross-validation folds on the training rows")->capture_default_str();
  c->add_flag("--no-tune", t->no_tune, "Skip the cross-validated grid search (defaults)");
  c->add_option("--seed", t->opt.seed, "Random seed")->capture_default_str();
  c->add_option("--threads", t->threads, "Threads (0 = all cores)")->capture_default_str();
  c->add_option("--chart", t->chart, "Write the gains chart (.svg or .png)");
  c->add_flag("--json", t->json, "Machine-readable output");
  c->callback([&state, t] { state.exit_code = run_target(*t); });

  auto u = std::make_shared<UpliftOpts>();
  auto* cu = cmd->add_subcommand("uplift", "Whom to contact: two-model and class-transformation uplift on "
                                           "the Hillstrom e-mail test; Qini, AUUC, uplift@30%, a send rule");
  cu->add_option("--data", u->opt.data, "Hillstrom CSV")->capture_default_str();
  cu->add_option("--learner", u->opt.learner, "Base classifier: logreg or gbt")->capture_default_str();
  cu->add_option("--test-fraction", u->opt.test_fraction, "Held-out share")->capture_default_str();
  cu->add_option("--min-uplift", u->opt.min_uplift, "Send only when predicted uplift exceeds this")->capture_default_str();
  cu->add_option("--bootstrap", u->opt.n_bootstrap, "Bootstrap resamples")->capture_default_str();
  cu->add_option("--seed", u->opt.seed, "Random seed")->capture_default_str();
  cu->add_option("--threads", u->threads, "Threads (0 = all cores)")->capture_default_str();
  cu->add_option("--chart", u->chart, "Write the Qini curves (.svg or .png)");
  cu->add_flag("--json", u->json, "Machine-readable output");
  cu->callback([&state, u] { state.exit_code = run_uplift_cmd(*u); });

  auto b = std::make_shared<BudgetOpts>();
  auto* cb = cmd->add_subcommand("budget", "Where to spend: Thompson-sampling budget split across channels "
                                           "(diminishing returns, floors, caps, delayed feedback), simulated "
                                           "from the Hillstrom data; regret vs the best fixed split");
  cb->add_option("--data", b->opt.data, "Hillstrom CSV the simulator is fitted to")->capture_default_str();
  cb->add_option("--budget", b->opt.budget, "Spend per period")->capture_default_str();
  cb->add_option("--cost-per-contact", b->opt.cost_per_contact, "Cost of one e-mail")->capture_default_str();
  cb->add_option("--audience-share", b->opt.audience_share, "Customers reachable per period, share of the file")->capture_default_str();
  cb->add_option("--periods", b->opt.periods, "Periods simulated")->capture_default_str();
  cb->add_option("--batch", b->opt.batch, "Periods per decision")->capture_default_str();
  cb->add_option("--delay", b->opt.delay, "Batches before feedback arrives")->capture_default_str();
  cb->add_option("--floor-share", b->opt.floor_share, "Minimum share of the budget per channel")->capture_default_str();
  cb->add_option("--cap-share", b->opt.cap_share, "Maximum share of the budget per channel")->capture_default_str();
  cb->add_option("--runs", b->opt.runs, "Independent simulations averaged")->capture_default_str();
  cb->add_option("--seed", b->opt.seed, "Random seed")->capture_default_str();
  cb->add_option("--chart", b->chart, "Write the regret curves (.svg or .png)");
  cb->add_flag("--json", b->json, "Machine-readable output");
  cb->callback([&state, b] { state.exit_code = run_budget_cmd(*b); });
}

}  // namespace marketlm::cli
