// Rng: a seeded xoshiro256** generator. Its whole state is four words, so it
// can be saved with a checkpoint and restored for an exact resume.
#pragma once

#include <array>
#include <cstdint>

namespace marketlm {

class Rng {
 public:
  explicit Rng(uint64_t seed = 0) { seed_with(seed); }

  void seed_with(uint64_t seed);
  uint64_t next_u64();
  // Uniform in [0, 1) with 24 (float) or 53 (double) random bits.
  float uniform_f32() { return static_cast<float>(next_u64() >> 40) * 0x1.0p-24f; }
  double uniform_f64() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  // Uniform integer in [0, n), n > 0, without modulo bias.
  uint64_t below(uint64_t n);
  // Standard normal (Box-Muller, no cached second value, so state stays 4 words).
  double normal();

  using State = std::array<uint64_t, 4>;
  State state() const { return s_; }
  void set_state(const State& s) { s_ = s; }

 private:
  State s_{};
};

}  // namespace marketlm
