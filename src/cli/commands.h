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
void register_recommend(CLI::App& app, CliState& state);

}  // namespace marketlm::cli
