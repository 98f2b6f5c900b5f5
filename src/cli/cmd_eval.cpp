// marketlm eval <task>: scores a model's or a baseline's output on data.
// Each task registers itself under `eval` (adcopy: cmd_adcopy.cpp).
#include "cli/commands.h"

namespace marketlm::cli {

void register_eval(CLI::App& app, CliState& state) {
  auto* eval = app.add_subcommand("eval", "Evaluate generated output on held-out data");
  eval->require_subcommand(1);
  register_eval_adcopy(*eval, state);
  register_eval_perplexity(*eval, state);
}

}  // namespace marketlm::cli
