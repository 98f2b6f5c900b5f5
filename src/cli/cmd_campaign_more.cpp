// `marketlm campaign uplift|target|budget` (see cmd_campaign.cpp).
#include <cmath>
#include <cstdio>
#include <memory>
#include <sstream>

#include "cli/campaign_commands.h"
#include "cli/output.h"
#include "marketlm/apps/campaign/svg_plot.h"
#include "marketlm/apps/campaign/targeting.h"
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
  auto rep = run_targeting(o.opt, &pool);
  if (!rep.is_ok()) return report_error("campaign target", rep.status());
  if (!o.chart.empty()) {
    LineChart c;
    c.title = "CoIL 2000 test set: cumulative gains (" + std::to_string(rep->test_buyers) + " buyers)";
    c.x_label = "% of customers contacted (ranked by model)";
    c.y_label = "buyers found";
    for (const auto& m : rep->models) {
      PlotSeries s;
      s.name = m.model + " (" + std::to_string(m.test_hits) + "@" + std::to_string(rep->top) + ")";
      for (int p = 0; p <= 100; ++p) s.x.push_back(p), s.y.push_back(m.gains[p]);
      c.series.push_back(s);
    }
    PlotSeries rnd{"random", {0, 100}, {0, double(rep->test_buyers)}, true};
    c.series.push_back(rnd);
    PlotSeries win{"winner 121@800", {20, 20}, {0, 121}, true};
    c.series.push_back(win);
    Status st = write_chart(o.chart, render_line_chart(c));
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
  c->add_option("--chart", t->chart, "Write the gains chart as SVG");
  c->add_flag("--json", t->json, "Machine-readable output");
  c->callback([&state, t] { state.exit_code = run_target(*t); });
}

}  // namespace marketlm::cli
