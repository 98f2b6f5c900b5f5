// TrainableModel: the contract between a model (GPT, SASRec, ...) and the
// training loop in train/. The trainer knows nothing else about the model.
//
// Parameters live in one contiguous float buffer, gradients in another with
// the same layout; param_specs() is the one table of names and shapes that
// load, save, init, zero-grad, the optimiser and grad-norm all walk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "marketlm/core/rng.h"

namespace marketlm {

struct ParamSpec {
  std::string name;            // Hugging Face name for GPT-2, e.g. "h.0.attn.c_attn.weight"
  std::vector<int64_t> shape;  // row-major
  size_t offset = 0;           // in floats, into params() and grads()
  size_t numel = 0;
  bool decay = true;           // weight decay applies (false for biases and LayerNorm by default)
};

// One batch of B sequences of T tokens. targets[i] == -1 is ignored by the loss.
struct TokenBatch {
  const int32_t* inputs = nullptr;   // [B*T]
  const int32_t* targets = nullptr;  // [B*T]
  int B = 0;
  int T = 0;
};

struct LossSum {
  double sum = 0;   // sum of per-token cross-entropy over counted targets
  int64_t count = 0;  // number of targets that were not -1
};

class TrainableModel {
 public:
  virtual ~TrainableModel() = default;

  virtual const std::vector<ParamSpec>& param_specs() const = 0;
  virtual size_t num_params() const = 0;
  virtual float* params() = 0;
  virtual float* grads() = 0;

  // Forward and backward on one (micro-)batch, in training mode (dropout on,
  // drawing from dropout_rng). Gradients ACCUMULATE (+=) into grads(): the
  // gradient of grad_scale * (sum of token losses), so the caller can pass
  // 1 / (tokens counted over all micro-batches) for exact accumulation.
  virtual LossSum forward_backward(const TokenBatch& batch, float grad_scale, Rng* dropout_rng) = 0;

  // Forward only, evaluation mode (no dropout); for validation loss.
  virtual LossSum forward_loss(const TokenBatch& batch) = 0;
};

}  // namespace marketlm
