// GptModel <-> files: model.safetensors by the weights table, and the Hugging
// Face model directory (config.json, model.safetensors, generation_config.json).
#include <algorithm>
#include <deque>
#include <filesystem>
#include <set>

#include <cstring>
#include <nlohmann/json.hpp>

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
  std::deque<std::vector<float>> keep;  // add_f32 reads its data at write(): transposed scales live here
  w.set_metadata("format", "pt");
  w.set_metadata("producer", "marketlm");
  if (format_ != kernels::WeightFormat::kF32) w.set_metadata("marketlm_weight_format", kernels::weight_format_name(format_));
  if (int8_group_size() > 0) w.set_metadata("marketlm_int8_group_size", std::to_string(int8_group_size()));
  for (size_t i = 0; i < specs_.size(); ++i) {
    const ParamSpec& s = specs_[i];
    const int qi = quant_index(i);
    if (qi < 0) {
      w.add_f32(s.name, s.shape, params_.data() + s.offset);
      continue;
    }
    // Stored in the table's orientation (Conv1D [IC, OC]; wte [V, C]); the
    // scale is per output channel (OC for Conv1D, V for wte).
    const kernels::QuantMatrix& m = qweights_[qi];
    const bool conv1d = i != 0;
    const size_t n = s.numel;
    if (format_ == kernels::WeightFormat::kBF16) {
      std::string bytes(n * 2, '\0');
      for (int r = 0; r < m.N; ++r)
        for (int k = 0; k < m.K; ++k) {
          const size_t at = conv1d ? static_cast<size_t>(k) * m.N + r : static_cast<size_t>(r) * m.K + k;
          std::memcpy(&bytes[at * 2], &m.bf16[static_cast<size_t>(r) * m.Kp + k], 2);
        }
      w.add_bytes(s.name, DType::kBF16, s.shape, std::move(bytes));
    } else {
      std::string bytes(n, '\0');
      for (int r = 0; r < m.N; ++r)
        for (int k = 0; k < m.K; ++k) {
          const size_t at = conv1d ? static_cast<size_t>(k) * m.N + r : static_cast<size_t>(r) * m.K + k;
          bytes[at] = static_cast<char>(m.q[static_cast<size_t>(r) * m.Kp + k]);
        }
      w.add_bytes(s.name, DType::kI8, s.shape, std::move(bytes));
      if (m.group == 0) {
        w.add_f32(s.name + "_scale", {m.N}, m.scale.data());
      } else if (!conv1d) {
        w.add_f32(s.name + "_scale", {m.N, m.groups()}, m.scale.data());  // wte [V, G]
      } else {
        // Conv1D [IC, OC]: scales [G, OC], groups along the input axis.
        const int G = m.groups();
        std::vector<float>& t = keep.emplace_back(m.scale.size());
        for (int r = 0; r < m.N; ++r)
          for (int g = 0; g < G; ++g) t[static_cast<size_t>(g) * m.N + r] = m.scale[static_cast<size_t>(r) * G + g];
        w.add_f32(s.name + "_scale", {G, m.N}, t.data());
      }
    }
  }
  return w.write(path);
}

Status GptModel::load_safetensors(const std::string& path) {
  ML_ASSIGN_OR_RETURN(SafetensorsFile f, SafetensorsFile::open(path));
  // Per-group int8 files name their group size in the metadata.
  int group = 0;
  if (auto it = f.metadata().find("marketlm_int8_group_size"); it != f.metadata().end()) {
    try {
      group = std::stoi(it->second);
    } catch (const std::exception&) {
      group = -1;
    }
    if (group <= 0 || !kernels::check_int8_group_size(group).is_ok())
      return data_error(path + ": metadata marketlm_int8_group_size is '" + it->second +
                        "'; expected a power of two from 32 to 4096");
  }
  std::vector<const TensorInfo*> by_spec(specs_.size(), nullptr);
  std::vector<std::string> problems;
  for (const auto& t : f.tensors()) {
    const std::string name = strip_prefix(t.name);
    const ParamSpec* spec = find_param(name);
    if (spec == nullptr && name.size() > 6 && name.compare(name.size() - 6, 6, "_scale") == 0 &&
        find_param(name.substr(0, name.size() - 6)) != nullptr)
      continue;  // the scale of an I8 weight, read with it
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
    if (t.dtype == DType::kI8) {
      const bool is_wte = spec == &specs_[0];
      const int64_t oc = is_wte ? spec->shape[0] : spec->shape.back();
      const int64_t ic = is_wte ? spec->shape[1] : spec->shape[0];
      const int64_t G = group > 0 ? (ic + group - 1) / group : 0;
      const std::vector<int64_t> want = group == 0 ? std::vector<int64_t>{oc}
                                        : is_wte   ? std::vector<int64_t>{oc, G}
                                                   : std::vector<int64_t>{G, oc};
      const TensorInfo* sc = f.find(t.name + "_scale");
      if (spec->shape.size() != 2 || sc == nullptr || sc->dtype != DType::kF32 || sc->shape != want) {
        problems.push_back("tensor '" + t.name + "': I8 needs an F32 '" + t.name + "_scale' of shape " +
                           shape_string(want) +
                           (group == 0 ? std::string(" (one scale per output channel)")
                                       : " (groups of " + std::to_string(group) + " inputs)"));
        continue;
      }
    } else if (t.dtype != DType::kF32 && t.dtype != DType::kBF16 && t.dtype != DType::kF16) {
      problems.push_back("tensor '" + t.name + "': dtype " + dtype_name(t.dtype) + ", expected F32, F16, BF16 or I8");
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
                      std::to_string(config_.n_layer) + ", n_embd " + std::to_string(config_.n_embd) + ", n_inner " + std::to_string(config_.mlp_hidden()) +
                      ", vocab_size " + std::to_string(config_.vocab_size) + ", n_ctx " +
                      std::to_string(config_.n_ctx) + "): ";
    for (size_t i = 0; i < problems.size() && i < 8; ++i) msg += (i ? "; " : "") + problems[i];
    if (problems.size() > 8) msg += "; and " + std::to_string(problems.size() - 8) + " more";
    return data_error(msg);
  }
  // Read into a copy so a failure half-way leaves the model untouched.
  AlignedBuffer<float> fresh(params_.size());
  for (size_t i = 0; i < specs_.size(); ++i) {
    const TensorInfo& t = *by_spec[i];
    float* dst = fresh.data() + specs_[i].offset;
    if (t.dtype != DType::kI8) {
      ML_RETURN_IF_ERROR(f.read_f32(t, dst));
      continue;
    }
    // I8: value = q * scale[output channel] (dequantised; set_weight_format
    // re-derives the same codes from these values).
    ML_ASSIGN_OR_RETURN(std::string q, f.read_bytes(t));
    std::vector<float> scale(static_cast<size_t>(f.find(t.name + "_scale")->numel()));
    ML_RETURN_IF_ERROR(f.read_f32(*f.find(t.name + "_scale"), scale.data()));
    const int64_t rows = t.shape[0], cols = t.shape[1];
    const bool per_row = i == 0;  // wte: a scale per row; Conv1D: per column
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c) {
        const size_t at = static_cast<size_t>(r * cols + c);
        size_t si;
        if (group == 0) {
          si = static_cast<size_t>(per_row ? r : c);
        } else if (per_row) {  // wte [V, C], scales [V, G]
          si = static_cast<size_t>(r * ((cols + group - 1) / group) + c / group);
        } else {  // Conv1D [IC, OC], scales [G, OC]
          si = static_cast<size_t>((r / group) * cols + c);
        }
        dst[at] = static_cast<float>(static_cast<int8_t>(q[at])) * scale[si];
      }
  }
  params_ = std::move(fresh);
  decode_f32_.clear();
  return Status::ok();
}

Status GptModel::save_pretrained(const std::string& dir) const {
  ML_RETURN_IF_ERROR(make_dirs(dir));
  std::string config_text = config_.to_json();
  if (format_ != kernels::WeightFormat::kF32) {
    nlohmann::ordered_json j = nlohmann::ordered_json::parse(config_text, nullptr, false);
    if (j.is_discarded()) return internal_error("config.json of this model did not parse back");
    const char* granularity = format_ != kernels::WeightFormat::kInt8 ? "none"
                              : int8_group_size() > 0                  ? "per_group"
                                                                       : "per_output_channel";
    j["quantization_config"] = {{"quant_method", "marketlm"},
                                {"format", kernels::weight_format_name(format_)},
                                {"granularity", granularity},
                                {"group_size", int8_group_size()},
                                {"symmetric", true},
                                {"modules", {"attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj", "wte"}}};
    config_text = j.dump(2) + "\n";
  }
  ML_RETURN_IF_ERROR(write_file_atomic(dir + "/config.json", config_text));
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
  // A quantised directory comes back in its format.
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_discarded() && j.contains("quantization_config")) {
    const nlohmann::json& q = j["quantization_config"];
    const std::string name = q.is_object() && q.contains("format") && q["format"].is_string()
                                 ? q["format"].get<std::string>() : std::string("?");
    Result<kernels::WeightFormat> fmt = kernels::parse_weight_format(name);
    if (!fmt.is_ok()) return data_error(config_path + ": quantization_config.format: " + fmt.status().message());
    int group = 0;
    if (q.is_object() && q.contains("group_size")) {
      if (!q["group_size"].is_number_integer() || !kernels::check_int8_group_size(q["group_size"].get<int>()).is_ok())
        return data_error(config_path + ": quantization_config.group_size is " + q["group_size"].dump() +
                          "; expected 0 (per output channel) or a power of two from 32 to 4096");
      group = q["group_size"].get<int>();
    }
    ML_RETURN_IF_ERROR(model->set_weight_format(*fmt, group));
  }
  return model;
}

}  // namespace marketlm
