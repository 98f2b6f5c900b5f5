#include "marketlm/models/gpt/gpt_config.h"

#include <nlohmann/json.hpp>

namespace marketlm {
namespace {

Status positive(const char* name, int v) {
  if (v <= 0) return invalid_argument(std::string(name) + " must be positive, got " + std::to_string(v));
  return Status::ok();
}

Status probability(const char* name, float v) {
  if (!(v >= 0.0f && v < 1.0f))
    return invalid_argument(std::string(name) + " must be in [0, 1), got " + std::to_string(v));
  return Status::ok();
}

}  // namespace

Status GptConfig::validate() const {
  ML_RETURN_IF_ERROR(positive("n_layer", n_layer));
  ML_RETURN_IF_ERROR(positive("n_head", n_head));
  ML_RETURN_IF_ERROR(positive("n_embd", n_embd));
  ML_RETURN_IF_ERROR(positive("n_ctx (n_positions)", n_ctx));
  ML_RETURN_IF_ERROR(positive("vocab_size", vocab_size));
  if (n_embd % n_head != 0)
    return invalid_argument("n_embd " + std::to_string(n_embd) + " is not divisible by n_head " +
                            std::to_string(n_head) + "; pick n_embd = n_head * head_size");
  if (n_layer > 1000 || n_embd > 65536 || n_ctx > 1 << 20)
    return invalid_argument("config too large: n_layer " + std::to_string(n_layer) + ", n_embd " +
                            std::to_string(n_embd) + ", n_ctx " + std::to_string(n_ctx));
  if (n_inner < 0 || n_inner > 4 * 65536)
    return invalid_argument("n_inner " + std::to_string(n_inner) +
                            " must be a positive MLP width (at most 262144), or 0 for the default 4 * n_embd");
  ML_RETURN_IF_ERROR(probability("embd_pdrop", embd_pdrop));
  ML_RETURN_IF_ERROR(probability("attn_pdrop", attn_pdrop));
  ML_RETURN_IF_ERROR(probability("resid_pdrop", resid_pdrop));
  if (!(layer_norm_epsilon > 0.0f && layer_norm_epsilon < 1.0f))
    return invalid_argument("layer_norm_epsilon must be in (0, 1), got " + std::to_string(layer_norm_epsilon));
  if (bos_token_id < 0 || bos_token_id >= vocab_size)
    return invalid_argument("bos_token_id " + std::to_string(bos_token_id) + " is outside the vocabulary [0, " +
                            std::to_string(vocab_size) + ")");
  if (eos_token_id < 0 || eos_token_id >= vocab_size)
    return invalid_argument("eos_token_id " + std::to_string(eos_token_id) + " is outside the vocabulary [0, " +
                            std::to_string(vocab_size) + ")");
  return Status::ok();
}

std::string GptConfig::to_json() const {
  nlohmann::ordered_json j;
  j["architectures"] = {"GPT2LMHeadModel"};
  j["model_type"] = "gpt2";
  j["activation_function"] = "gelu_new";
  j["n_layer"] = n_layer;
  j["n_head"] = n_head;
  j["n_embd"] = n_embd;
  j["n_positions"] = n_ctx;
  j["n_ctx"] = n_ctx;
  j["vocab_size"] = vocab_size;
  if (n_inner > 0) {
    j["n_inner"] = n_inner;
  } else {
    j["n_inner"] = nullptr;  // Hugging Face: null = 4 * n_embd
  }
  j["embd_pdrop"] = embd_pdrop;
  j["attn_pdrop"] = attn_pdrop;
  j["resid_pdrop"] = resid_pdrop;
  j["layer_norm_epsilon"] = layer_norm_epsilon;
  j["initializer_range"] = 0.02;
  j["bos_token_id"] = bos_token_id;
  j["eos_token_id"] = eos_token_id;
  j["tie_word_embeddings"] = true;
  j["scale_attn_weights"] = true;
  return j.dump(2) + "\n";
}

Result<GptConfig> GptConfig::from_json(std::string_view text, const std::string& source) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const std::exception& e) {
    return data_error(source + ": not valid JSON: " + e.what());
  }
  if (!j.is_object()) return data_error(source + ": config must be a JSON object");
  GptConfig c;
  auto get_int = [&](const char* key, int* out, bool required) -> Status {
    if (!j.contains(key)) {
      if (required) return data_error(source + ": missing required field '" + key + "'");
      return Status::ok();
    }
    const auto& v = j[key];
    if (!v.is_number_integer() || v.get<int64_t>() < INT32_MIN || v.get<int64_t>() > INT32_MAX)
      return data_error(source + ": field '" + key + "' must be an integer, got " + v.dump());
    *out = static_cast<int>(v.get<int64_t>());
    return Status::ok();
  };
  auto get_float = [&](const char* key, float* out) -> Status {
    if (!j.contains(key)) return Status::ok();
    if (!j[key].is_number()) return data_error(source + ": field '" + key + "' must be a number, got " + j[key].dump());
    *out = j[key].get<float>();
    return Status::ok();
  };
  if (j.contains("model_type") && j["model_type"] != "gpt2")
    return data_error(source + ": model_type is " + j["model_type"].dump() + ", expected \"gpt2\"");
  if (j.contains("activation_function") && j["activation_function"] != "gelu_new" &&
      j["activation_function"] != "gelu_pytorch_tanh")
    return data_error(source + ": activation_function " + j["activation_function"].dump() +
                      " is not supported; expected \"gelu_new\" (GELU, tanh approximation)");
  ML_RETURN_IF_ERROR(get_int("n_layer", &c.n_layer, true));
  ML_RETURN_IF_ERROR(get_int("n_head", &c.n_head, true));
  ML_RETURN_IF_ERROR(get_int("n_embd", &c.n_embd, true));
  ML_RETURN_IF_ERROR(get_int("vocab_size", &c.vocab_size, true));
  if (j.contains("n_positions")) {
    ML_RETURN_IF_ERROR(get_int("n_positions", &c.n_ctx, true));
  } else {
    ML_RETURN_IF_ERROR(get_int("n_ctx", &c.n_ctx, true));
  }
  if (j.contains("n_inner") && !j["n_inner"].is_null()) {
    ML_RETURN_IF_ERROR(get_int("n_inner", &c.n_inner, false));
    if (c.n_inner <= 0)
      return data_error(source + ": field 'n_inner' must be a positive MLP width or null (= 4 * n_embd), got " +
                        j["n_inner"].dump());
  }
  ML_RETURN_IF_ERROR(get_float("embd_pdrop", &c.embd_pdrop));
  ML_RETURN_IF_ERROR(get_float("attn_pdrop", &c.attn_pdrop));
  ML_RETURN_IF_ERROR(get_float("resid_pdrop", &c.resid_pdrop));
  ML_RETURN_IF_ERROR(get_float("layer_norm_epsilon", &c.layer_norm_epsilon));
  ML_RETURN_IF_ERROR(get_int("bos_token_id", &c.bos_token_id, false));
  ML_RETURN_IF_ERROR(get_int("eos_token_id", &c.eos_token_id, false));
  Status s = c.validate();
  if (!s.is_ok()) return s.with_context(source);
  return c;
}

}  // namespace marketlm
