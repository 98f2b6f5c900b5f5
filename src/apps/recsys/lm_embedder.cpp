// GPT hidden-state text embeddings (see lm_embedder.h).
#include "marketlm/apps/recsys/lm_embedder.h"

#include <algorithm>
#include <cmath>

#include "marketlm/core/check.h"
#include "marketlm/kernels/embedding.h"
#include "marketlm/kernels/layernorm.h"
#include "marketlm/nn/transformer_block.h"

namespace marketlm::recsys {

Result<std::unique_ptr<GptTextEmbedder>> GptTextEmbedder::load(const std::string& dir,
                                                               const kernels::KernelContext& ctx) {
  std::unique_ptr<GptTextEmbedder> e(new GptTextEmbedder());
  ML_ASSIGN_OR_RETURN(e->model_, GptModel::from_pretrained(dir, ctx));
  ML_ASSIGN_OR_RETURN(e->tokenizer_, Tokenizer::from_pretrained(dir));
  if (e->tokenizer_.vocab_size() > e->model_->config().vocab_size) {
    return invalid_argument("lm embedder: tokenizer in '" + dir + "' has " +
                            std::to_string(e->tokenizer_.vocab_size()) + " tokens but the model's vocab_size is " +
                            std::to_string(e->model_->config().vocab_size) + "; expected the model's own tokenizer");
  }
  e->ctx_ = ctx;
  return e;
}

std::vector<float> GptTextEmbedder::pooled(std::string_view text) const {
  const GptConfig& c = model_->config();
  const int C = c.n_embd;
  std::vector<int32_t> ids = tokenizer_.encode(text);
  if (ids.size() > static_cast<size_t>(c.n_ctx)) ids.resize(static_cast<size_t>(c.n_ctx));
  std::vector<float> out(static_cast<size_t>(C), 0.0f);
  const int T = static_cast<int>(ids.size());
  if (T == 0) return out;
  nn::BlockDims d;
  d.B = 1;
  d.T = T;
  d.C = C;
  d.NH = c.n_head;
  d.ln_eps = c.layer_norm_epsilon;
  const float* P = model_->params();
  const ParamSpec* wte = model_->find_param("wte.weight");
  const ParamSpec* wpe = model_->find_param("wpe.weight");
  const ParamSpec* lnf_w = model_->find_param("ln_f.weight");
  const ParamSpec* lnf_b = model_->find_param("ln_f.bias");
  ML_CHECK(wte != nullptr && wpe != nullptr && lnf_w != nullptr && lnf_b != nullptr);
  std::vector<float> x(d.BTC()), acts(nn::block_act_floats(d, false) * static_cast<size_t>(c.n_layer));
  kernels::encoder_forward(x.data(), ids.data(), P + wte->offset, P + wpe->offset, 1, T, C, ctx_);
  const float* in = x.data();
  for (int l = 0; l < c.n_layer; ++l) {
    const ParamSpec* first = model_->find_param("h." + std::to_string(l) + ".ln_1.weight");
    ML_CHECK(first != nullptr);
    nn::BlockActs a = nn::bind_block_acts(acts.data() + static_cast<size_t>(l) * nn::block_act_floats(d, false), d, false);
    nn::block_forward(in, a, nn::block_weights_at(P + first->offset, C), d, nn::DropoutRates{}, nullptr, ctx_);
    in = a.out;
  }
  std::vector<float> h(d.BTC()), mean(static_cast<size_t>(T)), rstd(static_cast<size_t>(T));
  kernels::layernorm_forward(h.data(), mean.data(), rstd.data(), in, P + lnf_w->offset, P + lnf_b->offset, T, C,
                             c.layer_norm_epsilon, ctx_);
  for (int t = 0; t < T; ++t) {
    for (int i = 0; i < C; ++i) out[static_cast<size_t>(i)] += h[static_cast<size_t>(t) * C + i];
  }
  for (float& v : out) v /= static_cast<float>(T);
  return out;
}

Status GptTextEmbedder::fit(std::span<const std::string> texts) {
  mean_.assign(static_cast<size_t>(dim()), 0.0f);
  if (!centre_ || texts.empty()) return Status::ok();
  std::vector<double> sum(mean_.size(), 0.0);
  for (const auto& t : texts) {
    const auto p = pooled(t);
    for (size_t i = 0; i < p.size(); ++i) sum[i] += p[i];
  }
  for (size_t i = 0; i < sum.size(); ++i) mean_[i] = static_cast<float>(sum[i] / static_cast<double>(texts.size()));
  return Status::ok();
}

void GptTextEmbedder::embed(std::string_view text, std::span<float> out) const {
  const auto p = pooled(text);
  double norm = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    out[i] = p[i] - (mean_.empty() ? 0.0f : mean_[i]);
    norm += static_cast<double>(out[i]) * out[i];
  }
  if (norm > 0) {
    const auto inv = static_cast<float>(1.0 / std::sqrt(norm));
    for (float& v : out) v *= inv;
  }
}

}  // namespace marketlm::recsys
