// The small random GPT the quantisation tests share: 2 layers, 4 heads,
// width 64, context 16, vocabulary 71, weights init_weights(seed) plus
// N(0, 0.05) noise drawn from seed + 1 (so no two weights are equal).
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include "marketlm/core/rng.h"
#include "marketlm/models/gpt/gpt_model.h"

namespace marketlm::testing {

inline std::unique_ptr<GptModel> small_quant_gpt(const kernels::KernelContext& ctx, uint64_t seed) {
  GptConfig c;
  c.n_layer = 2;
  c.n_head = 4;
  c.n_embd = 64;
  c.n_ctx = 16;
  c.vocab_size = 71;
  c.bos_token_id = c.eos_token_id = 0;
  auto m = GptModel::create(c, ctx);
  EXPECT_TRUE(m.is_ok());
  (*m)->init_weights(seed);
  Rng rng(seed + 1);
  for (size_t i = 0; i < (*m)->num_params(); ++i) (*m)->params()[i] += static_cast<float>(rng.normal()) * 0.05f;
  return std::move(m).value();
}

// Relative RMS difference of a from ref: sqrt(sum (a - ref)^2 / sum ref^2).
inline double rel_rms(const std::vector<float>& a, const std::vector<float>& ref) {
  double e = 0, r = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    e += (a[i] - ref[i]) * static_cast<double>(a[i] - ref[i]);
    r += static_cast<double>(ref[i]) * ref[i];
  }
  return std::sqrt(e / r);
}

// A token sequence inside that vocabulary.
inline const std::vector<int32_t> kQuantSeq = {3, 17, 52, 8, 8, 70, 0, 33};

}  // namespace marketlm::testing
