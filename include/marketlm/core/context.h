// Context: what a long-running library call needs from its caller, passed in
// explicitly instead of living in globals: the thread pool, the logger and a
// progress sink. The caller owns all three and outlives the call.
#pragma once

#include "marketlm/core/logging.h"
#include "marketlm/core/thread_pool.h"

namespace marketlm {

struct Context {
  ThreadPool* pool = nullptr;  // required for parallel work; nullptr = run serially
  Logger logger;
  ProgressSink progress;       // may be empty

  void report(const ProgressEvent& e) const {
    if (progress) progress(e);
  }
};

}  // namespace marketlm
