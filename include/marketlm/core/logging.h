// Logger: a sink passed in by the caller. The library never prints to stdout;
// it reports through a Logger (and progress through a ProgressSink).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace marketlm {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

class Logger {
 public:
  using Sink = std::function<void(LogLevel, std::string_view)>;

  // A logger that drops everything.
  Logger() = default;
  explicit Logger(Sink sink, LogLevel min_level = LogLevel::kInfo)
      : sink_(std::move(sink)), min_level_(min_level) {}

  // A logger that writes "[level] message" lines to stderr.
  static Logger to_stderr(LogLevel min_level = LogLevel::kInfo);

  void log(LogLevel level, std::string_view message) const {
    if (sink_ && level >= min_level_) sink_(level, message);
  }
  void debug(std::string_view m) const { log(LogLevel::kDebug, m); }
  void info(std::string_view m) const { log(LogLevel::kInfo, m); }
  void warn(std::string_view m) const { log(LogLevel::kWarning, m); }
  void error(std::string_view m) const { log(LogLevel::kError, m); }

 private:
  Sink sink_;
  LogLevel min_level_ = LogLevel::kInfo;
};

// Progress of a long job. `done` of `total` units (total 0 = unknown);
// `detail` is a short free-form suffix such as "loss 3.21 | 1.2k tok/s".
struct ProgressEvent {
  std::string_view stage;
  int64_t done = 0;
  int64_t total = 0;
  std::string_view detail;
  bool finished = false;
};
using ProgressSink = std::function<void(const ProgressEvent&)>;

}  // namespace marketlm
