// KernelContext: what every kernel needs from its caller, passed in (never a
// global): the thread pool that splits work by output, and the instruction set
// path to run. Isa::kScalar is the plain reference path, the test oracle;
// kAvx2 / kAvx512 use OpenBLAS sgemm for matrix products and hand-written
// SIMD for the elementwise kernels.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "marketlm/core/status.h"
#include "marketlm/core/thread_pool.h"

namespace marketlm::kernels {

enum class Isa { kScalar = 0, kAvx2 = 1, kAvx512 = 2 };

// Mixed precision for the model's matrix products (kernels/gemm_bf16.h).
// kOff: fp32 products (gemm by isa). Otherwise inputs are rounded to bfloat16
// and accumulated in fp32 by this kernel: kScalar is the plain reference
// loop (any CPU, slow), kAvx512Bf16 uses vdpbf16ps, kAmx the AMX tiles.
enum class Bf16Kernel { kOff = 0, kScalar = 1, kAvx512Bf16 = 2, kAmx = 3 };

const char* isa_name(Isa isa);
// True when this CPU can run the path (CPUID).
bool isa_supported(Isa isa);
// The widest path this CPU supports.
Isa best_isa();
// Every path this CPU supports, scalar first.
std::vector<Isa> supported_isas();
// "scalar" | "avx2" | "avx512" | "" / "auto" (best). Refuses unknown names and
// paths the CPU lacks, naming the value and what is allowed.
Result<Isa> resolve_isa(std::string_view requested);

struct KernelContext {
  ThreadPool* pool = nullptr;  // nullptr: run on the calling thread
  Isa isa = Isa::kScalar;
  Bf16Kernel bf16 = Bf16Kernel::kOff;  // kOff = fp32 matmuls
  // int8 weight products of 2+ rows on AMX tiles (quant.h: int8_amx_supported);
  // bit-identical to the other int8 paths.
  bool int8_amx = false;
};

// Splits [0, n) over the pool (or runs it inline without one).
void parallel_for(const KernelContext& ctx, int64_t n,
                  const std::function<void(int64_t, int64_t, int)>& fn, int64_t grain = 1);

// Sets OpenBLAS to one thread (we split work over our own pool instead, so a
// given thread count gives the same bits). Idempotent; called by the BLAS path.
void blas_use_single_thread();

}  // namespace marketlm::kernels
