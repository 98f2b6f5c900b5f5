// Where a `--model DIR` flag points: a model directory (config.json), or a
// training run directory, which stands for its newest checkpoint.
#pragma once

#include <string>

namespace marketlm::cli {

// DIR itself when it holds config.json; else the checkpoint that
// DIR/checkpoints/latest names; else DIR unchanged (loading it then reports
// what is missing).
std::string resolve_model_dir(const std::string& dir);

}  // namespace marketlm::cli
