// Every `marketlm` subcommand registers itself here. Each lives in its own
// cmd_<name>.cpp and adds a subcommand to the app; its callback stores the
// exit code in CliState.
#pragma once

#include <CLI/CLI.hpp>

namespace marketlm::cli {

struct CliState {
  int exit_code = 0;
};

void register_version(CLI::App& app, CliState& state);
void register_campaign(CLI::App& app, CliState& state);
void register_tokenize(CLI::App& app, CliState& state);
void register_tokenizer(CLI::App& app, CliState& state);
void register_train(CLI::App& app, CliState& state);
void register_finetune(CLI::App& app, CliState& state);
void register_plot_loss(CLI::App& app, CliState& state);
void register_adcopy(CLI::App& app, CliState& state);
// `eval` and its task subcommands (register_eval adds eval, which calls the rest).
void register_eval(CLI::App& app, CliState& state);
void register_eval_adcopy(CLI::App& eval, CliState& state);
void register_recommend(CLI::App& app, CliState& state);
void register_generate(CLI::App& app, CliState& state);
void register_quantize(CLI::App& app, CliState& state);
void register_prune(CLI::App& app, CliState& state);
void register_eval_perplexity(CLI::App& eval, CliState& state);

}  // namespace marketlm::cli
