// ThreadPool: a fixed set of workers plus the calling thread. parallel_for
// splits [0, n) into contiguous chunks, one per thread, in a fixed order, so
// the same thread count always gives the same partition (and the same bits).
// Not reentrant: a task must not call parallel_for on the same pool.
// Waiting spins briefly before sleeping (a worker for the next task, the
// caller for the workers): a decode step makes ~100 short calls, and a
// condition-variable wake-up costs more than many of them (see kSpinTime).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace marketlm {

class ThreadPool {
 public:
  // n_threads counts the caller; 0 means std::thread::hardware_concurrency().
  explicit ThreadPool(int n_threads = 0);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return n_threads_; }

  // fn(begin, end, thread_index) over disjoint chunks covering [0, n).
  // Chunks are at least `grain` long; fewer threads are used for small n.
  void parallel_for(int64_t n, const std::function<void(int64_t, int64_t, int)>& fn,
                    int64_t grain = 1);

  // The chunk that thread t of n_chunks gets for [0, n): exposed for tests.
  static void chunk(int64_t n, int n_chunks, int t, int64_t* begin, int64_t* end);

 private:
  void worker_loop(int index);

  int n_threads_;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable cv_work_;
  std::condition_variable cv_done_;
  const std::function<void(int64_t, int64_t, int)>* task_ = nullptr;
  int64_t task_n_ = 0;
  int task_chunks_ = 0;
  std::atomic<uint64_t> generation_{0};  // written under mu_, read by spinning workers
  std::atomic<int> pending_{0};           // workers still running the current task
  bool stop_ = false;
};

}  // namespace marketlm
