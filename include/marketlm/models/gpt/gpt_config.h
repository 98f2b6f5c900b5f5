// GptConfig: GPT-2 hyperparameters, validated once with clear errors and
// serialised as a Hugging Face GPT-2 config.json.
#pragma once

#include <string>
#include <string_view>

#include "marketlm/core/status.h"

namespace marketlm {

struct GptConfig {
  int n_layer = 12;
  int n_head = 12;
  int n_embd = 768;
  int n_ctx = 1024;  // n_positions in config.json: rows of wpe
  int vocab_size = 50257;
  // MLP width (Hugging Face GPT-2 `n_inner`); 0 = the default 4 * n_embd,
  // written as null in config.json. Structured neuron pruning makes it smaller.
  int n_inner = 0;
  float embd_pdrop = 0.1f;
  float attn_pdrop = 0.1f;
  float resid_pdrop = 0.1f;
  float layer_norm_epsilon = 1e-5f;
  int bos_token_id = 50256;
  int eos_token_id = 50256;

  // The 124M GPT-2 ("gpt2") shape.
  static GptConfig gpt2_small() { return GptConfig{}; }
  // Sets all three dropout rates.
  void set_dropout(float p) { embd_pdrop = attn_pdrop = resid_pdrop = p; }
  int head_size() const { return n_embd / n_head; }
  // The MLP width actually used: n_inner, or 4 * n_embd when n_inner is 0.
  int mlp_hidden() const { return n_inner > 0 ? n_inner : 4 * n_embd; }

  // Names the field, its value and what is allowed.
  Status validate() const;

  // config.json in Hugging Face GPT-2 format.
  std::string to_json() const;
  // Parses a Hugging Face GPT-2 config.json (source names the file in errors)
  // and validates it. Unknown keys are ignored.
  static Result<GptConfig> from_json(std::string_view text, const std::string& source);
};

}  // namespace marketlm
