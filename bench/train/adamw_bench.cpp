// AdamW update over n parameters on every instruction-set path, 1 and N
// threads, best of R: ms per step and the ratio to the scalar path. The
// PyTorch side (adamw_torch_bench.py) runs torch.optim.AdamW on the same n.
//
//   adamw_bench [--n 16300000] [--threads 2] [--reps 5]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "marketlm/core/aligned_buffer.h"
#include "marketlm/core/rng.h"
#include "marketlm/core/thread_pool.h"
#include "marketlm/kernels/adamw.h"

using namespace marketlm;

int main(int argc, char** argv) {
  size_t n = 16300000;  // the "tiny" GPT of docs/benchmarks.md
  int threads = 2, reps = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--n")) n = std::strtoull(argv[i + 1], nullptr, 10);
    else if (!std::strcmp(argv[i], "--threads")) threads = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--reps")) reps = std::atoi(argv[i + 1]);
  }
  AlignedBuffer<float> p(n), g(n), m(n), v(n);
  Rng rng(1);
  for (size_t i = 0; i < n; ++i) {
    p[i] = static_cast<float>(rng.normal() * 0.02);
    g[i] = static_cast<float>(rng.normal() * 1e-3);
  }
  ThreadPool pool(threads);
  std::printf("AdamW step, n = %zu parameters, best of %d\n", n, reps);
  double scalar_ms[2] = {0, 0};
  for (kernels::Isa path : {kernels::Isa::kScalar, kernels::Isa::kAvx2, kernels::Isa::kAvx512}) {
    if (!kernels::isa_supported(path)) continue;
    for (int ti = 0; ti < 2; ++ti) {
      ThreadPool* tp = ti == 0 ? nullptr : &pool;
      double best = 1e30;
      for (int r = 0; r < reps; ++r) {
        AdamWHyper h;
        h.lr = 1e-3f;
        h.weight_decay = 0.1f;
        h.step = r + 1;
        const auto t0 = std::chrono::steady_clock::now();
        adamw_step(path, tp, p.data(), g.data(), m.data(), v.data(), n, h);
        best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
      }
      if (path == kernels::Isa::kScalar) scalar_ms[ti] = best;
      std::printf("  %-7s %d thread(s): %8.2f ms  (%.2fx scalar)\n", kernels::isa_name(path), ti == 0 ? 1 : threads,
                  best, scalar_ms[ti] / best);
    }
  }
  return 0;
}
