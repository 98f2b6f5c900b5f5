#include "marketlm/nn/transformer_block.h"

#include <algorithm>
#include <cstring>

#include "marketlm/kernels/attention.h"
#include "marketlm/kernels/elementwise.h"
#include "marketlm/kernels/layernorm.h"
#include "marketlm/kernels/matmul.h"
#include "marketlm/nn/padded_attention.h"

namespace marketlm::nn {

using namespace marketlm::kernels;

namespace {
void relu_forward(float* out, const float* inp, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = inp[i] > 0.0f ? inp[i] : 0.0f;
}
// d_inp += d_out where inp > 0.
void relu_backward(float* d_inp, const float* inp, const float* d_out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) d_inp[i] += inp[i] > 0.0f ? d_out[i] : 0.0f;
}
}  // namespace

void block_param_sizes(int C, size_t s[12], int H) {
  const size_t c = static_cast<size_t>(C);
  const size_t h = H > 0 ? static_cast<size_t>(H) : 4 * c;
  const size_t v[12] = {c, c, c * 3 * c, 3 * c, c * c, c, c, c, c * h, h, h * c, c};
  std::copy(v, v + 12, s);
}

template <typename P, typename Base>
BlockTensors<P> tensors_at(Base base, int C, int H) {
  size_t s[12];
  block_param_sizes(C, s, H);
  P p[12];
  size_t off = 0;
  for (int i = 0; i < 12; ++i) {
    p[i] = base + off;
    off += s[i];
  }
  return {p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11]};
}

BlockWeights block_weights_at(const float* base, int C, int H) { return tensors_at<const float*>(base, C, H); }
BlockGrads block_grads_at(float* base, int C, int H) { return tensors_at<float*>(base, C, H); }

size_t block_act_floats(const BlockDims& d, bool with_dropout) {
  const size_t btc = d.BTC(), bt = d.BT(), bth = d.BTH();
  // ln1, atty, attproj, res2, ln2, fcproj, out: btc; qkv 3 btc; fch, fch_gelu bth each.
  size_t n = 10 * btc + 2 * bth + 4 * bt + d.att();
  if (with_dropout) n += d.att() + 2 * btc + (d.hidden_dropout ? bth : 0);
  return n;
}

BlockActs bind_block_acts(float* base, const BlockDims& d, bool with_dropout) {
  const size_t btc = d.BTC(), bt = d.BT();
  float* p = base;
  auto take = [&p](size_t n) {
    float* r = p;
    p += n;
    return r;
  };
  BlockActs a{};
  a.ln1 = take(btc);
  a.ln1_mean = take(bt);
  a.ln1_rstd = take(bt);
  a.qkv = take(3 * btc);
  a.att = take(d.att());
  a.atty = take(btc);
  a.attproj = take(btc);
  a.res2 = take(btc);
  a.ln2 = take(btc);
  a.ln2_mean = take(bt);
  a.ln2_rstd = take(bt);
  a.fch = take(d.BTH());
  a.fch_gelu = take(d.BTH());
  a.fcproj = take(btc);
  a.out = take(btc);
  if (with_dropout) {
    a.att_mask = take(d.att());
    a.resid1_mask = take(btc);
    a.resid2_mask = take(btc);
    if (d.hidden_dropout) a.hidden_mask = take(d.BTH());
  }
  return a;
}

// d_a, d_b, d_res2: btc; d_qkv: 3 btc; d_fch, d_fch_gelu: bth each.
size_t block_scratch_floats(const BlockDims& d) { return 6 * d.BTC() + 2 * d.BTH(); }

BlockScratch bind_block_scratch(float* base, const BlockDims& d) {
  const size_t btc = d.BTC();
  BlockScratch s{};
  s.d_a = base;
  s.d_b = s.d_a + btc;
  s.d_res2 = s.d_b + btc;
  s.d_qkv = s.d_res2 + btc;
  s.d_fch = s.d_qkv + 3 * btc;
  s.d_fch_gelu = s.d_fch + d.BTH();
  return s;
}

void block_forward(const float* x, BlockActs& a, const BlockWeights& w, const BlockDims& d,
                   const DropoutRates& p, Rng* rng, const KernelContext& ctx) {
  const int N = d.B * d.T, C = d.C;
  const bool att_drop = rng != nullptr && a.att_mask != nullptr && p.attn > 0.0f;
  const bool res_drop = rng != nullptr && a.resid1_mask != nullptr && p.resid > 0.0f;
  layernorm_forward(a.ln1, a.ln1_mean, a.ln1_rstd, x, w.ln1_w, w.ln1_b, N, C, d.ln_eps, ctx);
  matmul_forward(a.qkv, a.ln1, w.qkv_w, w.qkv_b, N, C, 3 * C, ctx);
  if (att_drop) dropout_mask(a.att_mask, static_cast<int64_t>(d.att()), p.attn, rng);
  if (d.key_start != nullptr) {
    padded_attention_forward(a.atty, a.att, a.qkv, att_drop ? a.att_mask : nullptr, d.key_start, d.B, d.T, C,
                             d.NH, ctx);
  } else {
    attention_forward(a.atty, a.att, a.qkv, att_drop ? a.att_mask : nullptr, d.B, d.T, C, d.NH, ctx);
  }
  matmul_forward(a.attproj, a.atty, w.attproj_w, w.attproj_b, N, C, C, ctx);
  if (res_drop) {
    dropout_mask(a.resid1_mask, static_cast<int64_t>(d.BTC()), p.resid, rng);
    dropout_forward(a.attproj, a.attproj, a.resid1_mask, static_cast<int64_t>(d.BTC()), ctx);
  }
  residual_forward(a.res2, x, a.attproj, static_cast<int64_t>(d.BTC()), ctx);
  layernorm_forward(a.ln2, a.ln2_mean, a.ln2_rstd, a.res2, w.ln2_w, w.ln2_b, N, C, d.ln_eps, ctx);
  const int H = d.H();
  const int64_t bth = static_cast<int64_t>(d.BTH());
  matmul_forward(a.fch, a.ln2, w.fc_w, w.fc_b, N, C, H, ctx);
  if (d.relu) {
    relu_forward(a.fch_gelu, a.fch, bth);
  } else {
    gelu_forward(a.fch_gelu, a.fch, bth, ctx);
  }
  if (rng != nullptr && a.hidden_mask != nullptr && p.resid > 0.0f) {
    dropout_mask(a.hidden_mask, bth, p.resid, rng);
    dropout_forward(a.fch_gelu, a.fch_gelu, a.hidden_mask, bth, ctx);
  }
  matmul_forward(a.fcproj, a.fch_gelu, w.fcproj_w, w.fcproj_b, N, H, C, ctx);
  if (res_drop) {
    dropout_mask(a.resid2_mask, static_cast<int64_t>(d.BTC()), p.resid, rng);
    dropout_forward(a.fcproj, a.fcproj, a.resid2_mask, static_cast<int64_t>(d.BTC()), ctx);
  }
  residual_forward(a.out, a.res2, a.fcproj, static_cast<int64_t>(d.BTC()), ctx);
}

void block_backward(float* d_x, const float* d_out, const float* x, const BlockActs& a, const BlockWeights& w,
                    const BlockGrads& g, const BlockScratch& s, const BlockDims& d, bool dropout_on,
                    const KernelContext& ctx) {
  const int N = d.B * d.T, C = d.C;
  const int64_t btc = static_cast<int64_t>(d.BTC());
  auto zero = [](float* p, int64_t n) { std::memset(p, 0, static_cast<size_t>(n) * sizeof(float)); };
  const bool res_drop = dropout_on && a.resid1_mask != nullptr;
  const bool att_drop = dropout_on && a.att_mask != nullptr;

  // MLP branch: out = res2 + drop(fcproj)
  const float* d_fcproj = d_out;
  if (res_drop) {
    zero(s.d_a, btc);
    dropout_backward(s.d_a, d_out, a.resid2_mask, btc, ctx);
    d_fcproj = s.d_a;
  }
  const int H = d.H();
  const int64_t bth = static_cast<int64_t>(d.BTH());
  zero(s.d_fch_gelu, bth);
  matmul_backward(s.d_fch_gelu, g.fcproj_w, g.fcproj_b, d_fcproj, a.fch_gelu, w.fcproj_w, N, H, C, ctx);
  if (dropout_on && a.hidden_mask != nullptr) {
    for (int64_t i = 0; i < bth; ++i) s.d_fch_gelu[i] *= a.hidden_mask[i];
  }
  zero(s.d_fch, bth);
  if (d.relu) {
    relu_backward(s.d_fch, a.fch, s.d_fch_gelu, bth);
  } else {
    gelu_backward(s.d_fch, a.fch, s.d_fch_gelu, bth, ctx);
  }
  zero(s.d_b, btc);
  matmul_backward(s.d_b, g.fc_w, g.fc_b, s.d_fch, a.ln2, w.fc_w, N, C, H, ctx);
  std::memcpy(s.d_res2, d_out, static_cast<size_t>(btc) * sizeof(float));
  layernorm_backward(s.d_res2, g.ln2_w, g.ln2_b, s.d_b, a.res2, w.ln2_w, a.ln2_mean, a.ln2_rstd, N, C, ctx);

  // Attention branch: res2 = x + drop(attproj)
  const float* d_attproj = s.d_res2;
  if (res_drop) {
    zero(s.d_a, btc);
    dropout_backward(s.d_a, s.d_res2, a.resid1_mask, btc, ctx);
    d_attproj = s.d_a;
  }
  zero(s.d_b, btc);
  matmul_backward(s.d_b, g.attproj_w, g.attproj_b, d_attproj, a.atty, w.attproj_w, N, C, C, ctx);
  zero(s.d_qkv, 3 * btc);
  if (d.key_start != nullptr) {
    padded_attention_backward(s.d_qkv, s.d_b, a.qkv, a.att, att_drop ? a.att_mask : nullptr, d.key_start, d.B,
                              d.T, C, d.NH, ctx);
  } else {
    attention_backward(s.d_qkv, s.d_b, a.qkv, a.att, att_drop ? a.att_mask : nullptr, d.B, d.T, C, d.NH, ctx);
  }
  zero(s.d_a, btc);
  matmul_backward(s.d_a, g.qkv_w, g.qkv_b, s.d_qkv, a.ln1, w.qkv_w, N, C, 3 * C, ctx);
  layernorm_backward(d_x, g.ln1_w, g.ln1_b, s.d_a, x, w.ln1_w, a.ln1_mean, a.ln1_rstd, N, C, ctx);
  residual_backward(d_x, nullptr, s.d_res2, btc, ctx);
}

}  // namespace marketlm::nn
