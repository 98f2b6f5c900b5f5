// Output helpers shared by the subcommands: JSON to stdout, errors to stderr
// with the exit-code convention, and a live progress bar for long jobs.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "marketlm/core/logging.h"
#include "marketlm/core/status.h"

namespace marketlm::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// Pretty JSON plus a newline on stdout.
void print_json(const nlohmann::json& j);

// "marketlm <command>: error: <message>" on stderr; returns the exit code
// (2 for invalid arguments, 1 otherwise).
int report_error(const std::string& command, const Status& status);

// A one-line progress bar on stderr, redrawn in place when stderr is a
// terminal and printed every few seconds otherwise (so CI logs stay short).
class ProgressBar {
 public:
  explicit ProgressBar(bool enabled = true);
  ProgressSink sink();
  void update(const ProgressEvent& e);

 private:
  bool enabled_, tty_;
  std::chrono::steady_clock::time_point start_, last_draw_;
  std::string last_stage_;
  int64_t start_done_ = 0;
};

}  // namespace marketlm::cli
