// ML_CHECK: for broken invariants (bugs). Aborts with file:line and the
// failed condition; never used for bad user input (that returns Status).
#pragma once

#include <string>

namespace marketlm::detail {
[[noreturn]] void check_failed(const char* file, int line, const char* cond, const std::string& msg);
}  // namespace marketlm::detail

#define ML_CHECK(cond)                                                          \
  do {                                                                          \
    if (!(cond)) ::marketlm::detail::check_failed(__FILE__, __LINE__, #cond, ""); \
  } while (0)

#define ML_CHECK_MSG(cond, msg)                                                   \
  do {                                                                            \
    if (!(cond)) ::marketlm::detail::check_failed(__FILE__, __LINE__, #cond, (msg)); \
  } while (0)
