// GPT side of the `marketlm train` wiring (see gpt_wiring.h).
#include "cli/gpt_wiring.h"

#include "marketlm/kernels/gemm_bf16.h"
#include "marketlm/models/gpt/gpt_model.h"

namespace marketlm::cli {

namespace {

Status read_int(const nlohmann::json& block, const char* key, int* out) {
  auto it = block.find(key);
  if (it == block.end()) return Status::ok();
  if (!it->is_number_integer())
    return invalid_argument(std::string("model.") + key + ": expected an integer, got " + it->dump());
  const int64_t v = it->get<int64_t>();
  if (v < 1 || v > (1 << 24)) return invalid_argument(std::string("model.") + key + ": " + it->dump() + " is out of range");
  *out = static_cast<int>(v);
  return Status::ok();
}

Status read_float(const nlohmann::json& block, const char* key, float* out) {
  auto it = block.find(key);
  if (it == block.end()) return Status::ok();
  if (!it->is_number()) return invalid_argument(std::string("model.") + key + ": expected a number, got " + it->dump());
  *out = it->get<float>();
  return Status::ok();
}

GptModel* as_gpt(TrainableModel& m) { return dynamic_cast<GptModel*>(&m); }

}  // namespace

Result<GptConfig> gpt_config_from_block(const nlohmann::json& block, int32_t tokenizer_vocab, int32_t eot_id,
                                        int seq_len) {
  if (!block.is_object()) return invalid_argument("model: expected a JSON object, got " + block.dump());
  static constexpr const char* kKnown[] = {"type",        "n_layer",     "n_head",     "n_embd",
                                           "n_ctx",       "dropout",     "embd_pdrop", "attn_pdrop",
                                           "resid_pdrop", "layer_norm_epsilon", "vocab_size"};
  for (const auto& [key, value] : block.items()) {
    bool known = false;
    for (const char* k : kKnown) known = known || key == k;
    if (!known)
      return invalid_argument("model." + key + ": unknown key (known: type, n_layer, n_head, n_embd, n_ctx, dropout, "
                              "embd_pdrop, attn_pdrop, resid_pdrop, layer_norm_epsilon, vocab_size)");
  }
  if (auto it = block.find("type"); it != block.end() && *it != "gpt2" && *it != "gpt")
    return invalid_argument("model.type: " + it->dump() + " is not a model this build trains (expected \"gpt2\")");
  GptConfig c;
  c.n_layer = 4;
  c.n_head = 4;
  c.n_embd = 128;
  c.n_ctx = seq_len;
  c.vocab_size = tokenizer_vocab;
  c.set_dropout(0.0f);
  ML_RETURN_IF_ERROR(read_int(block, "n_layer", &c.n_layer));
  ML_RETURN_IF_ERROR(read_int(block, "n_head", &c.n_head));
  ML_RETURN_IF_ERROR(read_int(block, "n_embd", &c.n_embd));
  ML_RETURN_IF_ERROR(read_int(block, "n_ctx", &c.n_ctx));
  ML_RETURN_IF_ERROR(read_int(block, "vocab_size", &c.vocab_size));
  float dropout = 0.0f;
  if (block.contains("dropout")) {
    ML_RETURN_IF_ERROR(read_float(block, "dropout", &dropout));
    c.set_dropout(dropout);
  }
  ML_RETURN_IF_ERROR(read_float(block, "embd_pdrop", &c.embd_pdrop));
  ML_RETURN_IF_ERROR(read_float(block, "attn_pdrop", &c.attn_pdrop));
  ML_RETURN_IF_ERROR(read_float(block, "resid_pdrop", &c.resid_pdrop));
  ML_RETURN_IF_ERROR(read_float(block, "layer_norm_epsilon", &c.layer_norm_epsilon));
  if (c.vocab_size < tokenizer_vocab)
    return invalid_argument("model.vocab_size: " + std::to_string(c.vocab_size) + " is smaller than the tokenizer's " +
                            std::to_string(tokenizer_vocab) + " tokens");
  if (c.n_ctx < seq_len)
    return invalid_argument("model.n_ctx: " + std::to_string(c.n_ctx) + " is shorter than training.seq_len " +
                            std::to_string(seq_len) + " (n_ctx must be >= seq_len)");
  if (eot_id >= 0) c.bos_token_id = c.eos_token_id = eot_id;
  ML_RETURN_IF_ERROR(c.validate());
  return c;
}

Result<std::unique_ptr<TrainableModel>> create_gpt(const GptConfig& config, uint64_t seed, const Context& ctx,
                                                   const std::string& isa, const std::string& precision) {
  ML_ASSIGN_OR_RETURN(kernels::Isa path, kernels::resolve_isa(isa));
  ML_ASSIGN_OR_RETURN(kernels::Bf16Kernel bf16, kernels::resolve_precision(precision, path));
  ML_ASSIGN_OR_RETURN(std::unique_ptr<GptModel> m,
                      GptModel::create(config, kernels::KernelContext{ctx.pool, path, bf16}));
  m->init_weights(seed);
  return std::unique_ptr<TrainableModel>(std::move(m));
}

Status save_gpt(TrainableModel& model, const std::string& dir) {
  GptModel* m = as_gpt(model);
  if (m == nullptr) return internal_error("save_gpt: the model is not a GptModel");
  return m->save_pretrained(dir);
}

Status load_gpt(TrainableModel& model, const std::string& dir) {
  GptModel* m = as_gpt(model);
  if (m == nullptr) return internal_error("load_gpt: the model is not a GptModel");
  return m->load_safetensors(dir + "/model.safetensors");
}

int64_t gpt_num_params(const GptConfig& config) {
  int64_t n = 0;
  for (const ParamSpec& s : gpt_param_specs(config)) n += static_cast<int64_t>(s.numel);
  return n;
}

int64_t gpt_activation_bytes(const GptConfig& config, int B, int T) {
  return estimate_training_memory(config, B, T).activations_bytes;
}

}  // namespace marketlm::cli
