// AdamW optimiser step on raw float arrays, PyTorch semantics (torch.optim.AdamW):
//
//   p -= lr * weight_decay * p                      (decoupled weight decay)
//   m  = beta1 * m + (1 - beta1) * g
//   v  = beta2 * v + (1 - beta2) * g * g
//   p -= (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
//
// with t = step (1 for the first update). Three paths compute the same
// arithmetic in the same order (no FMA contraction), so they agree bit for
// bit: a scalar reference (test oracle and fallback), AVX2 and AVX-512. The
// path is chosen by the caller (from CPUID, or forced via MARKETLM_ISA by the
// CLI/tests) and passed in; the kernel reads no environment.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "marketlm/core/status.h"
#include "marketlm/kernels/kernel_context.h"

namespace marketlm {

class ThreadPool;

struct AdamWHyper {
  float lr = 1e-3f;
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float eps = 1e-8f;
  float weight_decay = 0.0f;  // for this group of parameters
  int64_t step = 1;           // 1-based update count t, for bias correction
};

// One update of n parameters in place; p, m, v updated, g read.
void adamw_step_scalar(float* p, const float* g, float* m, float* v, size_t n, const AdamWHyper& h);
void adamw_step_avx2(float* p, const float* g, float* m, float* v, size_t n, const AdamWHyper& h);
void adamw_step_avx512(float* p, const float* g, float* m, float* v, size_t n, const AdamWHyper& h);

// Dispatches to `path` (kernels::best_isa() / resolve_isa() pick it) and splits [0, n) over the pool (nullptr = serial).
// Element-wise, so the result does not depend on the thread count.
void adamw_step(kernels::Isa path, ThreadPool* pool, float* p, const float* g, float* m, float* v,
                size_t n, const AdamWHyper& h);

}  // namespace marketlm
