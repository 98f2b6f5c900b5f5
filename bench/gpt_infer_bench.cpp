// GPT inference speed per weight format: prompt (prefill) tokens/s, decode
// tokens/s at batch 1 and 8, and a STREAM-style read-bandwidth kernel that
// gives the bytes-per-token bound. Random weights (speed does not depend on
// them). Not a test; docs/benchmarks.md has the commands and figures.
//   gpt_infer_bench tiny|124m [threads] [prompt_len] [decode_steps] [mlp_keep] [formats]
// mlp_keep (default 1): fraction of the 4 * n_embd MLP neurons kept, the shape
// `marketlm prune --method neurons` writes (n_inner = round(keep * 4C)).
// formats (default f32,bf16,int8): which weight formats to run, comma-separated.
// GCC 12's AVX-512 headers trip -Wuninitialized inside the header.
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "marketlm/core/aligned_buffer.h"
#include "marketlm/core/thread_pool.h"
#include "marketlm/models/gpt/gpt_model.h"

using namespace marketlm;
using Clock = std::chrono::steady_clock;

constexpr int kPromptReps = 3;  // timed prompt passes, averaged

double secs_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Read bandwidth: threads each sum their slice of a buffer much larger than
// the caches, with eight independent vector accumulators so the adds never
// limit the reads (a scalar sum is bound by add latency at ~12 GB/s per core,
// below what the memory delivers); best of 5 passes.
__attribute__((target("avx512f"))) float sum_avx512(const float* p, int64_t n) {
  __m512 acc[8];
  for (auto& a : acc) a = _mm512_setzero_ps();
  for (int64_t i = 0; i < n; i += 128)
    for (int v = 0; v < 8; ++v) acc[v] = _mm512_add_ps(acc[v], _mm512_load_ps(p + i + 16 * v));
  for (int v = 1; v < 8; ++v) acc[0] = _mm512_add_ps(acc[0], acc[v]);
  return _mm512_reduce_add_ps(acc[0]);
}
float sum_scalar(const float* p, int64_t n) {
  float s[8] = {};
  for (int64_t i = 0; i < n; i += 8)
    for (int v = 0; v < 8; ++v) s[v] += p[i + v];
  return s[0] + s[1] + s[2] + s[3] + s[4] + s[5] + s[6] + s[7];
}

double read_bandwidth_gbs(ThreadPool& pool, size_t bytes) {
  const size_t n = bytes / sizeof(float);
  AlignedBuffer<float> buf(n);
  for (size_t i = 0; i < n; ++i) buf[i] = static_cast<float>(i & 7);
  const bool avx512 = __builtin_cpu_supports("avx512f");
  std::vector<double> partial(static_cast<size_t>(pool.size() + 1));
  double best = 0;
  for (int rep = 0; rep < 5; ++rep) {
    const auto t0 = Clock::now();
    pool.parallel_for(static_cast<int64_t>(n / 1024), [&](int64_t b, int64_t e, int t) {
      const float* p = buf.data() + b * 1024;
      partial[static_cast<size_t>(t)] += avx512 ? sum_avx512(p, (e - b) * 1024) : sum_scalar(p, (e - b) * 1024);
    }, 64);
    best = std::max(best, static_cast<double>(n * sizeof(float)) / secs_since(t0) / 1e9);
  }
  return best;
}

int main(int argc, char** argv) {
  const std::string which = argc > 1 ? argv[1] : "tiny";
  const int threads = argc > 2 ? std::atoi(argv[2]) : 2;
  const int prompt = argc > 3 ? std::atoi(argv[3]) : 128;
  const int steps = argc > 4 ? std::atoi(argv[4]) : 32;
  const double mlp_keep = argc > 5 ? std::atof(argv[5]) : 1.0;
  const std::string formats = argc > 6 ? argv[6] : "f32,bf16,int8";
  GptConfig c;  // GPT-2 124M
  if (which == "tiny") {
    c.n_layer = 4;
    c.n_head = 4;
    c.n_embd = 256;
  }
  if (mlp_keep < 1.0) c.n_inner = std::max(1, static_cast<int>(mlp_keep * 4 * c.n_embd + 0.5));
  ThreadPool pool(threads);
  const double bw = read_bandwidth_gbs(pool, size_t{1} << 30);
  std::printf("# %s: n_layer %d n_embd %d n_inner %d vocab %d, %d threads, prompt %d, %d decode steps; read bandwidth %.1f GB/s\n",
              which.c_str(), c.n_layer, c.n_embd, c.mlp_hidden(), c.vocab_size, threads, prompt, steps, bw);
  std::printf("%-6s %14s %12s %12s %12s %16s %16s\n", "format", "bytes/token", "prompt t/s", "decode b1", "decode b8",
              "bound b1 (t/s)", "bound+KV (t/s)");
  auto made = GptModel::create(c, kernels::KernelContext{&pool, kernels::best_isa()});
  if (!made.is_ok()) return 1;
  GptModel& m = **made;
  m.init_weights(1);
  std::vector<int32_t> toks(static_cast<size_t>(prompt));
  for (int i = 0; i < prompt; ++i) toks[i] = (i * 7919) % c.vocab_size;
  std::vector<float> logits(static_cast<size_t>(8) * c.vocab_size);
  for (auto f : {kernels::WeightFormat::kF32, kernels::WeightFormat::kBF16, kernels::WeightFormat::kInt8}) {
    if (("," + formats + ",").find(std::string(",") + kernels::weight_format_name(f) + ",") == std::string::npos) continue;
    if (!m.set_weight_format(f).is_ok()) return 1;
    GptKvCache cache = m.make_kv_cache(prompt + steps + 1);
    // As llama-bench: one untimed pass of the whole prompt (first touch of the
    // cache and activation pages), then the mean of kPromptReps timed passes.
    if (!m.forward_cached(toks.data(), prompt, &cache, logits.data()).is_ok()) return 1;
    double prompt_secs = 0.0;
    for (int r = 0; r < kPromptReps; ++r) {
      cache.clear();
      const auto t = Clock::now();
      if (!m.forward_cached(toks.data(), prompt, &cache, logits.data()).is_ok()) return 1;
      prompt_secs += secs_since(t);
    }
    const double pp = kPromptReps * prompt / prompt_secs;
    // Decoding starts after a 16-token prompt (as batch 8 does), so the
    // prompt length measures prefill only and the decode positions are those
    // of a generation from a short prompt (llama-bench's tg runs from 0).
    cache.clear();
    if (!m.forward_cached(toks.data(), std::min(prompt, 16), &cache, logits.data()).is_ok()) return 1;
    auto t0 = Clock::now();
    for (int s = 0; s < steps; ++s) {
      const int32_t next = (s * 31) % c.vocab_size;
      if (!m.forward_cached(&next, 1, &cache, logits.data()).is_ok()) return 1;
    }
    const double tg1 = steps / secs_since(t0);
    std::vector<GptKvCache> caches(8, m.make_kv_cache(16 + steps + 1));
    std::vector<GptKvCache*> ptrs;
    for (auto& kc : caches) {
      if (!m.forward_cached(toks.data(), 16, &kc, logits.data()).is_ok()) return 1;
      ptrs.push_back(&kc);
    }
    std::vector<int32_t> next(8);
    t0 = Clock::now();
    for (int s = 0; s < steps; ++s) {
      for (int b = 0; b < 8; ++b) next[b] = (s * 31 + b) % c.vocab_size;
      if (!m.forward_cached_step(next.data(), ptrs.data(), 8, logits.data()).is_ok()) return 1;
    }
    const double tg8 = 8.0 * steps / secs_since(t0);
    const double bytes = static_cast<double>(m.decode_weight_bytes());
    // A decode step also reads the f32 KV cache of every earlier position:
    // on average 16 + (steps + 1) / 2 positions over this run's steps.
    const double kv_bytes = 2.0 * c.n_layer * c.n_embd * sizeof(float) * (16.0 + (steps + 1) / 2.0);
    std::printf("%-6s %14.0f %12.1f %12.1f %12.1f %16.1f %16.1f\n", kernels::weight_format_name(f), bytes, pp, tg1,
                tg8, bw * 1e9 / bytes, bw * 1e9 / (bytes + kv_bytes));
    std::fflush(stdout);
  }
  return 0;
}
