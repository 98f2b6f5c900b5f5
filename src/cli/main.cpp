// marketlm: the command-line front door. Parses arguments (CLI11), dispatches
// to a subcommand, and turns library errors into exit codes:
// 0 ok, 1 runtime failure, 2 usage error.
#include <cstdio>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{
      "marketlm: train, compress and serve GPT-style transformers on a CPU, and put them to\n"
      "marketing work (ad copy, recommendations, campaign optimisation).",
      "marketlm"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show help for every command");
  marketlm::cli::CliState state;
  marketlm::cli::register_version(app, state);
  marketlm::cli::register_campaign(app, state);
  marketlm::cli::register_tokenize(app, state);
  marketlm::cli::register_tokenizer(app, state);
  marketlm::cli::register_generate(app, state);
  marketlm::cli::register_train(app, state);
  marketlm::cli::register_finetune(app, state);
  marketlm::cli::register_plot_loss(app, state);
  marketlm::cli::register_adcopy(app, state);
  marketlm::cli::register_eval(app, state);
  marketlm::cli::register_recommend(app, state);
  marketlm::cli::register_quantize(app, state);
  marketlm::cli::register_prune(app, state);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  return state.exit_code;
}
