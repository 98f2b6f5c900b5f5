#include <cstdio>

#include "marketlm/models/gpt/gpt_model.h"
#include "models/gpt/gpt_acts.h"

namespace marketlm {

MemoryEstimate estimate_training_memory(const GptConfig& c, int B, int T) {
  const auto specs = gpt_param_specs(c);
  const int64_t n = static_cast<int64_t>(specs.back().offset + specs.back().numel);
  MemoryEstimate m;
  m.params_bytes = n * 4;
  m.grads_bytes = n * 4;
  m.optimizer_bytes = 2 * n * 4;  // AdamW first and second moments
  m.activations_bytes = static_cast<int64_t>(gpt_act_floats(c, B, T) + gpt_grad_scratch_floats(c, B, T)) * 4;
  m.total_bytes = m.params_bytes + m.grads_bytes + m.optimizer_bytes + m.activations_bytes;
  return m;
}

Status check_training_memory(const GptConfig& c, int B, int T, int64_t budget_bytes) {
  const MemoryEstimate m = estimate_training_memory(c, B, T);
  if (m.total_bytes <= budget_bytes) return Status::ok();
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%.2f GiB", static_cast<double>(budget_bytes) / (1024.0 * 1024.0 * 1024.0));
  return resource_exhausted("training n_layer " + std::to_string(c.n_layer) + ", n_embd " + std::to_string(c.n_embd) +
                            " at B=" + std::to_string(B) + " T=" + std::to_string(T) + " needs about " + m.to_string() +
                            ", more than the " + buf + " available; lower the batch size or the model size");
}

std::string MemoryEstimate::to_string() const {
  auto gib = [](int64_t b) { return static_cast<double>(b) / (1024.0 * 1024.0 * 1024.0); };
  char buf[256];
  std::snprintf(buf, sizeof(buf), "%.2f GiB (params %.2f, grads %.2f, adam moments %.2f, activations %.2f GiB)",
                gib(total_bytes), gib(params_bytes), gib(grads_bytes), gib(optimizer_bytes), gib(activations_bytes));
  return buf;
}

}  // namespace marketlm
