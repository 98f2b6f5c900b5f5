// GptModel: GPT-2 (token + learned position embeddings, pre-LayerNorm blocks,
// final LayerNorm, LM head tied to the token embedding) implementing the
// trainer's TrainableModel contract.
//
// Parameters are one contiguous float buffer laid out by param_specs(), the
// one weights table (Hugging Face GPT-2 names, Conv1D orientation); gradients
// are a second buffer with the same layout. Not thread-safe: one caller at a
// time (it uses the KernelContext's pool internally).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "marketlm/core/aligned_buffer.h"
#include "marketlm/core/status.h"
#include "marketlm/kernels/kernel_context.h"
#include "marketlm/kernels/quant.h"
#include "marketlm/models/gpt/gpt_config.h"
#include "marketlm/models/gpt/gpt_kv_cache.h"
#include "marketlm/nn/trainable.h"

namespace marketlm {

// The weights table for a config: wte, wpe, h.N.* (12 tensors per layer), ln_f.
std::vector<ParamSpec> gpt_param_specs(const GptConfig& c);

struct MemoryEstimate {
  int64_t params_bytes = 0, grads_bytes = 0, optimizer_bytes = 0, activations_bytes = 0, total_bytes = 0;
  std::string to_string() const;  // "1.23 GiB (params ..., grads ..., adam ..., activations ...)"
};
// Training memory for a config at batch B x T: params + grads + AdamW moments
// (2 x params) + activations and backward scratch as GptModel allocates them.
MemoryEstimate estimate_training_memory(const GptConfig& c, int B, int T);
// resource_exhausted, giving the estimate and the budget, when training c at
// B x T would need more than budget_bytes.
Status check_training_memory(const GptConfig& c, int B, int T, int64_t budget_bytes);

class GptModel : public TrainableModel {
 public:
  // Validates the config; parameters start at zero (call init_weights or load).
  static Result<std::unique_ptr<GptModel>> create(const GptConfig& config, const kernels::KernelContext& ctx);

  const GptConfig& config() const { return config_; }
  const kernels::KernelContext& kernel_context() const { return ctx_; }
  void set_kernel_context(const kernels::KernelContext& ctx) { ctx_ = ctx; }

  // GPT-2 initialisation: normal(0, 0.02), residual projections (c_proj)
  // scaled by 1/sqrt(2 n_layer), LayerNorm weight 1 / bias 0, biases 0.
  void init_weights(uint64_t seed);
  void zero_grad();

  // TrainableModel
  const std::vector<ParamSpec>& param_specs() const override { return specs_; }
  size_t num_params() const override { return params_.size(); }
  // Mutable access drops the f32 decode copies (set_weight_format), which
  // changed weights would leave stale.
  float* params() override {
    decode_f32_.clear();
    return params_.data();
  }
  float* grads() override { return grads_.data(); }
  const float* params() const { return params_.data(); }
  LossSum forward_backward(const TokenBatch& batch, float grad_scale, Rng* dropout_rng) override;
  LossSum forward_loss(const TokenBatch& batch) override;

  // Checks a batch before the forward (tokens in [0, V), targets in [0, V) or
  // -1, 1 <= T <= n_ctx); forward_* abort on a batch that fails this.
  Status validate_batch(const TokenBatch& batch) const;

  // Evaluation-mode logits [B*T, V] for tokens [B*T].
  Status forward_logits(const int32_t* tokens, int B, int T, float* logits);

  // Attention probabilities of every layer and head for one sequence of T
  // tokens (evaluation mode, the f32 forward of params(), so a quantised model
  // shows its rounded weights): out becomes [n_layer, n_head, T, T]; row i of
  // a head is how token i spreads its attention over tokens 0..i (each row
  // sums to 1; entries j > i are 0).
  Status attention_weights(const int32_t* tokens, int T, std::vector<float>* out);

  // Inference with a KV cache (evaluation mode). Prefill: runs n tokens of one
  // sequence at positions cache->length().., appends their keys/values, and
  // writes logits [V] of the last token (all_logits: [n, V]).
  Status forward_cached(const int32_t* tokens, int n, GptKvCache* cache, float* logits, bool all_logits = false);
  // One new token for each of n_seq sequences (batched matmuls), appending to
  // each cache; logits [n_seq, V].
  Status forward_cached_step(const int32_t* tokens, GptKvCache* const* caches, int n_seq, float* logits);
  // A cache sized for this model (capacity <= n_ctx).
  GptKvCache make_kv_cache(int capacity) const { return GptKvCache(config_, capacity); }

  // Inference weight format of the KV-cached forward (forward_cached,
  // forward_cached_step). kF32 reads params(); kBF16 / kInt8 build
  // reduced-precision copies of the matmul weights (c_attn, attn.c_proj,
  // c_fc, mlp.c_proj) and of the tied head (wte), and round params() to the
  // format, so the embeddings, the f32 training forward, and a saved model
  // see the same weights. Going back to kF32 keeps the rounded values.
  // int8_group: int8 inputs per scale (kernels::check_int8_group_size; 0 =
  // one scale per output channel); ignored by the other formats.
  // kF32 (the default needs no call) also takes, on the AVX-512 path,
  // row-major copies of the four matmul weights per layer for the decode
  // step (up to kDecodeMaxRows rows), which streams rows ~1.6x faster than
  // the Conv1D column walk
  // (bench/gpt_infer_bench): a second copy of those weights, taken now and
  // dropped by params() and load_safetensors(), so call it again after
  // changing the weights. Model::from_pretrained does this for f32 models.
  // kBF16 prompts of more than kDecodeMaxRows rows multiply on the blocked
  // bf16 gemm (AMX where the CPU has it) with activations rounded to bf16;
  // decode steps keep f32 activations.
  Status set_weight_format(kernels::WeightFormat format, int int8_group = 0);
  kernels::WeightFormat weight_format() const { return format_; }
  int int8_group_size() const { return format_ == kernels::WeightFormat::kInt8 ? int8_group_ : 0; }
  // Bytes of weights one decode step reads (matmul weights + head in the
  // current format, the rest in f32; the embedding rows are not counted).
  int64_t decode_weight_bytes() const;

  // A spec by name, or nullptr.
  const ParamSpec* find_param(const std::string& name) const;

  // model.safetensors with Hugging Face GPT-2 names, in the current weight
  // format (docs/formats.md: BF16 weights, or I8 weights + F32 "<name>_scale").
  Status save_safetensors(const std::string& path) const;
  // Loads by the table: every tensor must be present with the right shape;
  // accepts a "transformer." prefix, a tied "lm_head.weight" and attn.bias
  // buffers; names everything that is wrong.
  Status load_safetensors(const std::string& path);

  // A Hugging Face layout directory: config.json, model.safetensors,
  // generation_config.json (tokenizer files are the tokenizer's job).
  Status save_pretrained(const std::string& dir) const;
  static Result<std::unique_ptr<GptModel>> from_pretrained(const std::string& dir,
                                                           const kernels::KernelContext& ctx);

 private:
  GptModel(const GptConfig& c, const kernels::KernelContext& ctx);
  struct Acts;
  void ensure_acts(int B, int T);
  // Forward through ln_f into acts; training draws dropout from rng.
  void forward_trunk(const TokenBatch& batch, Rng* rng);
  void backward_trunk(const TokenBatch& batch, bool dropout_on);
  // Rows r = 0..R-1: token tokens[r] at position pos[r] of caches[r] (all new
  // keys/values are written before attention). Logits for rows with want[r].
  Status decode_rows(const int32_t* tokens, GptKvCache* const* caches, const int* pos, int R,
                     const std::vector<int>& logit_rows, float* logits);

  // y[R, OC] = x[R, IC] @ W + b for matmul weight spec `spec` (Conv1D
  // orientation), by the weight format.
  void linear(float* y, const float* x, size_t spec, const float* b, int R, int IC, int OC);
  // Index into qweights_ of a quantised spec, or -1.
  int quant_index(size_t spec) const;
  // 4 * layer + slot (c_attn, attn.c_proj, c_fc, mlp.c_proj) of a layer's
  // matmul weight spec, or -1.
  int layer_matmul_slot(size_t spec) const;
  // Specs that get a reduced-precision copy: 4 per layer, then wte (the head).
  std::vector<size_t> quantised_specs() const;

  GptConfig config_;
  kernels::KernelContext ctx_;
  kernels::WeightFormat format_ = kernels::WeightFormat::kF32;
  int int8_group_ = 0;
  std::vector<kernels::QuantMatrix> qweights_;  // by quantised_specs() order
  std::vector<AlignedBuffer<float>> decode_f32_;
  AlignedBuffer<float> decode_scratch_;
  // kBF16 prompts (more than kDecodeMaxRows rows): the blocked mixed-precision
  // gemm on the bf16-exact params(), or kOff for the row-dot kernels.
  kernels::Bf16Kernel prefill_bf16_ = kernels::Bf16Kernel::kOff;  // decode_rows' activations, grown as needed  // kF32: [OC, IC] copies by layer_matmul_slot, or empty
  std::vector<ParamSpec> specs_;
  AlignedBuffer<float> params_, grads_;
  std::shared_ptr<Acts> acts_;
};

}  // namespace marketlm
