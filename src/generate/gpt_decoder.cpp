// GptDecoder: Decoder slots on GptKvCache (see gpt_decoder.h).
#include "marketlm/generate/gpt_decoder.h"

#include <cstring>
#include <new>
#include <string>

#include "marketlm/core/check.h"
#include "marketlm/models/gpt/gpt_model.h"

namespace marketlm {

GptDecoder::GptDecoder(GptModel* model, int max_slots) : model_(model), max_slots_(max_slots < 1 ? 1 : max_slots) {
  ML_CHECK(model_ != nullptr);
}

int GptDecoder::vocab_size() const { return model_->config().vocab_size; }
int GptDecoder::max_positions() const { return model_->config().n_ctx; }

int64_t GptDecoder::cache_bytes(int n_slots, int n_positions) const {
  const GptConfig& c = model_->config();
  return static_cast<int64_t>(n_slots) * c.n_layer * 2 * n_positions * c.n_embd * static_cast<int64_t>(sizeof(float));
}

int GptDecoder::slot_length(int slot) const {
  if (slot < 0 || slot >= static_cast<int>(caches_.size())) return 0;
  return caches_[static_cast<size_t>(slot)].length();
}

Status GptDecoder::reserve(int n_slots, int n_positions) {
  if (n_slots < 1 || n_slots > max_slots_)
    return out_of_range("GptDecoder::reserve: " + std::to_string(n_slots) + " slots asked for, this decoder holds 1.." +
                        std::to_string(max_slots_));
  if (n_positions < 1 || n_positions > max_positions())
    return out_of_range("GptDecoder::reserve: " + std::to_string(n_positions) +
                        " positions asked for, the model's n_ctx is " + std::to_string(max_positions()));
  // Reuse the caches when they already have this shape (repeated generate calls).
  if (static_cast<int>(caches_.size()) == n_slots && !caches_.empty() && caches_[0].capacity() == n_positions) {
    for (GptKvCache& c : caches_) c.clear();
    return Status::ok();
  }
  caches_.clear();
  try {
    caches_.reserve(static_cast<size_t>(n_slots));
    for (int s = 0; s < n_slots; ++s) caches_.push_back(model_->make_kv_cache(n_positions));
  } catch (const std::bad_alloc&) {
    caches_.clear();
    return resource_exhausted("GptDecoder::reserve: could not allocate the KV caches for " + std::to_string(n_slots) +
                              " sequences x " + std::to_string(n_positions) + " positions (" +
                              std::to_string(cache_bytes(n_slots, n_positions) >> 20) + " MiB)");
  }
  return Status::ok();
}

Status GptDecoder::check_slot(int slot, const char* what) const {
  if (slot < 0 || slot >= static_cast<int>(caches_.size()))
    return out_of_range(std::string("GptDecoder::") + what + ": slot " + std::to_string(slot) +
                        " is not reserved (reserved slots: " + std::to_string(caches_.size()) + ")");
  return Status::ok();
}

Status GptDecoder::prefill(int slot, std::span<const int32_t> ids, float* last_logits) {
  ML_RETURN_IF_ERROR(check_slot(slot, "prefill"));
  GptKvCache& cache = caches_[static_cast<size_t>(slot)];
  if (ids.empty() || static_cast<int>(ids.size()) > cache.capacity())
    return out_of_range("GptDecoder::prefill: " + std::to_string(ids.size()) + " tokens do not fit a slot of " +
                        std::to_string(cache.capacity()) + " positions");
  cache.clear();
  return model_->forward_cached(ids.data(), static_cast<int>(ids.size()), &cache, last_logits);
}

Status GptDecoder::decode(std::span<const int> slots, std::span<const int32_t> tokens, float* logits) {
  if (slots.size() != tokens.size())
    return invalid_argument("GptDecoder::decode: " + std::to_string(slots.size()) + " slots but " +
                            std::to_string(tokens.size()) + " tokens");
  if (slots.empty()) return invalid_argument("GptDecoder::decode: no slots given");
  std::vector<GptKvCache*> caches(slots.size());
  for (size_t i = 0; i < slots.size(); ++i) {
    ML_RETURN_IF_ERROR(check_slot(slots[i], "decode"));
    GptKvCache& c = caches_[static_cast<size_t>(slots[i])];
    if (c.length() < 1)
      return failed_precondition("GptDecoder::decode: slot " + std::to_string(slots[i]) + " is empty (prefill it first)");
    if (c.length() >= c.capacity())
      return out_of_range("GptDecoder::decode: slot " + std::to_string(slots[i]) + " is full (" +
                          std::to_string(c.capacity()) + " positions)");
    caches[i] = &c;
  }
  return model_->forward_cached_step(tokens.data(), caches.data(), static_cast<int>(slots.size()), logits);
}

Status GptDecoder::copy_slot(int from, int to) {
  ML_RETURN_IF_ERROR(check_slot(from, "copy_slot"));
  ML_RETURN_IF_ERROR(check_slot(to, "copy_slot"));
  if (from == to) return Status::ok();
  const GptKvCache& src = caches_[static_cast<size_t>(from)];
  GptKvCache& dst = caches_[static_cast<size_t>(to)];
  // Only the filled prefix matters: copying it keeps beam reordering cheap
  // when the caches are long and the sequences short.
  const size_t n = static_cast<size_t>(src.length()) * static_cast<size_t>(src.n_embd());
  for (int l = 0; l < src.n_layer(); ++l) {
    if (n > 0) {
      std::memcpy(dst.k(l), src.k(l), n * sizeof(float));
      std::memcpy(dst.v(l), src.v(l), n * sizeof(float));
    }
  }
  dst.set_length(src.length());
  return Status::ok();
}

}  // namespace marketlm
