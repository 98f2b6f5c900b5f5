// Internal to the `campaign` command: the sub-subcommands split across files.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.h"
#include "marketlm/apps/campaign/ope.h"

namespace marketlm::cli {

// uplift, target, budget (cmd_campaign_more.cpp).
void register_campaign_more(CLI::App* campaign, CliState& state);

nlohmann::json estimate_json(const campaign::Estimate& e);

}  // namespace marketlm::cli
