#include "marketlm/train/lr_schedule.h"

#include <cmath>
#include <numbers>

namespace marketlm {

float LrSchedule::at(int64_t step) const {
  if (step < warmup_steps) {
    return static_cast<float>(static_cast<double>(lr) * static_cast<double>(step + 1) /
                              static_cast<double>(warmup_steps));
  }
  if (step >= total_steps) return min_lr;
  const int64_t decay_steps = total_steps - warmup_steps;
  if (decay_steps <= 0) return lr;
  const double progress = static_cast<double>(step - warmup_steps) / static_cast<double>(decay_steps);
  const double cosine = 0.5 * (1.0 + std::cos(std::numbers::pi * progress));
  return static_cast<float>(min_lr + cosine * (static_cast<double>(lr) - min_lr));
}

}  // namespace marketlm
