// Row primitives with one scalar reference and AVX2 / AVX-512 twins, chosen by
// the Isa passed in. Private to kernels/. The scalar versions are the plain
// loops the kernels were first written with; SIMD versions reorder sums (lane
// partial sums), so they agree with scalar to rounding, not bit for bit.
#pragma once

#include "marketlm/kernels/kernel_context.h"

namespace marketlm::kernels::simd {

float sum(Isa isa, const float* x, int n);
// sum of (x - m)^2
float sum_sq_dev(Isa isa, const float* x, float m, int n);
// out = (x - m) * s * w + b
void norm_affine(Isa isa, float* out, const float* x, float m, float s, const float* w,
                 const float* b, int n);
float dot(Isa isa, const float* a, const float* b, int n);
// y += a * x
void axpy(Isa isa, float* y, float a, const float* x, int n);
// out = a + b (out may alias a or b)
void add(Isa isa, float* out, const float* a, const float* b, int n);
// y += a * b elementwise
void mul_acc(Isa isa, float* y, const float* a, const float* b, int n);
// out = a * b elementwise (may alias)
void mul(Isa isa, float* out, const float* a, const float* b, int n);
float max(Isa isa, const float* x, int n);
// out = exp(x - m); returns the sum of out. out may alias x.
float exp_sub_sum(Isa isa, float* out, const float* x, float m, int n);
// out *= s
void scale(Isa isa, float* out, float s, int n);
// GELU, tanh approximation.
void gelu_forward(Isa isa, float* out, const float* x, int n);
// dx += dout * gelu'(x)
void gelu_backward(Isa isa, float* dx, const float* x, const float* dout, int n);

}  // namespace marketlm::kernels::simd
