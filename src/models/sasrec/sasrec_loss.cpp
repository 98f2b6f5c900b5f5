// SASRec losses (BCE with one negative, sampled softmax, full softmax), on a
// padded batch or packed by length.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "marketlm/core/check.h"
#include "marketlm/kernels/classifier.h"
#include "marketlm/kernels/matmul.h"
#include "marketlm/models/sasrec/sasrec_model.h"

namespace marketlm::sasrec {

using namespace marketlm::kernels;

namespace {
inline double dot(const float* a, const float* b, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i) s += static_cast<double>(a[i]) * b[i];
  return s;
}
// log(1 + exp(x)) without overflow.
inline double softplus(double x) { return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)); }
inline double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
}  // namespace

LossSum SasrecModel::forward_backward(SasrecWorkspace& ws, const SasrecBatch& batch, SasrecLoss loss,
                                      float grad_scale, bool backward_on, Rng* dropout_rng,
                                      const KernelContext& ctx) {
  const int T = batch.T > 0 ? batch.T : cfg_.maxlen, C = cfg_.d, V = cfg_.n_items;
  ML_CHECK(T <= cfg_.maxlen);
  if (ws.buf.empty() || batch.B > ws.cap_B) prepare(ws, batch.B, ws.with_dropout);
  bind(ws, batch.B, T);
  forward(ws, batch.seq, dropout_rng, ctx);
  const size_t BT = static_cast<size_t>(batch.B) * T;
  const float* item = params_.data() + item_off_;
  float* gitem = grads_.data() + item_off_;
  if (backward_on) std::memset(ws.d_hidden, 0, BT * C * sizeof(float));
  LossSum out;
  if (loss == SasrecLoss::kFullSoftmax) {
    std::vector<int32_t> targets(BT);
    for (size_t r = 0; r < BT; ++r) targets[r] = batch.pos[r] == 0 ? -1 : batch.pos[r] - 1;
    const int chunk = 64;
    ws.cls_scratch.resize(static_cast<size_t>(classifier_scratch_floats(chunk, V)));
    ClassifierLoss cl = classifier_forward_backward(
        ws.lnf, item + C, targets.data(), static_cast<int>(BT), C, V, grad_scale,
        backward_on ? ws.d_hidden : nullptr, backward_on ? gitem + C : nullptr, nullptr, ws.cls_scratch.data(),
        chunk, ctx);
    out.sum = cl.sum;
    out.count = cl.count;
  } else {
    const int k = loss == SasrecLoss::kBce ? 1 : batch.k;
    std::vector<double> logit(static_cast<size_t>(k) + 1), dl(static_cast<size_t>(k) + 1);
    std::vector<int32_t> cand(static_cast<size_t>(k) + 1);
    for (size_t r = 0; r < BT; ++r) {
      if (batch.pos[r] == 0) continue;
      const float* f = ws.lnf + r * C;
      cand[0] = batch.pos[r];
      for (int j = 0; j < k; ++j) cand[static_cast<size_t>(j) + 1] = batch.neg[r * static_cast<size_t>(k) + j];
      for (size_t j = 0; j <= static_cast<size_t>(k); ++j) {
        logit[j] = dot(f, item + static_cast<size_t>(cand[j]) * C, C);
      }
      if (loss == SasrecLoss::kBce) {
        out.sum += softplus(-logit[0]) + softplus(logit[1]);
        dl[0] = sigmoid(logit[0]) - 1.0;
        dl[1] = sigmoid(logit[1]);
      } else {
        const double m = *std::max_element(logit.begin(), logit.end());
        double z = 0;
        for (double v : logit) z += std::exp(v - m);
        out.sum += m + std::log(z) - logit[0];
        for (size_t j = 0; j < logit.size(); ++j) dl[j] = std::exp(logit[j] - m) / z - (j == 0 ? 1.0 : 0.0);
      }
      ++out.count;
      if (!backward_on) continue;
      float* df = ws.d_hidden + r * C;
      for (size_t j = 0; j < cand.size(); ++j) {
        const float gj = static_cast<float>(dl[j]) * grad_scale;
        const float* e = item + static_cast<size_t>(cand[j]) * C;
        float* ge = gitem + static_cast<size_t>(cand[j]) * C;
        for (int c = 0; c < C; ++c) {
          df[c] += gj * e[c];
          ge[c] += gj * f[c];
        }
      }
    }
  }
  if (backward_on) backward(ws, batch.seq, dropout_rng != nullptr && ws.with_dropout, ctx);
  return out;
}

LossSum SasrecModel::forward_backward_packed(SasrecWorkspace& ws, const SasrecBatch& batch, SasrecLoss loss,
                                             float grad_scale, bool backward_on, Rng* dropout_rng,
                                             const KernelContext& ctx) {
  const int T = cfg_.maxlen;
  ML_CHECK(batch.T == 0 || batch.T == T);
  const int k = loss == SasrecLoss::kFullSoftmax ? 0 : (loss == SasrecLoss::kBce ? 1 : batch.k);
  if (ws.buf.empty() || batch.B > ws.cap_B) prepare(ws, batch.B, ws.with_dropout);
  const std::vector<Group> groups = group_rows(batch.seq, batch.B, &ws.order);
  LossSum total;
  for (const Group& g : groups) {
    const int Bg = g.end - g.begin, Tg = g.T, off = T - Tg;
    ws.gseq.resize(static_cast<size_t>(Bg) * Tg);
    ws.gpos.resize(ws.gseq.size());
    ws.gneg.resize(ws.gseq.size() * static_cast<size_t>(std::max(k, 1)));
    for (int i = 0; i < Bg; ++i) {
      const size_t src = static_cast<size_t>(ws.order[static_cast<size_t>(g.begin + i)]) * T + off;
      const size_t dst = static_cast<size_t>(i) * Tg;
      std::copy_n(batch.seq + src, Tg, ws.gseq.begin() + static_cast<long>(dst));
      std::copy_n(batch.pos + src, Tg, ws.gpos.begin() + static_cast<long>(dst));
      if (k > 0) {
        std::copy_n(batch.neg + src * k, static_cast<size_t>(Tg) * k, ws.gneg.begin() + static_cast<long>(dst * k));
      }
    }
    SasrecBatch sub{ws.gseq.data(), ws.gpos.data(), ws.gneg.data(), Bg, batch.k, Tg};
    const LossSum ls = forward_backward(ws, sub, loss, grad_scale, backward_on, dropout_rng, ctx);
    total.sum += ls.sum;
    total.count += ls.count;
  }
  return total;
}

}  // namespace marketlm::sasrec
