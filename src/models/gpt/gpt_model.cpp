#include "marketlm/models/gpt/gpt_model.h"

#include <cmath>
#include <cstring>
#include <utility>

#include "marketlm/core/check.h"
#include "marketlm/kernels/classifier.h"
#include "marketlm/kernels/elementwise.h"
#include "marketlm/kernels/embedding.h"
#include "marketlm/kernels/layernorm.h"
#include "marketlm/kernels/matmul.h"
#include "models/gpt/gpt_acts.h"

namespace marketlm {

using namespace marketlm::kernels;

namespace {
constexpr const char* kBlockNames[12] = {
    "ln_1.weight",      "ln_1.bias",      "attn.c_attn.weight", "attn.c_attn.bias",
    "attn.c_proj.weight", "attn.c_proj.bias", "ln_2.weight",      "ln_2.bias",
    "mlp.c_fc.weight",  "mlp.c_fc.bias",  "mlp.c_proj.weight",  "mlp.c_proj.bias"};

// Index of h.0.ln_1.weight in the table; each layer has 12 tensors.
constexpr size_t kFirstBlockSpec = 2;
}  // namespace

std::vector<ParamSpec> gpt_param_specs(const GptConfig& c) {
  const int64_t C = c.n_embd, F = c.mlp_hidden();
  std::vector<ParamSpec> specs;
  auto add = [&](std::string name, std::vector<int64_t> shape, bool decay) {
    ParamSpec s;
    s.name = std::move(name);
    s.shape = std::move(shape);
    s.numel = 1;
    for (int64_t d : s.shape) s.numel *= static_cast<size_t>(d);
    s.offset = specs.empty() ? 0 : specs.back().offset + specs.back().numel;
    s.decay = decay;
    specs.push_back(std::move(s));
  };
  add("wte.weight", {c.vocab_size, C}, true);
  add("wpe.weight", {c.n_ctx, C}, true);
  const std::vector<int64_t> shapes[12] = {{C}, {C}, {C, 3 * C}, {3 * C}, {C, C}, {C},
                                           {C}, {C}, {C, F}, {F}, {F, C}, {C}};
  for (int l = 0; l < c.n_layer; ++l)
    for (int i = 0; i < 12; ++i)
      add("h." + std::to_string(l) + "." + kBlockNames[i], shapes[i], shapes[i].size() == 2);
  add("ln_f.weight", {C}, false);
  add("ln_f.bias", {C}, false);
  return specs;
}

size_t gpt_act_floats(const GptConfig& c, int B, int T) {
  const auto d = gpt_block_dims(c, B, T);
  const bool drop = gpt_has_dropout(c);
  return d.BTC() * (drop ? 2 : 1) + c.n_layer * nn::block_act_floats(d, drop) + d.BTC() + 2 * d.BT();
}

size_t gpt_grad_scratch_floats(const GptConfig& c, int B, int T) {
  const auto d = gpt_block_dims(c, B, T);
  return 3 * d.BTC() + nn::block_scratch_floats(d) +
         static_cast<size_t>(classifier_scratch_floats(gpt_classifier_chunk(B, T), c.vocab_size));
}

GptModel::GptModel(const GptConfig& c, const KernelContext& ctx)
    : config_(c), ctx_(ctx), specs_(gpt_param_specs(c)) {
  const size_t n = specs_.back().offset + specs_.back().numel;
  params_.resize(n);
  grads_.resize(n);
  if (ctx_.isa != Isa::kScalar) blas_use_single_thread();
}

Result<std::unique_ptr<GptModel>> GptModel::create(const GptConfig& config, const KernelContext& ctx) {
  ML_RETURN_IF_ERROR(config.validate());
  return std::unique_ptr<GptModel>(new GptModel(config, ctx));
}

void GptModel::init_weights(uint64_t seed) {
  decode_f32_.clear();
  Rng rng(seed);
  const float proj_std = 0.02f / std::sqrt(2.0f * static_cast<float>(config_.n_layer));
  for (const ParamSpec& s : specs_) {
    float* p = params_.data() + s.offset;
    const bool is_bias = s.name.size() > 5 && s.name.compare(s.name.size() - 5, 5, ".bias") == 0;
    const bool is_ln = s.name.find("ln_") != std::string::npos;
    if (is_bias) {
      std::fill(p, p + s.numel, 0.0f);
    } else if (is_ln) {
      std::fill(p, p + s.numel, 1.0f);
    } else {
      const bool is_proj = s.name.find("c_proj.weight") != std::string::npos;
      const float std = is_proj ? proj_std : 0.02f;
      for (size_t i = 0; i < s.numel; ++i) p[i] = static_cast<float>(rng.normal()) * std;
    }
  }
}

void GptModel::zero_grad() { grads_.zero(); }

const ParamSpec* GptModel::find_param(const std::string& name) const {
  for (const auto& s : specs_)
    if (s.name == name) return &s;
  return nullptr;
}

Status GptModel::validate_batch(const TokenBatch& b) const {
  if (b.B <= 0 || b.T <= 0)
    return invalid_argument("batch shape B=" + std::to_string(b.B) + " T=" + std::to_string(b.T) +
                            " must be positive");
  if (b.T > config_.n_ctx)
    return out_of_range("sequence length T=" + std::to_string(b.T) + " exceeds n_ctx " +
                        std::to_string(config_.n_ctx));
  if (b.inputs == nullptr) return invalid_argument("batch has no inputs");
  const int64_t n = static_cast<int64_t>(b.B) * b.T;
  for (int64_t i = 0; i < n; ++i) {
    if (b.inputs[i] < 0 || b.inputs[i] >= config_.vocab_size)
      return out_of_range("input token " + std::to_string(b.inputs[i]) + " at position " + std::to_string(i) +
                          " is outside the vocabulary [0, " + std::to_string(config_.vocab_size) + ")");
    if (b.targets != nullptr && (b.targets[i] < -1 || b.targets[i] >= config_.vocab_size))
      return out_of_range("target " + std::to_string(b.targets[i]) + " at position " + std::to_string(i) +
                          " is outside the vocabulary (or -1 to ignore)");
  }
  return Status::ok();
}

void GptModel::ensure_acts(int B, int T) {
  if (acts_ && acts_->B == B && acts_->T == T) return;
  auto a = std::make_shared<Acts>();
  a->B = B;
  a->T = T;
  a->with_dropout = gpt_has_dropout(config_);
  const auto d = gpt_block_dims(config_, B, T);
  a->buf.resize(gpt_act_floats(config_, B, T));
  float* p = a->buf.data();
  a->encoded = p;
  p += d.BTC();
  if (a->with_dropout) {
    a->emb_mask = p;
    p += d.BTC();
  }
  const size_t per_block = nn::block_act_floats(d, a->with_dropout);
  for (int l = 0; l < config_.n_layer; ++l) {
    a->blocks.push_back(nn::bind_block_acts(p, d, a->with_dropout));
    p += per_block;
  }
  a->lnf = p;
  a->lnf_mean = p + d.BTC();
  a->lnf_rstd = a->lnf_mean + d.BT();
  acts_ = std::move(a);
}

void GptModel::forward_trunk(const TokenBatch& b, Rng* rng) {
  const auto d = gpt_block_dims(config_, b.B, b.T);
  const int C = config_.n_embd, N = b.B * b.T;
  Acts& a = *acts_;
  const float* P = params_.data();
  encoder_forward(a.encoded, b.inputs, P + specs_[0].offset, P + specs_[1].offset, b.B, b.T, C, ctx_);
  if (rng != nullptr && config_.embd_pdrop > 0.0f) {
    dropout_mask(a.emb_mask, static_cast<int64_t>(d.BTC()), config_.embd_pdrop, rng);
    dropout_forward(a.encoded, a.encoded, a.emb_mask, static_cast<int64_t>(d.BTC()), ctx_);
  }
  const nn::DropoutRates rates{config_.attn_pdrop, config_.resid_pdrop};
  const float* x = a.encoded;
  for (int l = 0; l < config_.n_layer; ++l) {
    const auto w = nn::block_weights_at(P + specs_[kFirstBlockSpec + 12 * l].offset, C, config_.mlp_hidden());
    nn::block_forward(x, a.blocks[l], w, d, rates, rng, ctx_);
    x = a.blocks[l].out;
  }
  const size_t lnf = specs_.size() - 2;
  layernorm_forward(a.lnf, a.lnf_mean, a.lnf_rstd, x, P + specs_[lnf].offset, P + specs_[lnf + 1].offset, N, C,
                    config_.layer_norm_epsilon, ctx_);
}

void GptModel::backward_trunk(const TokenBatch& b, bool dropout_on) {
  const auto d = gpt_block_dims(config_, b.B, b.T);
  const int C = config_.n_embd, N = b.B * b.T;
  const int64_t btc = static_cast<int64_t>(d.BTC());
  Acts& a = *acts_;
  const float* P = params_.data();
  float* G = grads_.data();
  const size_t lnf = specs_.size() - 2;
  const float* x_last = config_.n_layer > 0 ? a.blocks.back().out : a.encoded;
  std::memset(a.d_res_a, 0, static_cast<size_t>(btc) * sizeof(float));
  layernorm_backward(a.d_res_a, G + specs_[lnf].offset, G + specs_[lnf + 1].offset, a.d_lnf, x_last,
                     P + specs_[lnf].offset, a.lnf_mean, a.lnf_rstd, N, C, ctx_);
  for (int l = config_.n_layer - 1; l >= 0; --l) {
    const size_t off = specs_[kFirstBlockSpec + 12 * l].offset;
    const float* x_in = l == 0 ? a.encoded : a.blocks[l - 1].out;
    std::memset(a.d_res_b, 0, static_cast<size_t>(btc) * sizeof(float));
    nn::block_backward(a.d_res_b, a.d_res_a, x_in, a.blocks[l], nn::block_weights_at(P + off, C, config_.mlp_hidden()),
                       nn::block_grads_at(G + off, C, config_.mlp_hidden()), a.scratch, d, dropout_on, ctx_);
    std::swap(a.d_res_a, a.d_res_b);
  }
  if (dropout_on && config_.embd_pdrop > 0.0f) dropout_forward(a.d_res_a, a.d_res_a, a.emb_mask, btc, ctx_);
  encoder_backward(G + specs_[0].offset, G + specs_[1].offset, a.d_res_a, b.inputs, b.B, b.T, C, ctx_);
}

LossSum GptModel::forward_backward(const TokenBatch& b, float grad_scale, Rng* dropout_rng) {
  const Status valid = validate_batch(b);
  ML_CHECK_MSG(valid.is_ok() && b.targets != nullptr, valid.to_string());
  ensure_acts(b.B, b.T);
  Acts& a = *acts_;
  if (a.grad_buf.empty()) {
    const auto d = gpt_block_dims(config_, b.B, b.T);
    a.grad_buf.resize(gpt_grad_scratch_floats(config_, b.B, b.T));
    a.d_lnf = a.grad_buf.data();
    a.d_res_a = a.d_lnf + d.BTC();
    a.d_res_b = a.d_res_a + d.BTC();
    a.scratch = nn::bind_block_scratch(a.d_res_b + d.BTC(), d);
    a.cls_scratch = a.d_res_b + d.BTC() + nn::block_scratch_floats(d);
  }
  const bool dropout_on = dropout_rng != nullptr && a.with_dropout;
  forward_trunk(b, dropout_on ? dropout_rng : nullptr);
  const int N = b.B * b.T;
  std::memset(a.d_lnf, 0, static_cast<size_t>(N) * config_.n_embd * sizeof(float));
  const auto r = classifier_forward_backward(a.lnf, params_.data(), b.targets, N, config_.n_embd,
                                             config_.vocab_size, grad_scale, a.d_lnf, grads_.data(), nullptr,
                                             a.cls_scratch, gpt_classifier_chunk(b.B, b.T), ctx_);
  backward_trunk(b, dropout_on);
  return LossSum{r.sum, r.count};
}

LossSum GptModel::forward_loss(const TokenBatch& b) {
  const Status valid = validate_batch(b);
  ML_CHECK_MSG(valid.is_ok() && b.targets != nullptr, valid.to_string());
  ensure_acts(b.B, b.T);
  forward_trunk(b, nullptr);
  const int chunk = gpt_classifier_chunk(b.B, b.T);
  AlignedBuffer<float> scratch(static_cast<size_t>(classifier_scratch_floats(chunk, config_.vocab_size)));
  const auto r = classifier_forward_backward(acts_->lnf, params_.data(), b.targets, b.B * b.T, config_.n_embd,
                                             config_.vocab_size, 1.0f, nullptr, nullptr, nullptr, scratch.data(),
                                             chunk, ctx_);
  return LossSum{r.sum, r.count};
}

Status GptModel::forward_logits(const int32_t* tokens, int B, int T, float* logits) {
  TokenBatch b{tokens, nullptr, B, T};
  ML_RETURN_IF_ERROR(validate_batch(b));
  ensure_acts(B, T);
  forward_trunk(b, nullptr);
  matmul_nt_forward(logits, acts_->lnf, params_.data(), B * T, config_.n_embd, config_.vocab_size, ctx_);
  return Status::ok();
}

}  // namespace marketlm
