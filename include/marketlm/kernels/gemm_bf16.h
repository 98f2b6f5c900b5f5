// Mixed-precision matrix product: C = op(A) op(B) + beta * C with A and B
// rounded to bfloat16 (round to nearest even; fp32 denormals become signed
// zero, as the AVX512-BF16 conversion instructions do) and the products
// accumulated in fp32. The fp32 inputs stay the master copy: rounding happens
// while packing, once per product.
//
// Kernels (Bf16Kernel in kernel_context.h):
//   kScalar      the reference: rounds each input, accumulates in double.
//                Any CPU. The test oracle for the two below.
//   kAvx512Bf16  vdpbf16ps micro-kernel (2 bf16 products per fp32 lane).
//   kAmx         AMX tiles (tdpbf16ps, 16x16x32 per instruction).
// Both optimised kernels share one packing (blocks of k, bf16 pairs) and
// split the packing and the 32x32 output tiles over the pool; every output
// element is summed by one thread in a fixed k order, so the bits do not
// depend on the thread count.
#pragma once

#include <cstdint>
#include <string_view>

#include "marketlm/core/status.h"
#include "marketlm/kernels/kernel_context.h"

namespace marketlm::kernels {

// fp32 -> bf16 bits exactly as vcvtneps2bf16 does it, and back.
uint16_t float_to_bf16(float f);
float bf16_to_float(uint16_t h);
inline float round_to_bf16(float f) { return bf16_to_float(float_to_bf16(f)); }

const char* bf16_kernel_name(Bf16Kernel k);
// CPUID (and, for AMX, the Linux permission to use tile data, requested on
// the first call: arch_prctl(ARCH_REQ_XCOMP_PERM)).
bool bf16_kernel_supported(Bf16Kernel k);
// kAmx, else kAvx512Bf16, else kOff (no fast bf16 path on this CPU).
Bf16Kernel best_bf16_kernel();
// The kernel for a precision request: "fp32" / "" -> kOff; "bf16" -> the best
// fast kernel, or kScalar when isa is kScalar; "bf16-scalar", "bf16-avx512",
// "bf16-amx" force one. Refuses names it does not know and kernels the CPU
// lacks, naming the value and what is allowed.
Result<Bf16Kernel> resolve_precision(std::string_view precision, Isa isa);

// pool may be nullptr (runs on the calling thread). kernel must not be kOff.
// beta == 0 overwrites C without reading it.
void gemm_bf16(Bf16Kernel kernel, ThreadPool* pool, bool ta, bool tb, int M, int N, int K, const float* A,
               int lda, const float* B, int ldb, float beta, float* C, int ldc);

}  // namespace marketlm::kernels
