// marketlm: everything needed to load a trained model and generate text.
//
//   #include "marketlm/marketlm.h"
//   using namespace marketlm;
//
//   Result<Tokenizer> tokenizer = Tokenizer::from_pretrained("runs/tiny-austen/final");
//   Result<Model> model = Model::from_pretrained("runs/tiny-austen/final");
//   if (!tokenizer || !model) { /* .status().message() says which file is missing or wrong */ }
//
//   std::vector<int32_t> ids = tokenizer->encode("It is a truth universally acknowledged");
//   Result<GenerationOutput> out = model->generate(
//       ids, GenerationConfig{.max_length = 40, .do_sample = true, .top_p = 0.9f, .seed = 7,
//                             .num_return_sequences = 3});
//   if (!out) { /* out.status(): empty prompt, too long for n_ctx, bad settings, ... */ }
//   for (const GeneratedSequence& s : out->sequences)
//     std::printf("%s\n", tokenizer->decode(s.token_ids, /*skip_special_tokens=*/true).c_str());
//
// (Designated initializers must follow GenerationConfig's field order; or set
// the fields one by one on model->generation_config(), the directory's defaults.)
//
// Errors are values: every fallible call returns Status or Result<T>, never
// throws, never prints and never exits.
//
// Thread safety: a Tokenizer is immutable after loading and may be used from
// many threads at once. A Model is not: it owns its KV caches and thread
// pool, so one generate() call at a time per Model (guard it with a mutex, or
// load one Model per serving thread). Results are reproducible: the same
// seed, settings and thread count give the same tokens.
#pragma once

#include "marketlm/core/status.h"
#include "marketlm/generate/generate.h"
#include "marketlm/generate/generation_config.h"
#include "marketlm/generate/model.h"
#include "marketlm/text/tokenizer.h"
