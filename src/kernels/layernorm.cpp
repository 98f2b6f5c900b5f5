#include "marketlm/kernels/layernorm.h"

#include <cmath>

#include "kernels/simd.h"

namespace marketlm::kernels {

void layernorm_forward(float* out, float* mean, float* rstd, const float* inp, const float* weight,
                       const float* bias, int N, int C, float eps, const KernelContext& ctx) {
  const Isa isa = ctx.isa;
  parallel_for(ctx, N, [&](int64_t b, int64_t e, int) {
    for (int64_t n = b; n < e; ++n) {
      const float* x = inp + n * C;
      float* o = out + n * C;
      const float m = simd::sum(isa, x, C) / static_cast<float>(C);
      const float v = simd::sum_sq_dev(isa, x, m, C) / static_cast<float>(C);
      const float s = 1.0f / std::sqrt(v + eps);
      simd::norm_affine(isa, o, x, m, s, weight, bias, C);
      mean[n] = m;
      rstd[n] = s;
    }
  }, 4);
}

void layernorm_backward(float* d_inp, float* d_weight, float* d_bias, const float* d_out,
                        const float* inp, const float* weight, const float* mean, const float* rstd,
                        int N, int C, const KernelContext& ctx) {
  if (d_inp != nullptr) {
    parallel_for(ctx, N, [&](int64_t b, int64_t e, int) {
      for (int64_t n = b; n < e; ++n) {
        const float* dout = d_out + n * C;
        const float* x = inp + n * C;
        float* dx = d_inp + n * C;
        const float m = mean[n], s = rstd[n];
        // mean of dout*w and of dout*w*xhat over the row.
        float sum_dw = 0.0f, sum_dwx = 0.0f;
        for (int c = 0; c < C; ++c) {
          const float dn = dout[c] * weight[c];
          sum_dw += dn;
          sum_dwx += dn * (x[c] - m) * s;
        }
        const float mdw = sum_dw / static_cast<float>(C);
        const float mdwx = sum_dwx / static_cast<float>(C);
        for (int c = 0; c < C; ++c) {
          const float xhat = (x[c] - m) * s;
          dx[c] += (dout[c] * weight[c] - mdw - xhat * mdwx) * s;
        }
      }
    }, 4);
  }
  if (d_weight != nullptr || d_bias != nullptr) {
    // Column reductions over rows: split over channels, rows summed in order.
    parallel_for(ctx, C, [&](int64_t b, int64_t e, int) {
      for (int n = 0; n < N; ++n) {
        const float* dout = d_out + static_cast<size_t>(n) * C;
        const float* x = inp + static_cast<size_t>(n) * C;
        const float m = mean[n], s = rstd[n];
        for (int64_t c = b; c < e; ++c) {
          if (d_weight != nullptr) d_weight[c] += dout[c] * (x[c] - m) * s;
          if (d_bias != nullptr) d_bias[c] += dout[c];
        }
      }
    }, 16);
  }
}

}  // namespace marketlm::kernels
