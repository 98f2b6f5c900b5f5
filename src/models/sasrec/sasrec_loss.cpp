// SASRec losses (BCE with one negative, sampled softmax, full softmax) and
// inference scoring of the last position.
#include <algorithm>
#include <cmath>
#include <cstring>

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
  prepare(ws, batch.B, ws.with_dropout);
  forward(ws, batch.seq, dropout_rng, ctx);
  const int T = cfg_.maxlen, C = cfg_.d, V = cfg_.n_items;
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

void SasrecModel::score_last(const int32_t* seq, int B, float* out, const KernelContext& ctx,
                             std::vector<float>* last_att) const {
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
  if (last_att != nullptr) {
    const size_t n = static_cast<size_t>(B) * cfg_.n_heads * T * T;
    last_att->assign(ws.acts.back().att, ws.acts.back().att + n);
  }
}

}  // namespace marketlm::sasrec
