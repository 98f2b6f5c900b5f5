// Small but complete models implementing TrainableModel, for testing the
// trainer without the GPT model: analytic gradients, real dropout.
#pragma once

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "marketlm/core/aligned_buffer.h"
#include "marketlm/core/file_io.h"
#include "marketlm/nn/trainable.h"

namespace marketlm::testing {

// Bigram language model: logits(next | prev) = drop * W[prev] + b, where drop
// is inverted dropout on the one-hot input (0 or 1/(1-p)). W decays, b not.
class BigramModel : public TrainableModel {
 public:
  BigramModel(int vocab, float dropout, uint64_t init_seed) : V_(vocab), p_drop_(dropout) {
    specs_.push_back({"wte.weight", {V_, V_}, 0, static_cast<size_t>(V_) * V_, true});
    specs_.push_back({"bias", {V_}, static_cast<size_t>(V_) * V_, static_cast<size_t>(V_), false});
    n_ = static_cast<size_t>(V_) * V_ + V_;
    params_.resize(n_);
    grads_.resize(n_);
    Rng rng(init_seed);
    for (size_t i = 0; i < n_; ++i) params_[i] = static_cast<float>(0.02 * rng.normal());
  }

  const std::vector<ParamSpec>& param_specs() const override { return specs_; }
  size_t num_params() const override { return n_; }
  float* params() override { return params_.data(); }
  float* grads() override { return grads_.data(); }

  LossSum forward_backward(const TokenBatch& b, float grad_scale, Rng* rng) override {
    return run(b, grad_scale, rng, true);
  }
  LossSum forward_loss(const TokenBatch& b) override { return run(b, 0, nullptr, false); }

  Status save(const std::string& dir) const {
    return write_file_atomic(dir + "/params.bin",
                             std::string_view(reinterpret_cast<const char*>(params_.data()), n_ * sizeof(float)));
  }
  Status load(const std::string& dir) {
    ML_ASSIGN_OR_RETURN(std::string s, read_file(dir + "/params.bin"));
    if (s.size() != n_ * sizeof(float)) return data_error("params.bin has the wrong size");
    std::memcpy(params_.data(), s.data(), s.size());
    return Status::ok();
  }

 private:
  LossSum run(const TokenBatch& b, float grad_scale, Rng* rng, bool train) {
    LossSum out;
    std::vector<float> logits(static_cast<size_t>(V_));
    const float* W = params_.data();
    const float* bias = W + static_cast<size_t>(V_) * V_;
    float* dW = grads_.data();
    float* db = dW + static_cast<size_t>(V_) * V_;
    for (int i = 0; i < b.B * b.T; ++i) {
      const int32_t tgt = b.targets[i];
      if (tgt < 0) continue;
      const int32_t prev = b.inputs[i];
      float drop = 1.0f;
      if (train && p_drop_ > 0) drop = rng->uniform_f32() < p_drop_ ? 0.0f : 1.0f / (1.0f - p_drop_);
      const float* row = W + static_cast<size_t>(prev) * V_;
      float mx = -std::numeric_limits<float>::infinity();
      for (int v = 0; v < V_; ++v) {
        logits[v] = drop * row[v] + bias[v];
        mx = std::max(mx, logits[v]);
      }
      double z = 0;
      for (int v = 0; v < V_; ++v) z += std::exp(static_cast<double>(logits[v] - mx));
      const double logp = static_cast<double>(logits[tgt] - mx) - std::log(z);
      out.sum += -logp;
      ++out.count;
      if (!train) continue;
      float* drow = dW + static_cast<size_t>(prev) * V_;
      for (int v = 0; v < V_; ++v) {
        const double pv = std::exp(static_cast<double>(logits[v] - mx)) / z;
        const float d = grad_scale * static_cast<float>(pv - (v == tgt ? 1.0 : 0.0));
        drow[v] += drop * d;
        db[v] += d;
      }
    }
    return out;
  }

  int V_;
  float p_drop_;
  size_t n_;
  std::vector<ParamSpec> specs_;
  AlignedBuffer<float> params_, grads_;
};

// Wraps a model and makes its training loss NaN from the `nan_call`-th
// forward_backward call on (1-based), as a diverging model would.
class NanAfterModel : public TrainableModel {
 public:
  NanAfterModel(TrainableModel* inner, int nan_call) : inner_(inner), nan_call_(nan_call) {}
  const std::vector<ParamSpec>& param_specs() const override { return inner_->param_specs(); }
  size_t num_params() const override { return inner_->num_params(); }
  float* params() override { return inner_->params(); }
  float* grads() override { return inner_->grads(); }
  LossSum forward_backward(const TokenBatch& b, float s, Rng* rng) override {
    LossSum l = inner_->forward_backward(b, s, rng);
    if (++calls_ >= nan_call_) l.sum = std::nan("");
    return l;
  }
  LossSum forward_loss(const TokenBatch& b) override { return inner_->forward_loss(b); }

 private:
  TrainableModel* inner_;
  int nan_call_, calls_ = 0;
};

}  // namespace marketlm::testing
