// GPT training-step speed: ms per forward+backward step, tokens/s and model
// FLOPs utilisation (6 x params x tokens/s over the measured sgemm peak), plus
// a per-kernel breakdown of one step at the same shapes.
//
//   gpt_train_bench [--config small|tiny] [--steps N] [--threads N] [--isa scalar|avx2|avx512]
//                   [--precision fp32|bf16|bf16-avx512|bf16-amx] [--breakdown] [--blas-threads]
//
// --blas-threads lets OpenBLAS use its own threads inside one sgemm instead of
// splitting rows over our pool (for comparison).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "marketlm/core/rng.h"
#include "marketlm/core/thread_pool.h"
#include "marketlm/kernels/attention.h"
#include "marketlm/kernels/classifier.h"
#include "marketlm/kernels/elementwise.h"
#include "marketlm/kernels/gemm_bf16.h"
#include "marketlm/kernels/layernorm.h"
#include "marketlm/kernels/matmul.h"
#include "marketlm/models/gpt/gpt_model.h"

extern "C" void openblas_set_num_threads(int);

using namespace marketlm;
using namespace marketlm::kernels;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// CPU time of the whole process (all threads), in ms: under a shared, loaded
// machine this is a steadier measure of work than wall time.
double process_cpu_ms() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

// Best of `reps` runs of fn, in ms.
double best_ms(int reps, const std::function<void()>& fn) {
  double best = 1e30;
  for (int i = 0; i < reps; ++i) {
    auto t0 = Clock::now();
    fn();
    best = std::min(best, ms_since(t0));
  }
  return best;
}

std::vector<float> randv(size_t n, uint64_t seed) {
  Rng r(seed);
  std::vector<float> v(n);
  for (auto& x : v) x = static_cast<float>(r.normal()) * 0.02f;
  return v;
}

// sgemm peak: a model-shaped product (N = B*T rows, C -> 4C) on all threads.
double sgemm_gflops(const KernelContext& ctx, int N, int C, int OC) {
  auto a = randv(static_cast<size_t>(N) * C, 1), w = randv(static_cast<size_t>(C) * OC, 2);
  std::vector<float> out(static_cast<size_t>(N) * OC);
  matmul_forward(out.data(), a.data(), w.data(), nullptr, N, C, OC, ctx);
  const double ms = best_ms(5, [&] { matmul_forward(out.data(), a.data(), w.data(), nullptr, N, C, OC, ctx); });
  return 2.0 * N * C * OC / (ms * 1e6);
}

void breakdown(const GptConfig& c, int B, int T, const KernelContext& ctx, double step_ms) {
  const int N = B * T, C = c.n_embd, NH = c.n_head, V = c.vocab_size, L = c.n_layer;
  const size_t nc = static_cast<size_t>(N) * C;
  auto x = randv(nc, 3), dx = randv(nc, 4);
  auto w_big = randv(static_cast<size_t>(C) * 4 * C, 5), dw_big = std::vector<float>(w_big.size());
  auto h4 = randv(4 * nc, 6), dh4 = std::vector<float>(4 * nc);
  auto qkv = randv(3 * nc, 7), dqkv = std::vector<float>(3 * nc);
  std::vector<float> att(static_cast<size_t>(B) * NH * T * T), out(4 * nc), bias(4 * C), mean(N), rstd(N);
  const int reps = 3;
  // per block: qkv (C->3C), attn proj (C->C), fc (C->4C), fc proj (4C->C): 12 C^2 per row
  double mm_f = 0, mm_b = 0;
  const int shapes[4][2] = {{C, 3 * C}, {C, C}, {C, 4 * C}, {4 * C, C}};
  for (auto& s : shapes) {
    mm_f += best_ms(reps, [&] { matmul_forward(out.data(), h4.data(), w_big.data(), bias.data(), N, s[0], s[1], ctx); });
    mm_b += best_ms(reps, [&] {
      matmul_backward(dh4.data(), dw_big.data(), bias.data(), out.data(), h4.data(), w_big.data(), N, s[0], s[1], ctx);
    });
  }
  const double attn_f = best_ms(reps, [&] { attention_forward(out.data(), att.data(), qkv.data(), nullptr, B, T, C, NH, ctx); });
  const double attn_b = best_ms(reps, [&] {
    attention_backward(dqkv.data(), x.data(), qkv.data(), att.data(), nullptr, B, T, C, NH, ctx);
  });
  const double ln = best_ms(reps, [&] {
    for (int i = 0; i < 2; ++i) {
      layernorm_forward(out.data(), mean.data(), rstd.data(), x.data(), bias.data(), bias.data(), N, C, 1e-5f, ctx);
      layernorm_backward(dx.data(), dw_big.data(), dw_big.data() + C, x.data(), x.data(), bias.data(), mean.data(),
                         rstd.data(), N, C, ctx);
    }
  });
  const double gelu = best_ms(reps, [&] {
    gelu_forward(out.data(), h4.data(), 4 * static_cast<int64_t>(nc), ctx);
    gelu_backward(dh4.data(), h4.data(), out.data(), 4 * static_cast<int64_t>(nc), ctx);
  });
  auto wte = randv(static_cast<size_t>(V) * C, 8);
  std::vector<float> dwte(wte.size());
  std::vector<int32_t> tg(N);
  for (int i = 0; i < N; ++i) tg[i] = (i * 7919) % V;
  const int chunk = N < 256 ? N : 256;
  std::vector<float> scratch(static_cast<size_t>(classifier_scratch_floats(chunk, V)));
  const double cls = best_ms(reps, [&] {
    classifier_forward_backward(x.data(), wte.data(), tg.data(), N, C, V, 1.0f / N, dx.data(), dwte.data(), nullptr,
                                scratch.data(), chunk, ctx);
  });
  const double total = L * (mm_f + mm_b + attn_f + attn_b + ln + gelu) + cls;
  std::printf("breakdown (ms per step, kernels timed alone at the step's shapes):\n");
  std::printf("  block matmuls forward   %8.1f  (%4.1f%%)\n", L * mm_f, 100 * L * mm_f / total);
  std::printf("  block matmuls backward  %8.1f  (%4.1f%%)\n", L * mm_b, 100 * L * mm_b / total);
  std::printf("  attention fwd+bwd       %8.1f  (%4.1f%%)\n", L * (attn_f + attn_b), 100 * L * (attn_f + attn_b) / total);
  std::printf("  layernorm fwd+bwd       %8.1f  (%4.1f%%)\n", L * ln, 100 * L * ln / total);
  std::printf("  gelu fwd+bwd            %8.1f  (%4.1f%%)\n", L * gelu, 100 * L * gelu / total);
  std::printf("  LM head + loss fwd+bwd  %8.1f  (%4.1f%%)\n", cls, 100 * cls / total);
  std::printf("  sum of kernels          %8.1f  vs measured step %.1f (rest: encoder, residuals, copies)\n", total,
              step_ms);
}

}  // namespace

int main(int argc, char** argv) {
  std::string cfg_name = "small", isa_name_arg = "auto", precision = "fp32";
  int steps = 3, threads = 2;
  bool do_breakdown = false, blas_threads = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (a == "--config") cfg_name = next();
    else if (a == "--steps") steps = std::atoi(next().c_str());
    else if (a == "--threads") threads = std::atoi(next().c_str());
    else if (a == "--isa") isa_name_arg = next();
    else if (a == "--precision") precision = next();
    else if (a == "--breakdown") do_breakdown = true;
    else if (a == "--blas-threads") blas_threads = true;
    else {
      std::fprintf(stderr, "unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  GptConfig c = GptConfig::gpt2_small();
  int B = 4, T = 64;
  if (cfg_name == "tiny") {
    c.n_layer = 4;
    c.n_head = 4;
    c.n_embd = 256;
    B = 8;
    T = 128;
  } else if (cfg_name != "small") {
    std::fprintf(stderr, "--config must be small or tiny\n");
    return 2;
  }
  c.set_dropout(0.0f);
  auto isa = resolve_isa(isa_name_arg);
  if (!isa.is_ok()) {
    std::fprintf(stderr, "%s\n", isa.status().to_string().c_str());
    return 2;
  }
  auto bf16 = resolve_precision(precision, *isa);
  if (!bf16.is_ok()) {
    std::fprintf(stderr, "%s\n", bf16.status().to_string().c_str());
    return 2;
  }
  ThreadPool pool(blas_threads ? 1 : threads);
  KernelContext ctx{&pool, *isa, *bf16};
  auto model = GptModel::create(c, ctx);
  if (!model.is_ok()) {
    std::fprintf(stderr, "%s\n", model.status().to_string().c_str());
    return 1;
  }
  openblas_set_num_threads(blas_threads ? threads : 1);
  (*model)->init_weights(1);
  std::vector<int32_t> in(static_cast<size_t>(B) * T), tg(in.size());
  Rng rng(2);
  for (size_t i = 0; i < in.size(); ++i) {
    in[i] = static_cast<int32_t>(rng.below(c.vocab_size));
    tg[i] = static_cast<int32_t>(rng.below(c.vocab_size));
  }
  TokenBatch batch{in.data(), tg.data(), B, T};
  const double params = static_cast<double>((*model)->num_params());
  std::printf("config %s: %.1fM params, n_layer %d, n_embd %d, vocab %d, B=%d T=%d, isa %s, matmuls %s, threads %d%s\n",
              cfg_name.c_str(), params / 1e6, c.n_layer, c.n_embd, c.vocab_size, B, T, kernels::isa_name(*isa),
              bf16_kernel_name(*bf16), threads,
              blas_threads ? " (OpenBLAS threads)" : " (our pool, OpenBLAS single-threaded)");
  const MemoryEstimate mem = estimate_training_memory(c, B, T);
  std::printf("training memory estimate: %s\n", mem.to_string().c_str());
  (*model)->zero_grad();
  (*model)->forward_backward(batch, 1.0f / (B * T), nullptr);  // warm-up (allocates activations)
  std::vector<double> times;
  double loss = 0;
  const double cpu0 = process_cpu_ms();
  for (int s = 0; s < steps; ++s) {
    auto t0 = Clock::now();
    (*model)->zero_grad();
    loss = (*model)->forward_backward(batch, 1.0f / (B * T), nullptr).sum / (B * T);
    times.push_back(ms_since(t0));
  }
  const double cpu_per_step = (process_cpu_ms() - cpu0) / steps;
  std::sort(times.begin(), times.end());
  const double med = times[times.size() / 2];
  const double tok_s = B * T / (med / 1e3);
  const double peak = sgemm_gflops(ctx, B * T, c.n_embd, 4 * c.n_embd);
  const double mfu = 6.0 * params * tok_s / (peak * 1e9);
  std::printf("step (forward+backward): median %.1f ms, best %.1f ms over %d steps; loss %.4f\n", med, times[0], steps,
              loss);
  std::printf("tokens/s %.0f; %s matmul peak %.1f GFLOP/s (%dx%dx%d); MFU %.1f%%\n", tok_s, bf16_kernel_name(*bf16), peak, B * T, c.n_embd,
              4 * c.n_embd, 100 * mfu);
  std::printf("CPU time per step (all threads): %.1f ms\n", cpu_per_step);
  std::printf("RESULT marketlm_ms_per_step=%.1f\n", med);
  std::printf("RESULT marketlm_cpu_ms_per_step=%.1f\n", cpu_per_step);
  if (do_breakdown) breakdown(c, B, T, ctx, med);
  return 0;
}
