// `marketlm campaign uplift|target|budget` (see cmd_campaign.cpp).
#include "cli/campaign_commands.h"

namespace marketlm::cli {

void register_campaign_more(CLI::App* campaign, CliState& state) {}

}  // namespace marketlm::cli
