#include "marketlm/train/optimizer.h"

#include <algorithm>
#include <cmath>

#include "marketlm/core/check.h"
#include "marketlm/core/thread_pool.h"

namespace marketlm {

namespace {
constexpr int64_t kNormBlock = 1 << 14;  // fixed block size: partial sums never depend on threads
}

double global_grad_norm(const float* g, size_t n, ThreadPool* pool) {
  const int64_t n_blocks = (static_cast<int64_t>(n) + kNormBlock - 1) / kNormBlock;
  std::vector<double> partial(static_cast<size_t>(n_blocks), 0.0);
  auto work = [&](int64_t b0, int64_t b1, int) {
    for (int64_t b = b0; b < b1; ++b) {
      const size_t lo = static_cast<size_t>(b * kNormBlock);
      const size_t hi = std::min(n, lo + static_cast<size_t>(kNormBlock));
      double s = 0;
      for (size_t i = lo; i < hi; ++i) s += static_cast<double>(g[i]) * g[i];
      partial[static_cast<size_t>(b)] = s;
    }
  };
  if (pool && n_blocks > 1) pool->parallel_for(n_blocks, work, 1);
  else work(0, n_blocks, 0);
  double total = 0;
  for (double s : partial) total += s;
  return std::sqrt(total);
}

float clip_grad_norm(float* g, size_t n, double norm, float max_norm, ThreadPool* pool) {
  if (max_norm <= 0 || !(norm > max_norm)) return 1.0f;
  const float scale = static_cast<float>(static_cast<double>(max_norm) / (norm + 1e-6));
  auto work = [&](int64_t b, int64_t e, int) {
    for (int64_t i = b; i < e; ++i) g[i] *= scale;
  };
  if (pool) pool->parallel_for(static_cast<int64_t>(n), work, kNormBlock);
  else work(0, static_cast<int64_t>(n), 0);
  return scale;
}

AdamW::AdamW(const std::vector<ParamSpec>& specs, size_t num_params, const AdamWConfig& config,
             kernels::Isa path)
    : config_(config), path_(path), m_(num_params), v_(num_params) {
  std::vector<ParamSpec> sorted = specs;
  std::sort(sorted.begin(), sorted.end(),
            [](const ParamSpec& a, const ParamSpec& b) { return a.offset < b.offset; });
  size_t covered = 0;
  for (const ParamSpec& s : sorted) {
    ML_CHECK_MSG(s.offset + s.numel <= num_params, "param '" + s.name + "' runs past num_params");
    ML_CHECK_MSG(s.offset >= covered, "param '" + s.name + "' overlaps the previous one");
    if (s.numel == 0) continue;
    if (!segments_.empty() && segments_.back().decay == s.decay &&
        segments_.back().offset + segments_.back().numel == s.offset) {
      segments_.back().numel += s.numel;
    } else {
      segments_.push_back({s.offset, s.numel, s.decay});
    }
    covered = s.offset + s.numel;
  }
}

void AdamW::step(float* params, const float* grads, float lr, ThreadPool* pool) {
  ++step_;
  for (const Segment& seg : segments_) {
    AdamWHyper h;
    h.lr = lr;
    h.beta1 = config_.beta1;
    h.beta2 = config_.beta2;
    h.eps = config_.eps;
    h.weight_decay = seg.decay ? config_.weight_decay : config_.no_decay_weight_decay;
    h.step = step_;
    adamw_step(path_, pool, params + seg.offset, grads + seg.offset, m_.data() + seg.offset,
               v_.data() + seg.offset, seg.numel, h);
  }
}

}  // namespace marketlm
