// Reading a training log (<out>/log.jsonl, one JSON object per step) back
// into loss curves, and drawing them with the io/ chart writer.
#pragma once

#include <string>
#include <vector>

#include "marketlm/core/status.h"

namespace marketlm {

struct LossCurves {
  std::vector<double> step, loss;          // every logged step
  std::vector<double> val_step, val_loss;  // steps where validation ran
};

// Errors name the file and line. Blank lines are skipped; a last line cut off
// by a crash (not valid JSON) is skipped with no error.
Result<LossCurves> read_training_log(const std::string& path);

// Train loss (plus an exponential moving average when smoothing in (0, 1)),
// validation loss with markers; axes "step" and "loss (nats/token)".
Status write_loss_chart(const LossCurves& curves, const std::string& svg_path, const std::string& title,
                        double smoothing);

}  // namespace marketlm
