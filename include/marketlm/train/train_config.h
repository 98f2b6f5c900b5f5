// TrainConfig: every setting of a training run in one plain struct, read from
// a JSON file (configs/*.json), overridden by CLI flags, validated once with
// errors that name the field. The "model" block is passed through untouched
// to the model factory.
//
// JSON layout (every key optional; unknown keys are refused to catch typos):
//   { "model": {...},
//     "data": {"files": [...], "cache": "", "val_fraction": 0.1, "pack_pairs": true,
//              "text_key": "text", "prompt_key": "prompt", "completion_key": "completion"},
//     "training": {"max_steps", "batch_size", "seq_len", "grad_accum", "lr", "min_lr",
//                  "warmup_steps", "beta1", "beta2", "eps", "weight_decay", "no_decay_weight_decay",
//                  "grad_clip", "eval_every", "eval_batches", "save_every", "keep_checkpoints"},
//     "seed": 1337, "threads": 0, "out_dir": "runs/demo", "tokenizer": "bytes",
//     "memory_limit_mb": 0, "isa": "", "precision": "fp32", "init_from": "" }
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "marketlm/core/status.h"
#include "marketlm/train/dataset.h"

namespace marketlm {

struct TrainConfig {
  nlohmann::json model = nlohmann::json::object();  // opaque, for the model factory

  // data
  std::vector<std::string> data_files;  // .txt (one document per file) or .jsonl
  std::string cache_path;               // "" = <out_dir>/token_cache.bin
  double val_fraction = 0.1;            // share of packed sequences held out
  bool pack_pairs = true;               // several prompt/completion pairs per sequence
  JsonlFields jsonl_fields;             // JSONL keys: text / prompt / completion

  // run
  std::string out_dir = "runs/train";
  std::string tokenizer = "bytes";      // tokenizer directory, or "bytes"
  uint64_t seed = 1337;                 // init, shuffle, split and dropout derive from it
  int threads = 0;                      // 0 = all cores
  bool resume = false;
  uint64_t memory_limit_mb = 0;         // 0 = MemAvailable from /proc/meminfo
  std::string isa;                      // "" = best for this CPU; scalar|avx2|avx512
  // Fine-tuning: start a new run from the weights of this model directory
  // (HF layout) instead of a random init. Ignored on --resume, where the
  // checkpoint's weights win.
  std::string init_from;
  // Matrix products: "fp32", or "bf16" (mixed precision: bf16 inputs, fp32
  // accumulation, fp32 master weights; kernels/gemm_bf16.h), or one bf16
  // kernel: "bf16-scalar" | "bf16-avx512" | "bf16-amx".
  std::string precision = "fp32";

  // optimisation
  int64_t max_steps = 1000;
  int batch_size = 8;                   // sequences per micro-batch
  int seq_len = 128;                    // T
  int grad_accum = 1;                   // micro-batches per step
  float lr = 6e-4f;
  float min_lr = 6e-5f;
  int64_t warmup_steps = 100;
  float beta1 = 0.9f;
  float beta2 = 0.95f;
  float eps = 1e-8f;
  float weight_decay = 0.1f;            // group "decay": ParamSpec.decay == true
  float no_decay_weight_decay = 0.0f;   // group "no decay": biases, LayerNorm
  float grad_clip = 1.0f;               // global-norm clip; 0 = off

  // evaluation and checkpoints
  int64_t eval_every = 100;             // 0 = only at the end
  int64_t eval_batches = 0;             // 0 = the whole validation split
  int64_t save_every = 500;             // 0 = only at the end
  int keep_checkpoints = 2;             // newest kept; older ones are removed

  std::string resolved_cache_path() const;
};

// Fields present in `j` replace those in `base`; errors name the field.
Result<TrainConfig> train_config_from_json(const nlohmann::json& j, TrainConfig base = {});
Result<TrainConfig> load_train_config(const std::string& path);
nlohmann::json train_config_to_json(const TrainConfig& c);
Status validate_train_config(const TrainConfig& c);

}  // namespace marketlm
