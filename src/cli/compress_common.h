// Shared by `quantize`, `prune` and `eval perplexity`: load a GPT model
// directory, tokenise an evaluation text for it, measure perplexity, and
// write a model directory atomically.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "marketlm/core/status.h"
#include "marketlm/core/thread_pool.h"
#include "marketlm/models/gpt/gpt_compress.h"
#include "marketlm/models/gpt/gpt_model.h"

namespace marketlm::cli {

// The options every model-scoring command shares.
struct ModelEvalOpts {
  std::string model, data, tokenizer;
  int threads = 0, window = 0;
  int64_t max_tokens = 0;
  bool json = false;
};

// Registers --tokenizer, --max-tokens, --window, --threads and --json
// (--model and --data differ per command and are registered by it).
void add_model_eval_options(CLI::App* c, ModelEvalOpts& o);

// The KernelContext for a command: pool, and the ISA from MARKETLM_ISA
// (scalar|avx2|avx512|auto; unset = best).
Result<kernels::KernelContext> compress_context(ThreadPool* pool);

// Token ids of a text file for the model in model_dir: its tokenizer files
// (vocab.json + merges.txt or tokenizer.json) when present; "bytes" or a
// byte-level model (vocab_size 256) without them: one id per byte.
Result<std::vector<int32_t>> tokenize_for_model(const std::string& model_dir, const std::string& tokenizer,
                                                int vocab_size, const std::string& data_path);

// Perplexity of a model on tokens, with timing, as JSON
// {format, perplexity, mean_nll, tokens, seconds, tokens_per_second}.
Result<nlohmann::json> perplexity_json(GptModel& model, const std::vector<int32_t>& tokens, int window,
                                       int64_t max_tokens, bool progress);

// The start of `quantize` and `prune`: the model of o.model on pool, and,
// when o.data is set, its evaluation tokens and perplexity before the change
// (tokens empty and perplexity null without --data).
struct CompressSource {
  std::unique_ptr<GptModel> model;
  std::vector<int32_t> tokens;
  nlohmann::json perplexity;
};
Result<CompressSource> load_compress_source(const ModelEvalOpts& o, ThreadPool* pool);

// Saves model into out_dir via a sibling temporary directory renamed into
// place (an existing out_dir is replaced only after the new one is complete),
// copying the tokenizer files of src_dir.
Status save_model_dir_atomic(const GptModel& model, const std::string& src_dir, const std::string& out_dir);

// Bytes of model.safetensors in dir (0 when missing).
int64_t model_file_bytes(const std::string& dir);

}  // namespace marketlm::cli
