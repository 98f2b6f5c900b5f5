// check_decoder_contract and RecomputeDecoder.
#include "marketlm/generate/decoder_check.h"

#include <cmath>
#include <string>

#include "marketlm/core/rng.h"

namespace marketlm {

Status check_decoder_contract(Decoder& d, const std::vector<int32_t>& prompt, const DecoderCheckOptions& o) {
  const int v = d.vocab_size();
  const int n = o.n_slots;
  const int scratch = n;
  if (prompt.empty() || n < 1 || o.steps < 1)
    return invalid_argument("check_decoder_contract: needs a non-empty prompt, n_slots >= 1, steps >= 1");
  if (d.max_slots() < n + 1)
    return invalid_argument("check_decoder_contract: needs " + std::to_string(n + 1) +
                            " slots; the decoder has " + std::to_string(d.max_slots()));
  const int positions = static_cast<int>(prompt.size()) + o.steps + 1;
  if (positions > d.max_positions())
    return invalid_argument("check_decoder_contract: prompt + steps + 1 = " + std::to_string(positions) +
                            " + 1 exceeds max_positions " + std::to_string(d.max_positions()));
  ML_RETURN_IF_ERROR(d.reserve(n + 1, positions));
  std::vector<float> first(v), ref(v), rows(static_cast<size_t>(n) * v);
  ML_RETURN_IF_ERROR(d.prefill(0, prompt, first.data()));
  for (int s = 1; s < n; ++s) ML_RETURN_IF_ERROR(d.copy_slot(0, s));
  std::vector<std::vector<int32_t>> hist(n, prompt);
  Rng rng(o.seed);
  auto compare = [&](const float* got, const std::vector<int32_t>& h, int slot, int step,
                     const char* what) -> Status {
    ML_RETURN_IF_ERROR(d.prefill(scratch, h, ref.data()));
    for (int t = 0; t < v; ++t) {
      const float diff = std::fabs(got[t] - ref[t]);
      if (!(diff <= o.tolerance))
        return failed_precondition("decoder contract: " + std::string(what) + " for slot " +
                                   std::to_string(slot) + " at step " + std::to_string(step) +
                                   " differs from a fresh prefill of the same " + std::to_string(h.size()) +
                                   " tokens at token " + std::to_string(t) + ": " + std::to_string(got[t]) +
                                   " vs " + std::to_string(ref[t]) + " (tolerance " +
                                   std::to_string(o.tolerance) + ")");
    }
    return Status::ok();
  };
  for (int step = 0; step < o.steps; ++step) {
    // Every slot gets its own token, so slots diverge after the shared prompt.
    std::vector<int> slots;
    std::vector<int32_t> tokens;
    for (int s = 0; s < n; ++s) {
      slots.push_back(s);
      tokens.push_back(static_cast<int32_t>(rng.below(static_cast<uint64_t>(v))));
      hist[s].push_back(tokens.back());
    }
    if (step % 2 == 1 && n > 1) {  // odd steps: one slot alone, then the rest as a batch
      ML_RETURN_IF_ERROR(d.decode(std::span<const int>(slots).subspan(0, 1),
                                  std::span<const int32_t>(tokens).subspan(0, 1), rows.data()));
      ML_RETURN_IF_ERROR(d.decode(std::span<const int>(slots).subspan(1),
                                  std::span<const int32_t>(tokens).subspan(1), rows.data() + v));
    } else {
      ML_RETURN_IF_ERROR(d.decode(slots, tokens, rows.data()));
    }
    for (int s = 0; s < n; ++s)
      ML_RETURN_IF_ERROR(compare(rows.data() + static_cast<size_t>(s) * v, hist[s], s, step, "decode"));
  }
  // A copy made mid-generation (beam reordering) must carry the whole history:
  // fork slot 0 into slot n-1, then step both with different tokens.
  if (n > 1) {
    ML_RETURN_IF_ERROR(d.copy_slot(0, n - 1));
    hist[n - 1] = hist[0];
    const std::vector<int> slots{0, n - 1};
    const std::vector<int32_t> tokens{static_cast<int32_t>(1 % v), 0};
    hist[0].push_back(tokens[0]);
    hist[n - 1].push_back(tokens[1]);
    ML_RETURN_IF_ERROR(d.decode(slots, tokens, rows.data()));
    ML_RETURN_IF_ERROR(compare(rows.data(), hist[0], 0, o.steps, "decode after copy_slot (source)"));
    ML_RETURN_IF_ERROR(compare(rows.data() + v, hist[n - 1], n - 1, o.steps, "decode after copy_slot"));
  }
  return Status::ok();
}

Status RecomputeDecoder::check_slot(int slot) const {
  if (slot < 0 || slot >= static_cast<int>(slots_.size()))
    return out_of_range("RecomputeDecoder: slot " + std::to_string(slot) + " outside the " +
                        std::to_string(slots_.size()) + " reserved slots");
  return Status::ok();
}

Status RecomputeDecoder::reserve(int n_slots, int n_positions) {
  if (n_slots > max_slots_ || n_positions > max_pos_)
    return resource_exhausted("RecomputeDecoder: asked for " + std::to_string(n_slots) + " slots x " +
                              std::to_string(n_positions) + " positions; limits are " +
                              std::to_string(max_slots_) + " x " + std::to_string(max_pos_));
  slots_.assign(n_slots, {});
  return Status::ok();
}

Status RecomputeDecoder::prefill(int slot, std::span<const int32_t> ids, float* last_logits) {
  ML_RETURN_IF_ERROR(check_slot(slot));
  slots_[slot].assign(ids.begin(), ids.end());
  return fn_(slots_[slot], last_logits);
}

Status RecomputeDecoder::decode(std::span<const int> slots, std::span<const int32_t> tokens, float* logits) {
  for (size_t i = 0; i < slots.size(); ++i) {
    ML_RETURN_IF_ERROR(check_slot(slots[i]));
    auto& h = slots_[slots[i]];
    if (static_cast<int>(h.size()) >= max_pos_)
      return out_of_range("RecomputeDecoder: slot " + std::to_string(slots[i]) + " is full");
    h.push_back(tokens[i]);
    ML_RETURN_IF_ERROR(fn_(h, logits + i * static_cast<size_t>(vocab_)));
  }
  return Status::ok();
}

Status RecomputeDecoder::copy_slot(int from, int to) {
  ML_RETURN_IF_ERROR(check_slot(from));
  ML_RETURN_IF_ERROR(check_slot(to));
  if (from != to) slots_[to] = slots_[from];
  return Status::ok();
}

}  // namespace marketlm
