#include "marketlm/nn/padded_attention.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace marketlm::nn {

namespace {
// Keys query t may see: [lo, t].
inline int first_key(const int32_t* key_start, int64_t b, int t) {
  const int s = key_start[b];
  return t < s ? t : s;
}
}  // namespace

void padded_attention_forward(float* out, float* att, const float* qkv, const float* dropout_mask,
                              const int32_t* key_start, int B, int T, int C, int NH,
                              const kernels::KernelContext& ctx) {
  const int HS = C / NH;
  const float scale = 1.0f / std::sqrt(static_cast<float>(HS));
  const int64_t C3 = 3 * static_cast<int64_t>(C);
  kernels::parallel_for(ctx, static_cast<int64_t>(B) * NH, [&](int64_t begin, int64_t end, int) {
    for (int64_t bh = begin; bh < end; ++bh) {
      const int64_t b = bh / NH;
      const int h = static_cast<int>(bh % NH);
      const float* base = qkv + b * T * C3;
      for (int t = 0; t < T; ++t) {
        const int lo = first_key(key_start, b, t);
        const float* q = base + t * C3 + h * HS;
        float* row = att + (bh * T + t) * T;
        std::fill(row, row + T, 0.0f);
        float m = -INFINITY;
        for (int s = lo; s <= t; ++s) {
          const float* k = base + s * C3 + C + h * HS;
          float dot = 0.0f;
          for (int i = 0; i < HS; ++i) dot += q[i] * k[i];
          row[s] = dot * scale;
          m = std::max(m, row[s]);
        }
        float sum = 0.0f;
        for (int s = lo; s <= t; ++s) {
          row[s] = std::exp(row[s] - m);
          sum += row[s];
        }
        for (int s = lo; s <= t; ++s) row[s] /= sum;
        const float* mk = dropout_mask != nullptr ? dropout_mask + (bh * T + t) * T : nullptr;
        float* o = out + (b * T + t) * C + h * HS;
        std::fill(o, o + HS, 0.0f);
        for (int s = lo; s <= t; ++s) {
          const float p = mk != nullptr ? row[s] * mk[s] : row[s];
          const float* v = base + s * C3 + 2 * C + h * HS;
          for (int i = 0; i < HS; ++i) o[i] += p * v[i];
        }
      }
    }
  }, 1);
}

void padded_attention_backward(float* d_qkv, const float* d_out, const float* qkv, const float* att,
                               const float* dropout_mask, const int32_t* key_start, int B, int T, int C, int NH,
                               const kernels::KernelContext& ctx) {
  const int HS = C / NH;
  const float scale = 1.0f / std::sqrt(static_cast<float>(HS));
  const int64_t C3 = 3 * static_cast<int64_t>(C);
  kernels::parallel_for(ctx, static_cast<int64_t>(B) * NH, [&](int64_t begin, int64_t end, int) {
    std::vector<float> da(static_cast<size_t>(T));
    for (int64_t bh = begin; bh < end; ++bh) {
      const int64_t b = bh / NH;
      const int h = static_cast<int>(bh % NH);
      const float* base = qkv + b * T * C3;
      float* dbase = d_qkv + b * T * C3;
      for (int t = 0; t < T; ++t) {
        const int lo = first_key(key_start, b, t);
        const float* p = att + (bh * T + t) * T;
        const float* mk = dropout_mask != nullptr ? dropout_mask + (bh * T + t) * T : nullptr;
        const float* g = d_out + (b * T + t) * C + h * HS;
        float pda = 0.0f;
        for (int s = lo; s <= t; ++s) {
          const float keep = mk != nullptr ? mk[s] : 1.0f;
          const float* v = base + s * C3 + 2 * C + h * HS;
          float* dv = dbase + s * C3 + 2 * C + h * HS;
          float dot = 0.0f;
          for (int i = 0; i < HS; ++i) {
            dv[i] += p[s] * keep * g[i];
            dot += g[i] * v[i];
          }
          da[static_cast<size_t>(s)] = dot * keep;
          pda += p[s] * da[static_cast<size_t>(s)];
        }
        const float* q = base + t * C3 + h * HS;
        float* dq = dbase + t * C3 + h * HS;
        for (int s = lo; s <= t; ++s) {
          const float dpre = p[s] * (da[static_cast<size_t>(s)] - pda) * scale;
          const float* k = base + s * C3 + C + h * HS;
          float* dk = dbase + s * C3 + C + h * HS;
          for (int i = 0; i < HS; ++i) {
            dq[i] += dpre * k[i];
            dk[i] += dpre * q[i];
          }
        }
      }
    }
  }, 1);
}

}  // namespace marketlm::nn
