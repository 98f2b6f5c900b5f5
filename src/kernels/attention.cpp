#include "marketlm/kernels/attention.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/simd.h"

namespace marketlm::kernels {

void attention_forward(float* out, float* att, const float* qkv, const float* dropout_mask, int B, int T,
                       int C, int NH, const KernelContext& ctx) {
  const int HS = C / NH;
  const float scale = 1.0f / std::sqrt(static_cast<float>(HS));
  const int64_t C3 = 3 * static_cast<int64_t>(C);
  parallel_for(ctx, static_cast<int64_t>(B) * NH, [&](int64_t begin, int64_t end, int) {
    std::vector<float> used(static_cast<size_t>(T));
    for (int64_t bh = begin; bh < end; ++bh) {
      const int64_t b = bh / NH;
      const int h = static_cast<int>(bh % NH);
      const float* base = qkv + b * T * C3;
      for (int t = 0; t < T; ++t) {
        const float* q = base + t * C3 + h * HS;
        float* row = att + (bh * T + t) * T;
        for (int t2 = 0; t2 <= t; ++t2)
          row[t2] = simd::dot(ctx.isa, q, base + t2 * C3 + C + h * HS, HS) * scale;
        const float m = simd::max(ctx.isa, row, t + 1);
        const float s = simd::exp_sub_sum(ctx.isa, row, row, m, t + 1);
        simd::scale(ctx.isa, row, 1.0f / s, t + 1);
        std::fill(row + t + 1, row + T, 0.0f);
        const float* p = row;
        if (dropout_mask != nullptr) {
          simd::mul(ctx.isa, used.data(), row, dropout_mask + (bh * T + t) * T, t + 1);
          p = used.data();
        }
        float* o = out + (b * T + t) * C + h * HS;
        std::fill(o, o + HS, 0.0f);
        for (int t2 = 0; t2 <= t; ++t2) simd::axpy(ctx.isa, o, p[t2], base + t2 * C3 + 2 * C + h * HS, HS);
      }
    }
  }, 1);
}

void attention_backward(float* d_qkv, const float* d_out, const float* qkv, const float* att,
                        const float* dropout_mask, int B, int T, int C, int NH, const KernelContext& ctx) {
  const int HS = C / NH;
  const float scale = 1.0f / std::sqrt(static_cast<float>(HS));
  const int64_t C3 = 3 * static_cast<int64_t>(C);
  parallel_for(ctx, static_cast<int64_t>(B) * NH, [&](int64_t begin, int64_t end, int) {
    std::vector<float> da(static_cast<size_t>(T));
    for (int64_t bh = begin; bh < end; ++bh) {
      const int64_t b = bh / NH;
      const int h = static_cast<int>(bh % NH);
      const float* base = qkv + b * T * C3;
      float* dbase = d_qkv + b * T * C3;
      for (int t = 0; t < T; ++t) {
        const float* p = att + (bh * T + t) * T;
        const float* mk = dropout_mask != nullptr ? dropout_mask + (bh * T + t) * T : nullptr;
        const float* g = d_out + (b * T + t) * C + h * HS;
        for (int t2 = 0; t2 <= t; ++t2) {
          const float keep = mk != nullptr ? mk[t2] : 1.0f;
          // through v: d_v[t2] += p_used * g; through the probabilities: da.
          simd::axpy(ctx.isa, dbase + t2 * C3 + 2 * C + h * HS, p[t2] * keep, g, HS);
          da[t2] = simd::dot(ctx.isa, g, base + t2 * C3 + 2 * C + h * HS, HS) * keep;
        }
        // softmax backward: d_pre = p * (da - <p, da>)
        const float pda = simd::dot(ctx.isa, p, da.data(), t + 1);
        const float* q = base + t * C3 + h * HS;
        float* dq = dbase + t * C3 + h * HS;
        for (int t2 = 0; t2 <= t; ++t2) {
          const float dpre = p[t2] * (da[t2] - pda) * scale;
          simd::axpy(ctx.isa, dq, dpre, base + t2 * C3 + C + h * HS, HS);
          simd::axpy(ctx.isa, dbase + t2 * C3 + C + h * HS, dpre, q, HS);
        }
      }
    }
  }, 1);
}

void attention_cached_forward(float* out, const float* q, int ld_q, const float* k_cache,
                              const float* v_cache, int Tq, int T_total, int C, int NH,
                              const KernelContext& ctx) {
  const int HS = C / NH;
  const float scale = 1.0f / std::sqrt(static_cast<float>(HS));
  parallel_for(ctx, static_cast<int64_t>(Tq) * NH, [&](int64_t begin, int64_t end, int) {
    std::vector<float> row(static_cast<size_t>(T_total));
    for (int64_t ih = begin; ih < end; ++ih) {
      const int i = static_cast<int>(ih / NH);
      const int h = static_cast<int>(ih % NH);
      const int pos = T_total - Tq + i;
      const float* qi = q + static_cast<int64_t>(i) * ld_q + h * HS;
      for (int t2 = 0; t2 <= pos; ++t2)
        row[t2] = simd::dot(ctx.isa, qi, k_cache + static_cast<int64_t>(t2) * C + h * HS, HS) * scale;
      const float m = simd::max(ctx.isa, row.data(), pos + 1);
      const float s = simd::exp_sub_sum(ctx.isa, row.data(), row.data(), m, pos + 1);
      simd::scale(ctx.isa, row.data(), 1.0f / s, pos + 1);
      float* o = out + static_cast<int64_t>(i) * C + h * HS;
      std::fill(o, o + HS, 0.0f);
      for (int t2 = 0; t2 <= pos; ++t2)
        simd::axpy(ctx.isa, o, row[t2], v_cache + static_cast<int64_t>(t2) * C + h * HS, HS);
    }
  }, 1);
}

}  // namespace marketlm::kernels
