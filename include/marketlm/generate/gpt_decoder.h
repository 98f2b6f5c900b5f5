// GptDecoder: the GPT model (models/gpt) behind the generation engine's
// Decoder interface. Each slot is one GptKvCache; prefill runs the prompt in
// one batched pass, decode() appends one token to several slots with batched
// matmuls (GptModel::forward_cached_step), copy_slot() copies the filled
// prefix of one cache onto another.
//
//   GptDecoder dec(model.get(), /*max_slots=*/16);
//   Result<GenerationOutput> out = generate(dec, prompt_ids, config, hooks);
//
// The model is borrowed (it must outlive the decoder) and is used through its
// own KernelContext (thread pool and ISA). Not thread-safe, like the model.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "marketlm/generate/decoder.h"
#include "marketlm/models/gpt/gpt_kv_cache.h"

namespace marketlm {

class GptModel;

class GptDecoder final : public Decoder {
 public:
  // max_slots: the most sequences (num_return_sequences x num_beams plus a
  // spare) one generate() call may hold; caches are only allocated by reserve().
  explicit GptDecoder(GptModel* model, int max_slots = 64);

  int vocab_size() const override;
  int max_positions() const override;
  int max_slots() const override { return max_slots_; }

  Status reserve(int n_slots, int n_positions) override;
  Status prefill(int slot, std::span<const int32_t> ids, float* last_logits) override;
  Status decode(std::span<const int> slots, std::span<const int32_t> tokens, float* logits) override;
  Status copy_slot(int from, int to) override;

  // Bytes the caches of reserve(n_slots, n_positions) take.
  int64_t cache_bytes(int n_slots, int n_positions) const;
  // Tokens held by a slot (0 when the slot is not reserved).
  int slot_length(int slot) const;

 private:
  Status check_slot(int slot, const char* what) const;

  GptModel* model_;
  int max_slots_;
  std::vector<GptKvCache> caches_;
};

}  // namespace marketlm
