#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "cli/output.h"

namespace marketlm::cli {

void register_version(CLI::App& app, CliState& state) {
  auto* cmd = app.add_subcommand("version", "Print marketlm's version");
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "Machine-readable output");
  cmd->callback([&state, json] {
    if (*json) {
      print_json({{"name", "marketlm"}, {"version", MARKETLM_VERSION}});
    } else {
      std::printf("marketlm %s\n", MARKETLM_VERSION);
    }
    state.exit_code = 0;
  });
}

}  // namespace marketlm::cli
