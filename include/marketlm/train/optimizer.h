// The optimiser side of a training step: global gradient norm, clipping, and
// AdamW over a TrainableModel's parameter table. Weight decay is applied per
// parameter group: ParamSpec.decay selects the "decay" group (weight_decay)
// or the "no decay" group (no_decay_weight_decay, 0 by default), so biases and
// LayerNorm parameters are not decayed unless asked. Parameters that no
// ParamSpec covers are left untouched.
#pragma once

#include <cstdint>
#include <vector>

#include "marketlm/core/aligned_buffer.h"
#include "marketlm/core/status.h"
#include "marketlm/kernels/adamw.h"
#include "marketlm/nn/trainable.h"

namespace marketlm {

class ThreadPool;

// L2 norm of n floats, summed in double over fixed blocks in a fixed order, so
// the value does not depend on the thread count.
double global_grad_norm(const float* g, size_t n, ThreadPool* pool);

// Scales g by max_norm / norm when norm > max_norm (max_norm <= 0: off).
// Returns the scale applied (1 when not clipped).
float clip_grad_norm(float* g, size_t n, double norm, float max_norm, ThreadPool* pool);

struct AdamWConfig {
  float beta1 = 0.9f;
  float beta2 = 0.95f;
  float eps = 1e-8f;
  float weight_decay = 0.1f;           // group "decay" (ParamSpec.decay == true)
  float no_decay_weight_decay = 0.0f;  // group "no decay" (biases, LayerNorm)
};

class AdamW {
 public:
  AdamW(const std::vector<ParamSpec>& specs, size_t num_params, const AdamWConfig& config,
        kernels::Isa path);

  // One update at learning rate lr; advances the step count first (t = 1 on
  // the first call), as torch.optim.AdamW does.
  void step(float* params, const float* grads, float lr, ThreadPool* pool);

  int64_t step_count() const { return step_; }
  void set_step_count(int64_t s) { step_ = s; }
  AlignedBuffer<float>& m() { return m_; }
  AlignedBuffer<float>& v() { return v_; }
  const AlignedBuffer<float>& m() const { return m_; }
  const AlignedBuffer<float>& v() const { return v_; }
  const AdamWConfig& config() const { return config_; }

 private:
  struct Segment {  // a run of consecutive parameters sharing one decay setting
    size_t offset, numel;
    bool decay;
  };
  std::vector<Segment> segments_;
  AdamWConfig config_;
  kernels::Isa path_;
  AlignedBuffer<float> m_, v_;
  int64_t step_ = 0;
};

}  // namespace marketlm
