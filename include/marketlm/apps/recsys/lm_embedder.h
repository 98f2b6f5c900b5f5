// Item text embeddings from a marketlm GPT language model, for cold-start
// items: the text is tokenised with the model's tokenizer, run through the
// GPT trunk (token + position embeddings, the shared nn/ blocks, final
// LayerNorm) and the last layer's hidden states are mean-pooled over the
// tokens. fit() centres: it subtracts the mean pooled vector of all item texts
// (pooled GPT states share a large common direction that would otherwise
// dominate every cosine); embed() then L2-normalises. No interaction data is
// used, so held-out items are embedded like any other.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "marketlm/apps/recsys/cold_start.h"
#include "marketlm/kernels/kernel_context.h"
#include "marketlm/models/gpt/gpt_model.h"
#include "marketlm/text/tokenizer.h"

namespace marketlm::recsys {

class GptTextEmbedder final : public TextEmbedder {
 public:
  // dir: a marketlm / Hugging Face GPT-2 directory (config.json,
  // model.safetensors) holding its tokenizer files too.
  static Result<std::unique_ptr<GptTextEmbedder>> load(const std::string& dir, const kernels::KernelContext& ctx);
  // centre = false keeps the raw pooled states (for comparison).
  void set_centre(bool centre) { centre_ = centre; }

  Status fit(std::span<const std::string> texts) override;
  int dim() const override { return model_->config().n_embd; }
  void embed(std::string_view text, std::span<float> out) const override;
  // Mean over the tokens of the last layer's (final-LayerNorm) hidden states,
  // not centred or normalised. Texts longer than n_ctx keep their first
  // n_ctx tokens; an empty text gives zeros.
  std::vector<float> pooled(std::string_view text) const;

 private:
  GptTextEmbedder() = default;
  std::unique_ptr<GptModel> model_;
  Tokenizer tokenizer_;
  kernels::KernelContext ctx_;
  bool centre_ = true;
  std::vector<float> mean_;
};

}  // namespace marketlm::recsys
