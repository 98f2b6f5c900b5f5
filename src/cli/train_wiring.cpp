// Placeholder wiring until the tokenizer and GPT model branches are merged:
// the byte-level encoder works; a tokenizer directory and the GPT model
// report clearly that this build does not have them yet.
#include "cli/train_wiring.h"

namespace marketlm::cli {

Result<TextEncoder> make_training_encoder(const std::string& tokenizer) {
  if (tokenizer == "bytes") return byte_level_encoder();
  return Status(StatusCode::kUnimplemented,
                "the BPE tokenizer is not wired into `marketlm train` in this build (asked for '" + tokenizer +
                    "'); use --tokenizer bytes");
}

Result<ModelFactory> make_training_model_factory(const TrainConfig& config) {
  return Status(StatusCode::kUnimplemented,
                "the GPT model is not wired into `marketlm train` in this build (model config " +
                    config.model.dump() + "); see src/cli/train_wiring.cpp");
}

}  // namespace marketlm::cli
