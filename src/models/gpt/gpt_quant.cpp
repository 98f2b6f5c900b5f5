// GptModel's inference weight format: reduced-precision copies of the matmul
// weights and the tied head for the KV-cached forward (see gpt_model.h).
#include <string>

#include "marketlm/kernels/gemm_bf16.h"
#include "marketlm/kernels/matmul.h"
#include "marketlm/kernels/matmul_decode.h"
#include "marketlm/models/gpt/gpt_model.h"

namespace marketlm {

using kernels::WeightFormat;

std::vector<size_t> GptModel::quantised_specs() const {
  std::vector<size_t> out;
  for (int l = 0; l < config_.n_layer; ++l)
    for (size_t i : {2, 4, 8, 10}) out.push_back(2 + 12 * static_cast<size_t>(l) + i);
  out.push_back(0);  // wte, the tied head
  return out;
}

int GptModel::layer_matmul_slot(size_t spec) const {
  if (spec < 2 || spec >= 2 + 12 * static_cast<size_t>(config_.n_layer)) return -1;
  const size_t l = (spec - 2) / 12, i = (spec - 2) % 12;
  const int slot = i == 2 ? 0 : i == 4 ? 1 : i == 8 ? 2 : i == 10 ? 3 : -1;
  return slot < 0 ? -1 : static_cast<int>(4 * l) + slot;
}

int GptModel::quant_index(size_t spec) const {
  if (qweights_.empty()) return -1;
  if (spec == 0) return static_cast<int>(qweights_.size()) - 1;
  return layer_matmul_slot(spec);
}

Status GptModel::set_weight_format(WeightFormat format, int int8_group) {
  if (format == WeightFormat::kInt8) ML_RETURN_IF_ERROR(kernels::check_int8_group_size(int8_group));
  qweights_.clear();
  decode_f32_.clear();
  prefill_bf16_ = format == WeightFormat::kBF16 && ctx_.isa == kernels::Isa::kAvx512 ? kernels::best_bf16_kernel()
                                                                                   : kernels::Bf16Kernel::kOff;
  format_ = format;
  int8_group_ = format == WeightFormat::kInt8 ? int8_group : 0;
  // int8 products of 2+ rows (prompts, batches) on AMX tiles where present.
  ctx_.int8_amx = format == WeightFormat::kInt8 && ctx_.isa == kernels::Isa::kAvx512 && kernels::int8_amx_supported();
  if (format == WeightFormat::kF32) {
    // Only the AVX-512 decode kernel reads the copies; elsewhere they would
    // cost memory and send decode steps to the scalar twin.
    if (ctx_.isa != kernels::Isa::kAvx512) return Status::ok();
    for (size_t spec : quantised_specs()) {
      if (spec == 0) continue;  // wte is already [V, C]
      const ParamSpec& s = specs_[spec];
      const size_t IC = s.shape[0], OC = s.shape[1];
      const float* w = params_.data() + s.offset;
      AlignedBuffer<float> t(IC * OC);
      for (size_t i = 0; i < IC; ++i)
        for (size_t o = 0; o < OC; ++o) t[o * IC + i] = w[i * OC + o];
      decode_f32_.push_back(std::move(t));
    }
    return Status::ok();
  }
  for (size_t spec : quantised_specs()) {
    const ParamSpec& s = specs_[spec];
    // Conv1D weights are [IC, OC]; wte is [V, C], already one row per output.
    const bool conv1d = spec != 0;
    const int N = static_cast<int>(conv1d ? s.shape[1] : s.shape[0]);
    const int K = static_cast<int>(conv1d ? s.shape[0] : s.shape[1]);
    float* w = params_.data() + s.offset;
    qweights_.push_back(kernels::quantize_matrix(w, N, K, conv1d, format, int8_group_));
    kernels::dequantize_matrix(qweights_.back(), conv1d, w);
  }
  return Status::ok();
}

int64_t GptModel::decode_weight_bytes() const {
  // wpe and wte are read one row per token: only the head's use of wte counts.
  int64_t bytes = 0;
  for (size_t i = 2; i < specs_.size(); ++i) {
    const int qi = quant_index(i);
    bytes += qi >= 0 ? static_cast<int64_t>(qweights_[qi].bytes()) : static_cast<int64_t>(specs_[i].numel) * 4;
  }
  bytes += format_ == WeightFormat::kF32 ? static_cast<int64_t>(specs_[0].numel) * 4
                                         : static_cast<int64_t>(qweights_.back().bytes());
  return bytes;
}

void GptModel::linear(float* y, const float* x, size_t spec, const float* b, int R, int IC, int OC) {
  const int qi = quant_index(spec);
  const int slot = layer_matmul_slot(spec);
  if (qi < 0 && slot >= 0 && R <= kernels::kDecodeMaxRows && static_cast<size_t>(slot) < decode_f32_.size()) {
    kernels::matmul_nt_decode_forward(y, x, decode_f32_[static_cast<size_t>(slot)].data(), b, R, IC, OC, ctx_);
  } else if (qi < 0) {
    kernels::matmul_forward(y, x, params_.data() + specs_[spec].offset, b, R, IC, OC, ctx_);
  } else if (format_ == WeightFormat::kBF16 && R > kernels::kDecodeMaxRows && prefill_bf16_ != kernels::Bf16Kernel::kOff) {
    // A prompt: params() hold the bf16 values exactly, so the mixed-precision
    // gemm (AMX / vdpbf16ps, activations rounded to bf16 as in autocast)
    // multiplies by the same weights, blocked for many rows.
    kernels::KernelContext c = ctx_;
    c.bf16 = prefill_bf16_;
    kernels::matmul_forward(y, x, params_.data() + specs_[spec].offset, b, R, IC, OC, c);
  } else {
    kernels::quant_linear_forward(y, x, qweights_[qi], b, R, ctx_);
  }
}

}  // namespace marketlm
