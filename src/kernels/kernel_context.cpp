#include "marketlm/kernels/kernel_context.h"

#include <string>

extern "C" void openblas_set_num_threads(int num_threads);

namespace marketlm::kernels {

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::kScalar: return "scalar";
    case Isa::kAvx2: return "avx2";
    case Isa::kAvx512: return "avx512";
  }
  return "unknown";
}

bool isa_supported(Isa isa) {
  switch (isa) {
    case Isa::kScalar: return true;
    case Isa::kAvx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case Isa::kAvx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
  }
  return false;
}

Isa best_isa() {
  if (isa_supported(Isa::kAvx512)) return Isa::kAvx512;
  if (isa_supported(Isa::kAvx2)) return Isa::kAvx2;
  return Isa::kScalar;
}

std::vector<Isa> supported_isas() {
  std::vector<Isa> out;
  for (Isa isa : {Isa::kScalar, Isa::kAvx2, Isa::kAvx512})
    if (isa_supported(isa)) out.push_back(isa);
  return out;
}

Result<Isa> resolve_isa(std::string_view requested) {
  if (requested.empty() || requested == "auto") return best_isa();
  for (Isa isa : {Isa::kScalar, Isa::kAvx2, Isa::kAvx512}) {
    if (requested == isa_name(isa)) {
      if (!isa_supported(isa))
        return invalid_argument("MARKETLM_ISA=" + std::string(requested) +
                                ": this CPU does not support it; best available is " +
                                isa_name(best_isa()));
      return isa;
    }
  }
  return invalid_argument("MARKETLM_ISA='" + std::string(requested) +
                          "' is not a known path; expected scalar, avx2, avx512 or auto");
}

void parallel_for(const KernelContext& ctx, int64_t n,
                  const std::function<void(int64_t, int64_t, int)>& fn, int64_t grain) {
  if (n <= 0) return;
  if (ctx.pool == nullptr || ctx.pool->size() <= 1) {
    fn(0, n, 0);
    return;
  }
  ctx.pool->parallel_for(n, fn, grain);
}

void blas_use_single_thread() { openblas_set_num_threads(1); }

}  // namespace marketlm::kernels
