#include "cli/model_dir.h"

#include <filesystem>

#include "marketlm/train/checkpoint.h"

namespace marketlm::cli {

std::string resolve_model_dir(const std::string& dir) {
  std::error_code ec;
  if (std::filesystem::exists(std::filesystem::path(dir) / "config.json", ec)) return dir;
  auto latest = latest_checkpoint(dir);
  return latest.is_ok() ? *latest : dir;
}

}  // namespace marketlm::cli
