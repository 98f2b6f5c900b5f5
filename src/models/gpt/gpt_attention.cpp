// GptModel::attention_weights: the evaluation forward keeps every block's
// attention probabilities; copy them out per layer and head.
#include <algorithm>

#include "marketlm/models/gpt/gpt_model.h"
#include "models/gpt/gpt_acts.h"

namespace marketlm {

Status GptModel::attention_weights(const int32_t* tokens, int T, std::vector<float>* out) {
  if (out == nullptr) return invalid_argument("attention_weights needs an output vector");
  TokenBatch b{tokens, nullptr, 1, T};
  ML_RETURN_IF_ERROR(validate_batch(b));
  ensure_acts(1, T);
  forward_trunk(b, nullptr);
  const size_t per_layer = static_cast<size_t>(config_.n_head) * T * T;  // [NH, T, T] at B = 1
  out->resize(per_layer * config_.n_layer);
  for (int l = 0; l < config_.n_layer; ++l)
    std::copy(acts_->blocks[l].att, acts_->blocks[l].att + per_layer, out->data() + per_layer * l);
  return Status::ok();
}

}  // namespace marketlm
