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

// Train loss (plus an exponential moving average when smoothing in (0, 1);
// < 0 picks auto_smoothing), validation loss with markers; axes "step" and
// "loss (nats/token)". The image format follows the extension: .svg or .png.
Status write_loss_chart(const LossCurves& curves, const std::string& image_path, const std::string& title,
                        double smoothing);

// EMA factor averaging over about 5% of the run (0 = none for <= 20 steps).
double auto_smoothing(size_t n_steps);

}  // namespace marketlm
