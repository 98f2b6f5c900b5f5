#include "marketlm/kernels/embedding.h"

#include "kernels/simd.h"

namespace marketlm::kernels {

void encoder_forward(float* out, const int32_t* tokens, const float* wte, const float* wpe, int B, int T,
                     int C, const KernelContext& ctx, int pos_offset) {
  parallel_for(ctx, static_cast<int64_t>(B) * T, [&](int64_t b, int64_t e, int) {
    for (int64_t i = b; i < e; ++i) {
      const int t = static_cast<int>(i % T) + pos_offset;
      simd::add(ctx.isa, out + i * C, wte + static_cast<int64_t>(tokens[i]) * C,
                wpe + static_cast<int64_t>(t) * C, C);
    }
  }, 8);
}

void encoder_backward(float* d_wte, float* d_wpe, const float* d_out, const int32_t* tokens, int B, int T,
                      int C, const KernelContext& ctx) {
  parallel_for(ctx, C, [&](int64_t b, int64_t e, int) {
    const int w = static_cast<int>(e - b);
    for (int64_t i = 0; i < static_cast<int64_t>(B) * T; ++i) {
      const int t = static_cast<int>(i % T);
      const float* g = d_out + i * C + b;
      if (d_wte != nullptr) {
        float* dw = d_wte + static_cast<int64_t>(tokens[i]) * C + b;
        simd::add(ctx.isa, dw, dw, g, w);
      }
      if (d_wpe != nullptr) {
        float* dp = d_wpe + static_cast<int64_t>(t) * C + b;
        simd::add(ctx.isa, dp, dp, g, w);
      }
    }
  }, 16);
}

}  // namespace marketlm::kernels
