#include "marketlm/kernels/elementwise.h"

#include "kernels/simd.h"

namespace marketlm::kernels {
namespace {
constexpr int64_t kGrain = 4096;
inline int len(int64_t b, int64_t e) { return static_cast<int>(e - b); }
}  // namespace

void gelu_forward(float* out, const float* inp, int64_t n, const KernelContext& ctx) {
  parallel_for(ctx, n, [&](int64_t b, int64_t e, int) {
    simd::gelu_forward(ctx.isa, out + b, inp + b, len(b, e));
  }, kGrain);
}

void gelu_backward(float* d_inp, const float* inp, const float* d_out, int64_t n,
                   const KernelContext& ctx) {
  parallel_for(ctx, n, [&](int64_t b, int64_t e, int) {
    simd::gelu_backward(ctx.isa, d_inp + b, inp + b, d_out + b, len(b, e));
  }, kGrain);
}

void residual_forward(float* out, const float* a, const float* b_in, int64_t n, const KernelContext& ctx) {
  parallel_for(ctx, n, [&](int64_t b, int64_t e, int) {
    simd::add(ctx.isa, out + b, a + b, b_in + b, len(b, e));
  }, kGrain);
}

void residual_backward(float* d_a, float* d_b, const float* d_out, int64_t n, const KernelContext& ctx) {
  parallel_for(ctx, n, [&](int64_t b, int64_t e, int) {
    if (d_a != nullptr) simd::add(ctx.isa, d_a + b, d_a + b, d_out + b, len(b, e));
    if (d_b != nullptr) simd::add(ctx.isa, d_b + b, d_b + b, d_out + b, len(b, e));
  }, kGrain);
}

void dropout_mask(float* mask, int64_t n, float p, Rng* rng) {
  const float keep_scale = p < 1.0f ? 1.0f / (1.0f - p) : 0.0f;
  for (int64_t i = 0; i < n; ++i) mask[i] = rng->uniform_f32() < p ? 0.0f : keep_scale;
}

void dropout_forward(float* out, const float* inp, const float* mask, int64_t n, const KernelContext& ctx) {
  parallel_for(ctx, n, [&](int64_t b, int64_t e, int) {
    simd::mul(ctx.isa, out + b, inp + b, mask + b, len(b, e));
  }, kGrain);
}

void dropout_backward(float* d_inp, const float* d_out, const float* mask, int64_t n,
                      const KernelContext& ctx) {
  parallel_for(ctx, n, [&](int64_t b, int64_t e, int) {
    simd::mul_acc(ctx.isa, d_inp + b, d_out + b, mask + b, len(b, e));
  }, kGrain);
}

}  // namespace marketlm::kernels
