// Checkpoints. A run directory holds:
//
//   <out>/checkpoints/step-00000010/   model files (written by the model's own
//                                      save callback) + training_state.safetensors
//   <out>/checkpoints/latest           "step-00000010\n", the last good checkpoint
//
// A checkpoint is written into "checkpoints/.tmp-step-..." and renamed into
// place only when complete; "latest" is replaced atomically after that. A
// crash or error at any point leaves "latest" naming a complete checkpoint.
//
// training_state.safetensors is a valid safetensors file: tensors "adamw.m"
// and "adamw.v" (F32, [num_params]) and a "__metadata__" entry "state" holding
// TrainingState as JSON (step, RNG words, data position, best val loss, ...).
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "marketlm/core/rng.h"
#include "marketlm/core/status.h"

namespace marketlm {

inline constexpr const char* kTrainingStateFile = "training_state.safetensors";

struct TrainingState {
  int64_t step = 0;              // updates done
  int64_t adam_step = 0;         // AdamW's t
  Rng::State dropout_rng{};
  uint64_t data_epoch = 0;       // BatchSampler position
  uint64_t data_index = 0;
  uint64_t order_seed = 0;
  uint64_t split_seed = 0;
  uint64_t num_train_windows = 0;  // guards against resuming on other data
  uint64_t num_val_windows = 0;
  int64_t tokens_seen = 0;
  double best_val_loss = -1;     // < 0: none yet
  double last_val_loss = -1;
  nlohmann::json schedule;       // lr, min_lr, warmup_steps, total_steps (for checking)
  std::vector<float> m, v;       // AdamW moments, [num_params] each
};

Status write_training_state(const std::string& path, const TrainingState& s);
Result<TrainingState> read_training_state(const std::string& path);

// Model weights are the model's business: the trainer calls these.
struct ModelCheckpointIO {
  std::function<Status(const std::string& dir)> save;
  std::function<Status(const std::string& dir)> load;
};

std::string checkpoint_name(int64_t step);  // "step-00000010"

// Writes a complete checkpoint atomically (see above), then removes all but
// the `keep` newest. Returns the checkpoint directory.
Result<std::string> save_checkpoint(const std::string& out_dir, const TrainingState& state,
                                    const ModelCheckpointIO& model_io, int keep);

// The directory "latest" names, or not_found when there is none.
Result<std::string> latest_checkpoint(const std::string& out_dir);

}  // namespace marketlm
