// Learning-rate schedule: linear warmup from lr/warmup_steps to lr, then a
// half cosine from lr down to min_lr at total_steps, min_lr afterwards.
// A pure function of the step, so resuming needs only the step number.
#pragma once

#include <cstdint>

namespace marketlm {

struct LrSchedule {
  float lr = 3e-4f;
  float min_lr = 3e-5f;
  int64_t warmup_steps = 0;
  int64_t total_steps = 1;

  // Learning rate for the update with 0-based index `step`.
  float at(int64_t step) const;
};

}  // namespace marketlm
