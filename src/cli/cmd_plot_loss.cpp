// marketlm plot-loss: draws the train/validation loss curves of a run's
// log.jsonl as an SVG or PNG chart.
#include <memory>

#include "cli/commands.h"
#include "cli/output.h"
#include "marketlm/train/training_log.h"

namespace marketlm::cli {

namespace {
struct PlotOpts {
  std::string log, out, title = "Training loss";
  double smooth = -1;
  bool json = false;
};

int run_plot(const PlotOpts& o) {
  if (!(o.smooth < 1) || (o.smooth < 0 && o.smooth != -1)) {
    return report_error("plot-loss",
                        invalid_argument("--smooth must be in [0, 1) (or -1 = auto), got " + std::to_string(o.smooth)));
  }
  auto curves = read_training_log(o.log);
  if (!curves.is_ok()) return report_error("plot-loss", curves.status());
  Status s = write_loss_chart(*curves, o.out, o.title, o.smooth);
  if (!s.is_ok()) return report_error("plot-loss", s);
  if (o.json) {
    print_json({{"out", o.out}, {"steps", curves->step.size()}, {"val_points", curves->val_step.size()},
                {"last_loss", curves->loss.back()},
                {"last_val_loss", curves->val_loss.empty() ? nlohmann::json(nullptr) : nlohmann::json(curves->val_loss.back())}});
  } else {
    std::printf("wrote %s (%zu steps, %zu validation points)\n", o.out.c_str(), curves->step.size(),
                curves->val_step.size());
  }
  return kExitOk;
}
}  // namespace

void register_plot_loss(CLI::App& app, CliState& state) {
  auto* cmd = app.add_subcommand("plot-loss", "Draw a run's train/validation loss curves as an SVG or PNG image");
  auto o = std::make_shared<PlotOpts>();
  cmd->add_option("--log", o->log, "Training log (RUN/log.jsonl)")->required();
  cmd->add_option("--out", o->out, "Image to write: .svg or .png")->required();
  cmd->add_option("--title", o->title, "Chart title");
  cmd->add_option("--smooth", o->smooth, "EMA smoothing of the train curve in [0, 1) (0 = raw only); default auto: a window of ~5% of the steps");
  cmd->add_flag("--json", o->json, "Print a JSON summary");
  cmd->callback([&state, o] { state.exit_code = run_plot(*o); });
}

}  // namespace marketlm::cli
