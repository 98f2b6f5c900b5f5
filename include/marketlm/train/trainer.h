// Trainer: the training loop over one TrainableModel.
//
// Each step: zero the gradients; draw grad_accum micro-batches of batch_size
// windows; count their target tokens N; run forward_backward on each with
// grad_scale = 1/N (so accumulation is exact); stop on a NaN/inf loss or
// gradient norm; clip the global gradient norm; AdamW at the scheduled
// learning rate. Every step is appended to <out>/log.jsonl (flushed); the
// validation loss is computed every eval_every steps and at the end;
// checkpoints are saved every save_every steps and at the end.
//
// Reproducible: the same seed, data, config and thread count give bit-identical
// losses, and resuming from a checkpoint continues the exact same curve.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "marketlm/core/context.h"
#include "marketlm/core/rng.h"
#include "marketlm/nn/trainable.h"
#include "marketlm/train/checkpoint.h"
#include "marketlm/train/lr_schedule.h"
#include "marketlm/train/optimizer.h"
#include "marketlm/train/packing.h"
#include "marketlm/train/train_config.h"

namespace marketlm {

struct StepRecord {
  int64_t step = 0;       // updates done after this step (1-based)
  double loss = 0;        // mean train loss over the step's counted tokens
  float lr = 0;
  double grad_norm = 0;   // before clipping
  double tokens_per_s = 0;
  int64_t tokens_seen = 0;
  bool has_val = false;
  double val_loss = 0;
};

// Seeds derived from TrainConfig::seed (documented so other tools can match).
uint64_t split_seed_for(uint64_t seed);
uint64_t order_seed_for(uint64_t seed);
uint64_t dropout_seed_for(uint64_t seed);

class Trainer {
 public:
  // `data` and `model` must outlive the trainer.
  Trainer(TrainableModel* model, const TrainConfig& config, const PackedSequences* data, DataSplit split,
          ModelCheckpointIO model_io, const Context& ctx);
  ~Trainer();
  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  // Restores model weights and training state from <out>/checkpoints/latest.
  Status resume();

  // Trains until config.max_steps (or until `stop_at` steps when 0 < stop_at
  // < max_steps, saving a checkpoint there, as an interruption would).
  // When the stop flag is raised (e.g. by Ctrl-C), finishes the current step,
  // saves a checkpoint and returns kCancelled naming the step.
  Status run(int64_t stop_at = 0);

  // Polled after every step; the caller owns the flag. nullptr = none.
  void set_stop_flag(const std::atomic<bool>* stop) { stop_ = stop; }

  // Mean loss over the validation split (eval_batches caps it); NaN if empty.
  double evaluate();

  Result<std::string> save();

  int64_t step() const { return step_; }
  const std::vector<StepRecord>& history() const { return history_; }
  double best_val_loss() const { return best_val_; }
  double last_val_loss() const { return last_val_; }
  const std::string& last_checkpoint() const { return last_checkpoint_; }
  std::string log_path() const { return config_.out_dir + "/log.jsonl"; }

 private:
  Result<StepRecord> train_step();
  Status open_log(bool truncate_after_step);
  Status append_log(const StepRecord& r);
  void report_progress(const StepRecord& r);
  TrainingState snapshot() const;

  TrainableModel* model_;
  TrainConfig config_;
  const PackedSequences* data_;
  DataSplit split_;
  ModelCheckpointIO model_io_;
  Context ctx_;
  LrSchedule schedule_;
  AdamW adamw_;
  BatchSampler sampler_;
  Rng dropout_rng_;
  std::vector<int32_t> inputs_, targets_;  // grad_accum * B * T
  int64_t step_ = 0;
  int64_t tokens_seen_ = 0;
  double best_val_ = -1, last_val_ = -1;
  std::string last_checkpoint_;
  std::vector<StepRecord> history_;
  std::FILE* log_ = nullptr;
  const std::atomic<bool>* stop_ = nullptr;
};

}  // namespace marketlm
