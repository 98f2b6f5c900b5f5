// What `marketlm train` needs from the layers the trainer must not know:
// the tokenizer (text/) and the model (models/). The trainer sees them only as
// a TextEncoder and a ModelFactory. LEAD: wire the BPE tokenizer and the GPT
// model (constructor, save_pretrained, from_pretrained, parameter count,
// activation estimate) in train_wiring.cpp; nothing else has to change.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "marketlm/train/dataset.h"
#include "marketlm/train/run.h"
#include "marketlm/train/train_config.h"

namespace marketlm::cli {

// "bytes" = the byte-level encoder; otherwise a tokenizer directory
// (vocab.json + merges.txt).
Result<TextEncoder> make_training_encoder(const std::string& tokenizer);

// The model to train, from the config's "model" block (the whole config is
// passed so the wiring can check model.n_ctx against seq_len and copy the
// tokenizer files into each checkpoint).
Result<ModelFactory> make_training_model_factory(const TrainConfig& config);

}  // namespace marketlm::cli
