#include "marketlm/train/memory_estimate.h"

#include <cstdio>
#include <sstream>

#include "marketlm/core/file_io.h"

namespace marketlm {

std::string format_bytes(uint64_t b) {
  char buf[32];
  const double x = static_cast<double>(b);
  if (b >= (1ull << 30)) std::snprintf(buf, sizeof buf, "%.2f GiB", x / (1ull << 30));
  else if (b >= (1ull << 20)) std::snprintf(buf, sizeof buf, "%.2f MiB", x / (1ull << 20));
  else if (b >= 1024) std::snprintf(buf, sizeof buf, "%.1f KiB", x / 1024);
  else std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(b));
  return buf;
}

std::string TrainMemoryEstimate::describe() const {
  return format_bytes(total()) + " (params " + format_bytes(params) + ", grads " + format_bytes(grads) +
         ", AdamW moments " + format_bytes(adam) + ", activations " +
         (activations_known ? format_bytes(activations) : std::string("not estimated")) + ", data " +
         format_bytes(data) + ")";
}

TrainMemoryEstimate estimate_train_memory(int64_t num_params, int64_t activation_bytes, uint64_t data_bytes) {
  TrainMemoryEstimate e;
  const uint64_t p = static_cast<uint64_t>(num_params < 0 ? 0 : num_params) * sizeof(float);
  e.params = p;
  e.grads = p;
  e.adam = 2 * p;
  e.activations_known = activation_bytes >= 0;
  e.activations = activation_bytes > 0 ? static_cast<uint64_t>(activation_bytes) : 0;
  e.data = data_bytes;
  return e;
}

Result<uint64_t> parse_meminfo_available(const std::string& text) {
  std::istringstream in(text);
  std::string key;
  uint64_t kb;
  std::string unit;
  while (in >> key >> kb) {
    std::getline(in, unit);
    if (key == "MemAvailable:") return kb * 1024;
  }
  return not_found("no MemAvailable line in /proc/meminfo");
}

Result<uint64_t> available_memory_bytes() {
  ML_ASSIGN_OR_RETURN(std::string text, read_file("/proc/meminfo"));
  return parse_meminfo_available(text);
}

Status check_memory_fits(const TrainMemoryEstimate& e, uint64_t available, const std::string& source) {
  if (e.total() <= available) return Status::ok();
  return resource_exhausted("training needs about " + e.describe() + " but only " + format_bytes(available) +
                            " is available (" + source +
                            "); lower --batch-size or --seq-len, or make the model smaller (--n-layer, --n-embd)");
}

}  // namespace marketlm
