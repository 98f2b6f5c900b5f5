// run_training: a whole training run from a TrainConfig, the way
// `marketlm train` does it: validate the config, tokenize the data once into
// the token cache, pack and split it, check the memory estimate, build the
// model through a ModelFactory, train (or resume) and checkpoint.
//
// The trainer knows models only through TrainableModel and this factory; the
// CLI wires the GPT model's constructor and save_pretrained/from_pretrained
// into it.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "marketlm/core/context.h"
#include "marketlm/nn/trainable.h"
#include "marketlm/train/dataset.h"
#include "marketlm/train/memory_estimate.h"
#include "marketlm/train/train_config.h"

namespace marketlm {

struct ModelFactory {
  // Required: a new model with weights initialised from `seed`, shaped by the
  // config's opaque "model" block and the tokenizer's vocab size.
  std::function<Result<std::unique_ptr<TrainableModel>>(const nlohmann::json& model_config, int32_t vocab_size,
                                                        uint64_t seed, const Context& ctx)>
      create;
  // Required: write the weights (and the model's config) into a directory,
  // and read them back into an existing model of the same shape.
  std::function<Status(TrainableModel& model, const std::string& dir)> save;
  std::function<Status(TrainableModel& model, const std::string& dir)> load;
  // Optional, for the memory check before anything is allocated: the
  // parameter count, and activation bytes for one micro-batch of B x T.
  std::function<Result<int64_t>(const nlohmann::json& model_config, int32_t vocab_size)> count_params;
  std::function<int64_t(const nlohmann::json& model_config, int32_t vocab_size, int B, int T)> activation_bytes;
};

struct TrainRunSummary {
  int64_t start_step = 0;   // > 0 when resumed
  int64_t steps = 0;        // updates done in total
  double final_loss = 0;    // train loss of the last step
  double final_val_loss = -1;
  double best_val_loss = -1;
  int64_t tokens_seen = 0;
  int64_t num_params = 0;
  size_t train_sequences = 0, val_sequences = 0;
  std::string checkpoint;   // last checkpoint directory
  std::string log_path;
  TrainMemoryEstimate memory;
};

// `stop` (optional, owned by the caller) ends the run cleanly after the
// current step with a checkpoint and a kCancelled status.
Result<TrainRunSummary> run_training(const TrainConfig& config, const TextEncoder& encoder,
                                     const ModelFactory& factory, const Context& ctx,
                                     const std::atomic<bool>* stop = nullptr);

}  // namespace marketlm
