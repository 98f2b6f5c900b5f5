#include "marketlm/core/logging.h"

#include <cstdio>

namespace marketlm {

Logger Logger::to_stderr(LogLevel min_level) {
  return Logger(
      [](LogLevel level, std::string_view message) {
        static constexpr const char* kNames[] = {"debug", "info", "warning", "error"};
        std::fprintf(stderr, "[%s] %.*s\n", kNames[static_cast<int>(level)],
                     static_cast<int>(message.size()), message.data());
      },
      min_level);
}

}  // namespace marketlm
