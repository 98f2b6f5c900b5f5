// Choosing a token from a processed row of scores: greedy argmax, seeded
// sampling, log-softmax and the top alternatives.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "marketlm/core/rng.h"

namespace marketlm {

struct TokenLogprob {
  int32_t token = 0;
  float logprob = 0.0f;
};

// Index of the largest score; the lowest index wins ties. -1 when every score
// is -inf (nothing can be chosen).
int32_t argmax_token(std::span<const float> scores);
// Draws a token with probability softmax(scores) using one uniform draw from
// rng (softmax in double, over finite scores). -1 when every score is -inf.
int32_t sample_token(std::span<const float> scores, Rng& rng);
// out[i] = scores[i] - logsumexp(scores) (-inf stays -inf). out may alias scores.
void log_softmax(std::span<const float> scores, std::span<float> out);
// The k entries with the highest logprob, best first (ties: lower id first),
// skipping -inf entries.
std::vector<TokenLogprob> top_logprobs(std::span<const float> logprobs, int k);

}  // namespace marketlm
