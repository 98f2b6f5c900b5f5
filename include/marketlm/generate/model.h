// Model: a ready-to-use language model loaded from a Hugging Face layout
// directory (config.json, model.safetensors, generation_config.json). It owns
// the GPT weights, the decoder that runs them with a KV cache, and the thread
// pool they run on.
//
//   auto model = Model::from_pretrained("runs/tiny-austen/final");
//   if (!model) { /* model.status() names the directory and the problem */ }
//   GenerationConfig cfg = model->generation_config();   // the directory's defaults
//   cfg.max_new_tokens = 40;
//   auto out = model->generate(ids, cfg, hooks);
//
// Not thread-safe: one generate() at a time per Model (load one Model per
// thread to serve in parallel; the weights are not shared).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "marketlm/core/status.h"
#include "marketlm/generate/decoder.h"
#include "marketlm/generate/generate.h"
#include "marketlm/generate/generation_config.h"

namespace marketlm {

class GptModel;

struct ModelOptions {
  int threads = 0;         // 0 = every core
  std::string isa{};       // "" / "auto" = best for this CPU; "scalar" | "avx2" | "avx512"
  int max_slots = 64;      // most sequences one generate() call may hold (n x beams + 1)
};

class Model {
 public:
  // Reads config.json and model.safetensors (required) and
  // generation_config.json (optional; defaults when absent). Errors name the
  // directory or file and what is wrong.
  static Result<Model> from_pretrained(const std::string& dir, const ModelOptions& options = {});

  Model(Model&&) noexcept;
  Model& operator=(Model&&) noexcept;
  ~Model();

  // Generates continuations of `ids`. When config.eos_token_id is empty the
  // model's own EOS ids (generation_config.json) are used, as transformers
  // does when a call does not name them.
  Result<GenerationOutput> generate(const std::vector<int32_t>& ids, const GenerationConfig& config,
                                    const GenerationHooks& hooks = {});

  // The directory's generation_config.json (or the defaults plus config.json's eos).
  const GenerationConfig& generation_config() const;
  int vocab_size() const;
  int n_ctx() const;  // the most tokens prompt + output may hold
  int64_t num_params() const;
  const std::string& dir() const;

  GptModel& gpt();
  Decoder& decoder();

 private:
  struct Impl;
  explicit Model(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace marketlm
