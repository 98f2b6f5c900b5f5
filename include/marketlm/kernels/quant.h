// Inference weights in reduced precision: bfloat16 and int8 matrices and the
// products that read them. Weights are held in Linear orientation, [N, K]
// (one row per output channel), each row zero-padded to Kp = K rounded up to
// 64 so SIMD loops need no tails.
//
// int8: symmetric, one scale per output channel (row): q = round(w / s),
// s = max|w_row| / 127, q in [-127, 127]. The activations are quantised the
// same way per row on the fly, so an output is
//   out[m, n] = (sum_k qa[m, k] * qw[n, k]) * sa[m] * sw[n] + bias[n]
// with an exact int32 dot. AVX-512 VNNI uses vpdpbusd (u8 x s8) on qa + 128
// and subtracts 128 * sum_k qw[n, k]; AVX2 uses vpmaddubsw on |qa| and
// sign(qw, qa) (no saturation since |q| <= 127). All paths give the same
// int32 dots, so int8 results are bit-identical across paths.
// Per-group int8 (group > 0): each row is cut into groups of `group` inputs
// (a multiple of 32) with one scale each, s[n, g] = max|w[n, group g]| / 127.
// The exact int32 dot of every group is formed first, then
//   out[m, n] = sa[m] * (sum_g fma order: acc = fma(dot_g, s[n, g], acc)) + bias[n]
// in the same order on every path, so grouped results are bit-identical
// across paths too.
// bf16: weights rounded to bfloat16 (nearest even), widened to f32 in
// registers and multiplied with f32 activations (fp32 accumulation).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "marketlm/core/aligned_buffer.h"
#include "marketlm/core/status.h"
#include "marketlm/kernels/kernel_context.h"

namespace marketlm::kernels {

enum class WeightFormat { kF32 = 0, kBF16 = 1, kInt8 = 2 };
const char* weight_format_name(WeightFormat f);  // "f32" | "bf16" | "int8"
Result<WeightFormat> parse_weight_format(std::string_view name);

// CPUID has AMX-TILE and AMX-INT8 and Linux lets this process use tile data
// (asked for here: arch_prctl). For KernelContext::int8_amx.
bool int8_amx_supported();

struct QuantMatrix {
  WeightFormat format = WeightFormat::kBF16;
  int N = 0, K = 0, Kp = 0;
  int group = 0;                 // int8: inputs per scale; 0 = one scale per row
  AlignedBuffer<uint16_t> bf16;  // [N, Kp] (bf16 format)
  AlignedBuffer<int8_t> q;       // [N, Kp] (int8 format)
  std::vector<float> scale;      // int8: [N] per row, or [N, groups()] per group
  std::vector<int32_t> row_sum;  // same shape as scale: sum of q over the row / group (VNNI offset)
  int groups() const { return group > 0 ? (K + group - 1) / group : 1; }
  size_t bytes() const;          // bytes of weights + scales
};

// Group sizes quantize_matrix accepts: 0 (per row) or a positive multiple of
// 32 up to 4096. Names the value otherwise.
Status check_int8_group_size(int group);

// Padded row length for K.
inline int quant_padded_k(int K) { return (K + 63) / 64 * 64; }

// Symmetric per-row int8 quantisation of x[rows, K] (row stride ldx) into
// q[rows, ldq] (columns K..ldq-1 set to 0) with scale[rows]. An all-zero row
// gets scale 0 (and q 0).
void quantize_rows_int8(const float* x, int rows, int K, int ldx, int8_t* q, int ldq, float* scale);

// Builds a bf16 or int8 matrix from f32 weights. conv1d: w is [K, N]
// (GPT-2 Conv1D, input-major); otherwise w is [N, K] (Linear, e.g. wte).
// group: int8 group size (check_int8_group_size; 0 = per row; ignored for bf16).
QuantMatrix quantize_matrix(const float* w, int N, int K, bool conv1d, WeightFormat format, int group = 0);
// The matrix's values as f32, written in the same orientation it was built
// from (conv1d: [K, N], else [N, K]).
void dequantize_matrix(const QuantMatrix& m, bool conv1d, float* w);

// out[M, N] = inp[M, K] @ W^T + bias (bias may be nullptr), split over N.
// Scalar, AVX2 or AVX-512 (VNNI when the CPU has it) by ctx.isa.
void quant_linear_forward(float* out, const float* inp, const QuantMatrix& w, const float* bias, int M,
                          const KernelContext& ctx);

// Whether the AVX-512 int8 path uses VNNI on this CPU (otherwise AVX2 code).
bool int8_vnni_supported();

}  // namespace marketlm::kernels
