// The GPT model as `marketlm train` builds, saves and loads it. Kept apart
// from train_wiring.cpp because models/gpt/gpt_model.h and
// train/memory_estimate.h both define a marketlm::MemoryEstimate, so no file
// can include both (see the report to the lead).
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "marketlm/core/context.h"
#include "marketlm/core/status.h"
#include "marketlm/models/gpt/gpt_config.h"
#include "marketlm/nn/trainable.h"

namespace marketlm::cli {

// The "model" block of a training config -> GptConfig. Keys: n_layer, n_head,
// n_embd, n_ctx (default: seq_len), dropout (all three rates) or
// embd_pdrop/attn_pdrop/resid_pdrop, layer_norm_epsilon, vocab_size (default:
// the tokenizer's; may be larger, never smaller). Unknown keys and wrong types
// are errors naming the key.
Result<GptConfig> gpt_config_from_block(const nlohmann::json& block, int32_t tokenizer_vocab, int32_t eot_id,
                                        int seq_len);

// A GptModel with init_weights(seed), running on ctx.pool with the given ISA
// ("" = best).
Result<std::unique_ptr<TrainableModel>> create_gpt(const GptConfig& config, uint64_t seed, const Context& ctx,
                                                   const std::string& isa, const std::string& precision = "fp32");
// save_pretrained / load_safetensors of a model made by create_gpt.
Status save_gpt(TrainableModel& model, const std::string& dir);
Status load_gpt(TrainableModel& model, const std::string& dir);
int64_t gpt_num_params(const GptConfig& config);
int64_t gpt_activation_bytes(const GptConfig& config, int B, int T);

}  // namespace marketlm::cli
