// Each kernel on every instruction-set path at GPT-2-small shapes (N = 256
// rows, C = 768), one thread, best of 5: shows where the OpenBLAS / SIMD paths
// win over the scalar reference, as a ratio.
//
//   kernels_bench
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "marketlm/core/rng.h"
#include "marketlm/kernels/attention.h"
#include "marketlm/kernels/elementwise.h"
#include "marketlm/kernels/layernorm.h"
#include "marketlm/kernels/gemm_bf16.h"
#include "marketlm/kernels/matmul.h"
#include "marketlm/kernels/softmax.h"

using namespace marketlm;
using namespace marketlm::kernels;

namespace {
double best_ms(int reps, const std::function<void()>& fn) {
  double best = 1e30;
  for (int i = 0; i < reps; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    fn();
    best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}
std::vector<float> randv(size_t n, uint64_t seed) {
  Rng r(seed);
  std::vector<float> v(n);
  for (auto& x : v) x = static_cast<float>(r.normal());
  return v;
}
}  // namespace

int main() {
  blas_use_single_thread();
  const int N = 256, C = 768, V = 8192, B = 4, T = 64, NH = 12;
  auto x = randv(static_cast<size_t>(N) * 4 * C, 1), w = randv(static_cast<size_t>(4) * C * C, 2),
       g = randv(static_cast<size_t>(N) * 4 * C, 3), bias = randv(4 * C, 4), logits = randv(static_cast<size_t>(N) * V, 5);
  std::vector<float> out(static_cast<size_t>(N) * 4 * C), dx(out.size()), dw(w.size()), db(4 * C), mean(N), rstd(N),
      probs(static_cast<size_t>(N) * V), att(static_cast<size_t>(B) * NH * T * T), qkv = randv(static_cast<size_t>(N) * 3 * C, 6);
  struct Row {
    std::string name;
    std::function<void(const KernelContext&)> fn;
    int reps;
  };
  std::vector<Row> rows = {
      {"matmul fwd 256x768->3072", [&](const KernelContext& k) { matmul_forward(out.data(), x.data(), w.data(), bias.data(), N, C, 4 * C, k); }, 2},
      {"matmul bwd 256x768->3072", [&](const KernelContext& k) { matmul_backward(dx.data(), dw.data(), db.data(), g.data(), x.data(), w.data(), N, C, 4 * C, k); }, 2},
      {"layernorm fwd+bwd 256x768", [&](const KernelContext& k) {
         layernorm_forward(out.data(), mean.data(), rstd.data(), x.data(), bias.data(), bias.data(), N, C, 1e-5f, k);
         layernorm_backward(dx.data(), dw.data(), db.data(), g.data(), x.data(), bias.data(), mean.data(), rstd.data(), N, C, k);
       }, 5},
      {"gelu fwd+bwd 256x3072", [&](const KernelContext& k) {
         gelu_forward(out.data(), x.data(), static_cast<int64_t>(N) * 4 * C, k);
         gelu_backward(dx.data(), x.data(), g.data(), static_cast<int64_t>(N) * 4 * C, k);
       }, 5},
      {"softmax fwd 256x8192", [&](const KernelContext& k) {
         softmax_forward(probs.data(), logits.data(), N, V, k);
       }, 5},
      {"attention fwd+bwd B4 T64 C768", [&](const KernelContext& k) {
         attention_forward(out.data(), att.data(), qkv.data(), nullptr, B, T, C, NH, k);
         attention_backward(dx.data(), g.data(), qkv.data(), att.data(), nullptr, B, T, C, NH, k);
       }, 5},
  };
  std::printf("%-32s %12s %12s %12s %10s\n", "kernel (1 thread)", "scalar ms", "avx2 ms", "avx512 ms", "best x");
  for (auto& r : rows) {
    double t[3] = {0, 0, 0};
    for (Isa isa : supported_isas()) t[static_cast<int>(isa)] = best_ms(r.reps, [&] { r.fn(KernelContext{nullptr, isa}); });
    double best = t[0];
    for (double v : t)
      if (v > 0 && v < best) best = v;
    std::printf("%-32s %12.2f %12.2f %12.2f %9.1fx\n", r.name.c_str(), t[0], t[1], t[2], t[0] / best);
  }
  for (Bf16Kernel kern : {Bf16Kernel::kAvx512Bf16, Bf16Kernel::kAmx}) {
    if (!bf16_kernel_supported(kern)) continue;
    // Mixed precision: bf16 inputs, fp32 accumulation, one thread.
    const double s = best_ms(3, [&] { gemm(Isa::kAvx512, false, false, N, 4 * C, C, x.data(), C, w.data(), 4 * C, 0.0f, out.data(), 4 * C); });
    const double b = best_ms(3, [&] { gemm_bf16(kern, nullptr, false, false, N, 4 * C, C, x.data(), C, w.data(), 4 * C, 0.0f, out.data(), 4 * C); });
    std::printf("gemm 256x768->3072: OpenBLAS sgemm %.2f ms, %s gemm %.2f ms (%.2fx)\n", s, bf16_kernel_name(kern), b, s / b);
  }
  return 0;
}
