// The ad-copy model as `marketlm adcopy` and `marketlm eval adcopy` load it:
// --model DIR (default: by the brief's language, models/adcopy-zh or
// models/adcopy-en; a training run directory stands for its latest
// checkpoint), --tokenizer DIR (default: the model directory), and the
// sampling flags shared by both commands.
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "marketlm/apps/adcopy/generator.h"
#include "marketlm/core/status.h"
#include "marketlm/generate/model.h"
#include "marketlm/text/tokenizer.h"

namespace marketlm::cli {

inline constexpr const char* kDefaultAdcopyModel = "models/adcopy-zh";
inline constexpr const char* kDefaultAdcopyModelEn = "models/adcopy-en";

// The shipped model for a brief's language: models/adcopy-en for English
// when that directory exists, else models/adcopy-zh (it also writes
// English, weakly).
std::string default_adcopy_model(adcopy::Language lang);

struct AdcopyModelFlags {
  std::string model;  // empty: default_adcopy_model of the brief's language
  std::string tokenizer;
  int threads = 0;
};

struct AdcopySamplingFlags {
  adcopy::GenerateOptions gen;
};

void add_adcopy_model_flags(CLI::App* cmd, AdcopyModelFlags& f);
// Sampling flags (HF names): --temperature, --top-p, --top-k,
// --repetition-penalty, --seed, --max-new-tokens, --oversample, --feature-boost,
// --coverage-weight.
void add_adcopy_sampling_flags(CLI::App* cmd, adcopy::GenerateOptions& g);

// Tokenizer + model + generator, kept at stable addresses (the generator
// borrows the other two).
struct LoadedAdcopyModel {
  std::string dir;
  Tokenizer tokenizer;
  std::unique_ptr<Model> model;
  std::unique_ptr<adcopy::AdcopyGenerator> generator;
};

// Errors: the directory is missing (says to run `make model` or pass
// --model), it is not a model, the tokenizer lacks the ad-copy specials.
Result<std::unique_ptr<LoadedAdcopyModel>> load_adcopy_model(const AdcopyModelFlags& f);

}  // namespace marketlm::cli
