// What `marketlm train` needs from the layers the trainer must not know:
// the tokenizer (text/) and the model (models/). The trainer sees them only as
// a TextEncoder and a ModelFactory.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "marketlm/text/tokenizer.h"
#include "marketlm/train/dataset.h"
#include "marketlm/train/run.h"
#include "marketlm/train/train_config.h"

namespace marketlm::cli {

// The tokenizer the CLI trains with when neither the config nor --tokenizer names one.
inline constexpr const char* kDefaultTrainingTokenizer = "third_party/gpt2";

// "bytes" = 256 byte tokens + <|endoftext|> (id 256) as a Tokenizer, so a
// byte-level model directory is loadable by `marketlm generate` too;
// otherwise a tokenizer directory (tokenizer.json, vocab.json + merges.txt,
// or OpenAI's encoder.json + vocab.bpe).
Result<Tokenizer> load_training_tokenizer(const std::string& tokenizer);

// The tokenizer as the trainer's TextEncoder. "bytes" gives exactly
// byte_level_encoder() (same ids, same vocabulary fingerprint).
Result<TextEncoder> make_training_encoder(const std::string& tokenizer);

// The GPT model to train, from the config's "model" block (GptConfig keys;
// n_ctx defaults to seq_len, vocab_size to the tokenizer's). Every checkpoint
// it saves is a complete Hugging Face layout model directory: config.json,
// model.safetensors, generation_config.json and the tokenizer's files.
Result<ModelFactory> make_training_model_factory(const TrainConfig& config, const TextEncoder& encoder);

}  // namespace marketlm::cli
