// Memory estimate for a training run, checked before anything big is
// allocated: parameters + gradients + two AdamW moments (4 bytes each per
// parameter) + activations (from a model-supplied hook, 0 if none) + the
// packed data. Refused with the figures when it exceeds what is available.
#pragma once

#include <cstdint>
#include <string>

#include "marketlm/core/status.h"

namespace marketlm {

struct TrainMemoryEstimate {
  uint64_t params = 0, grads = 0, adam = 0, activations = 0, data = 0;
  bool activations_known = false;
  uint64_t total() const { return params + grads + adam + activations + data; }
  std::string describe() const;  // "1.2 GiB (params 100 MiB, grads ..., ...)"
};

TrainMemoryEstimate estimate_train_memory(int64_t num_params, int64_t activation_bytes, uint64_t data_bytes);

// MemAvailable from /proc/meminfo (or the given text, for tests).
Result<uint64_t> available_memory_bytes();
Result<uint64_t> parse_meminfo_available(const std::string& meminfo_text);

// ok when the estimate fits in `available`; otherwise resource_exhausted
// naming both figures and what to lower.
Status check_memory_fits(const TrainMemoryEstimate& e, uint64_t available, const std::string& available_source);

std::string format_bytes(uint64_t bytes);

}  // namespace marketlm
