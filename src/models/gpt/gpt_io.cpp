// GptModel <-> files: model.safetensors by the weights table, and the Hugging
// Face model directory (config.json, model.safetensors, generation_config.json).
#include <algorithm>
#include <filesystem>
#include <set>

#include "marketlm/core/file_io.h"
#include "marketlm/io/safetensors.h"
#include "marketlm/models/gpt/gpt_model.h"

namespace marketlm {
namespace {

// Tensors Hugging Face files may carry that we do not store: the tied head and
// the causal-mask buffers of older GPT-2 checkpoints.
bool ignorable_extra(const std::string& name) {
  auto ends_with = [&](const std::string& suffix) {
    return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return name == "lm_head.weight" || ends_with(".attn.bias") || ends_with(".attn.masked_bias");
}

std::string strip_prefix(const std::string& name) {
  static constexpr std::string_view kPrefix = "transformer.";
  if (name.compare(0, kPrefix.size(), kPrefix) == 0) return name.substr(kPrefix.size());
  return name;
}

}  // namespace

Status GptModel::save_safetensors(const std::string& path) const {
  SafetensorsWriter w;
  w.set_metadata("format", "pt");
  w.set_metadata("producer", "marketlm");
  for (const auto& s : specs_) w.add_f32(s.name, s.shape, params_.data() + s.offset);
  return w.write(path);
}

Status GptModel::load_safetensors(const std::string& path) {
  ML_ASSIGN_OR_RETURN(SafetensorsFile f, SafetensorsFile::open(path));
  std::vector<const TensorInfo*> by_spec(specs_.size(), nullptr);
  std::vector<std::string> problems;
  for (const auto& t : f.tensors()) {
    const std::string name = strip_prefix(t.name);
    const ParamSpec* spec = find_param(name);
    if (spec == nullptr) {
      if (!ignorable_extra(name)) problems.push_back("unexpected tensor '" + t.name + "'");
      continue;
    }
    const size_t idx = static_cast<size_t>(spec - specs_.data());
    if (by_spec[idx] != nullptr) {
      problems.push_back("tensor '" + name + "' appears twice");
      continue;
    }
    if (t.shape != spec->shape) {
      problems.push_back("tensor '" + t.name + "': wrong shape, expected " + shape_string(spec->shape) + ", got " +
                         shape_string(t.shape));
      continue;
    }
    if (t.dtype != DType::kF32 && t.dtype != DType::kBF16 && t.dtype != DType::kF16) {
      problems.push_back("tensor '" + t.name + "': dtype " + dtype_name(t.dtype) + ", expected F32");
      continue;
    }
    by_spec[idx] = &t;
  }
  for (size_t i = 0; i < specs_.size(); ++i)
    if (by_spec[i] == nullptr && problems.size() < 50 &&
        std::none_of(problems.begin(), problems.end(),
                     [&](const std::string& p) { return p.find("'" + specs_[i].name + "'") != std::string::npos; }))
      problems.push_back("missing tensor '" + specs_[i].name + "' " + shape_string(specs_[i].shape));
  if (!problems.empty()) {
    std::string msg = path + ": does not match the GPT-2 weights table for this config (n_layer " +
                      std::to_string(config_.n_layer) + ", n_embd " + std::to_string(config_.n_embd) +
                      ", vocab_size " + std::to_string(config_.vocab_size) + ", n_ctx " +
                      std::to_string(config_.n_ctx) + "): ";
    for (size_t i = 0; i < problems.size() && i < 8; ++i) msg += (i ? "; " : "") + problems[i];
    if (problems.size() > 8) msg += "; and " + std::to_string(problems.size() - 8) + " more";
    return data_error(msg);
  }
  // Read into a copy so a failure half-way leaves the model untouched.
  AlignedBuffer<float> fresh(params_.size());
  for (size_t i = 0; i < specs_.size(); ++i)
    ML_RETURN_IF_ERROR(f.read_f32(*by_spec[i], fresh.data() + specs_[i].offset));
  params_ = std::move(fresh);
  return Status::ok();
}

Status GptModel::save_pretrained(const std::string& dir) const {
  ML_RETURN_IF_ERROR(make_dirs(dir));
  ML_RETURN_IF_ERROR(write_file_atomic(dir + "/config.json", config_.to_json()));
  const std::string gen = "{\n  \"bos_token_id\": " + std::to_string(config_.bos_token_id) +
                          ",\n  \"eos_token_id\": " + std::to_string(config_.eos_token_id) + "\n}\n";
  ML_RETURN_IF_ERROR(write_file_atomic(dir + "/generation_config.json", gen));
  return save_safetensors(dir + "/model.safetensors");
}

Result<std::unique_ptr<GptModel>> GptModel::from_pretrained(const std::string& dir,
                                                            const kernels::KernelContext& ctx) {
  if (!std::filesystem::is_directory(dir)) return not_found(dir + ": not a model directory");
  const std::string config_path = dir + "/config.json";
  ML_ASSIGN_OR_RETURN(std::string text, read_file(config_path));
  ML_ASSIGN_OR_RETURN(GptConfig config, GptConfig::from_json(text, config_path));
  ML_ASSIGN_OR_RETURN(std::unique_ptr<GptModel> model, create(config, ctx));
  ML_RETURN_IF_ERROR(model->load_safetensors(dir + "/model.safetensors"));
  return model;
}

}  // namespace marketlm
