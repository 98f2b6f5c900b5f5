// SASRec inference: scores of the last position without the padding and with
// the last block run for the final query row only; row grouping by length
// (shared with the packed training step); the padded reference.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "marketlm/kernels/layernorm.h"
#include "marketlm/kernels/matmul.h"
#include "marketlm/models/sasrec/sasrec_model.h"
#include "marketlm/nn/padded_attention.h"

namespace marketlm::sasrec {

using namespace marketlm::kernels;

namespace {
// First real (non-zero) position of a left-padded window; T when empty.
int first_real(const int32_t* w, int T) {
  int s = 0;
  while (s < T && w[s] == 0) ++s;
  return s;
}
}  // namespace

std::vector<SasrecModel::Group> SasrecModel::group_rows(const int32_t* seq, int B,
                                                        std::vector<int32_t>* order) const {
  const int T = cfg_.maxlen;
  std::vector<int> len(static_cast<size_t>(B));
  for (int b = 0; b < B; ++b) len[static_cast<size_t>(b)] = std::max(1, T - first_real(seq + static_cast<size_t>(b) * T, T));
  order->resize(static_cast<size_t>(B));
  std::iota(order->begin(), order->end(), 0);
  std::stable_sort(order->begin(), order->end(),
                   [&len](int32_t a, int32_t b) { return len[static_cast<size_t>(a)] > len[static_cast<size_t>(b)]; });
  // A group keeps rows at least 3/4 as long as its first (longest) row, so
  // at most a quarter of its positions are padding.
  std::vector<Group> groups;
  for (int i = 0; i < B;) {
    const int Tg = len[static_cast<size_t>((*order)[static_cast<size_t>(i)])];
    int j = i + 1;
    while (j < B && 4 * len[static_cast<size_t>((*order)[static_cast<size_t>(j)])] >= 3 * Tg) ++j;
    groups.push_back(Group{i, j, Tg});
    i = j;
  }
  return groups;
}

void SasrecModel::forward_last(SasrecWorkspace& ws, const int32_t* seq, float* last, float* att,
                               const KernelContext& ctx) const {
  const int B = ws.B, T = ws.T, C = cfg_.d, NH = cfg_.n_heads, t_off = cfg_.maxlen - T;
  for (int b = 0; b < B; ++b) ws.key_start[static_cast<size_t>(b)] = first_real(seq + static_cast<size_t>(b) * T, T);
  const nn::BlockDims d = dims(B, T, ws.key_start.data());
  const float scale = std::sqrt(static_cast<float>(C));
  const float* item = params_.data() + item_off_;
  const float* pos = params_.data() + pos_off_;
  for (size_t r = 0; r < d.BT(); ++r) {
    float* x = ws.emb_out + r * C;
    const int32_t id = seq[r];
    if (id == 0) {
      std::fill(x, x + C, 0.0f);
      continue;
    }
    const float* e = item + static_cast<size_t>(id) * C;
    const float* pe = pos + static_cast<size_t>(static_cast<int>(r % static_cast<size_t>(T)) + t_off) * C;
    for (int c = 0; c < C; ++c) x[c] = e[c] * scale + pe[c];
  }
  const nn::DropoutRates none;
  const float* x = ws.emb_out;
  for (int l = 0; l + 1 < cfg_.n_blocks; ++l) {
    nn::BlockActs& a = ws.acts[static_cast<size_t>(l)];
    const nn::BlockWeights w = nn::block_weights_at(params_.data() + block_off_ + l * block_size_, C, C);
    nn::block_forward(x, a, w, d, none, nullptr, ctx);
    for (size_t r = 0; r < d.BT(); ++r) {
      if (seq[r] == 0) std::memset(a.out + r * C, 0, static_cast<size_t>(C) * sizeof(float));
    }
    x = a.out;
  }
  // Last block: keys and values of every position, everything else for the
  // final query row only.
  nn::BlockActs& a = ws.acts.back();
  const nn::BlockWeights w =
      nn::block_weights_at(params_.data() + block_off_ + static_cast<size_t>(cfg_.n_blocks - 1) * block_size_, C, C);
  const int N = B * T;
  layernorm_forward(a.ln1, a.ln1_mean, a.ln1_rstd, x, w.ln1_w, w.ln1_b, N, C, cfg_.ln_eps, ctx);
  matmul_forward(a.qkv, a.ln1, w.qkv_w, w.qkv_b, N, C, 3 * C, ctx);
  // Rows of [B, C] reuse the (larger) activation buffers of this block.
  float* y = a.atty;
  float* proj = a.attproj;
  float* res = a.res2;
  float* h = a.fch;
  float* hr = a.fch_gelu;
  float* out = a.out;
  nn::padded_attention_last_forward(y, att, a.qkv, ws.key_start.data(), B, T, C, NH, ctx);
  matmul_forward(proj, y, w.attproj_w, w.attproj_b, B, C, C, ctx);
  for (int b = 0; b < B; ++b) {
    const float* xr = x + (static_cast<size_t>(b) * T + T - 1) * C;
    for (int c = 0; c < C; ++c) res[static_cast<size_t>(b) * C + c] = xr[c] + proj[static_cast<size_t>(b) * C + c];
  }
  layernorm_forward(a.ln2, a.ln2_mean, a.ln2_rstd, res, w.ln2_w, w.ln2_b, B, C, cfg_.ln_eps, ctx);
  matmul_forward(h, a.ln2, w.fc_w, w.fc_b, B, C, C, ctx);
  for (size_t i = 0; i < static_cast<size_t>(B) * C; ++i) hr[i] = h[i] > 0.0f ? h[i] : 0.0f;
  matmul_forward(proj, hr, w.fcproj_w, w.fcproj_b, B, C, C, ctx);
  for (int b = 0; b < B; ++b) {
    const bool pad = seq[static_cast<size_t>(b) * T + T - 1] == 0;
    for (int c = 0; c < C; ++c) {
      const size_t i = static_cast<size_t>(b) * C + c;
      out[i] = pad ? 0.0f : res[i] + proj[i];
    }
  }
  layernorm_forward(last, ws.lnf_mean, ws.lnf_rstd, out, params_.data() + lnf_off_, params_.data() + lnf_off_ + C, B,
                    C, cfg_.ln_eps, ctx);
}

void SasrecModel::score_last(const int32_t* seq, int B, float* out, const KernelContext& ctx,
                             std::vector<float>* last_att) const {
  const int T = cfg_.maxlen, C = cfg_.d, V = cfg_.n_items, NH = cfg_.n_heads;
  SasrecWorkspace ws;
  prepare(ws, B, false);
  std::vector<int32_t> order;
  const std::vector<Group> groups = group_rows(seq, B, &order);
  std::vector<float> last(static_cast<size_t>(B) * C), glast(static_cast<size_t>(B) * C);
  std::vector<float> gatt(static_cast<size_t>(B) * NH * T);
  if (last_att != nullptr) last_att->assign(static_cast<size_t>(B) * NH * T, 0.0f);
  std::vector<int32_t> gseq;
  for (const Group& g : groups) {
    const int Bg = g.end - g.begin, Tg = g.T, off = T - Tg;
    gseq.resize(static_cast<size_t>(Bg) * Tg);
    for (int i = 0; i < Bg; ++i) {
      const int32_t* src = seq + static_cast<size_t>(order[static_cast<size_t>(g.begin + i)]) * T + off;
      std::copy_n(src, Tg, gseq.begin() + static_cast<long>(i) * Tg);
    }
    bind(ws, Bg, Tg);
    forward_last(ws, gseq.data(), glast.data(), gatt.data(), ctx);
    for (int i = 0; i < Bg; ++i) {
      const size_t b = static_cast<size_t>(order[static_cast<size_t>(g.begin + i)]);
      std::copy_n(glast.data() + static_cast<size_t>(i) * C, C, last.data() + b * C);
      if (last_att == nullptr) continue;
      for (int hh = 0; hh < NH; ++hh) {
        std::copy_n(gatt.data() + (static_cast<size_t>(i) * NH + hh) * Tg, Tg,
                    last_att->data() + (b * NH + hh) * T + off);
      }
    }
  }
  matmul_nt_forward(out, last.data(), params_.data() + item_off_ + C, B, C, V, ctx);
}

void SasrecModel::score_last_padded(const int32_t* seq, int B, float* out, const KernelContext& ctx) const {
  SasrecWorkspace ws;
  prepare(ws, B, false);
  forward(ws, seq, nullptr, ctx);
  const int T = cfg_.maxlen, C = cfg_.d, V = cfg_.n_items;
  std::vector<float> last(static_cast<size_t>(B) * C);
  for (int b = 0; b < B; ++b) {
    std::memcpy(last.data() + static_cast<size_t>(b) * C, ws.lnf + (static_cast<size_t>(b) * T + T - 1) * C,
                static_cast<size_t>(C) * sizeof(float));
  }
  matmul_nt_forward(out, last.data(), params_.data() + item_off_ + C, B, C, V, ctx);
}

}  // namespace marketlm::sasrec
