#include "marketlm/core/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <vector>

namespace marketlm {
namespace {

TEST(ThreadPool, ChunksCoverRangeExactlyOnce) {
  for (int64_t n : {1, 2, 7, 100, 1001}) {
    for (int chunks : {1, 2, 3, 8}) {
      int64_t expect_begin = 0;
      for (int t = 0; t < chunks; ++t) {
        int64_t b, e;
        ThreadPool::chunk(n, chunks, t, &b, &e);
        EXPECT_EQ(b, expect_begin);
        EXPECT_GE(e, b);
        expect_begin = e;
      }
      EXPECT_EQ(expect_begin, n);
    }
  }
}

TEST(ThreadPool, ParallelForVisitsEveryIndexOnce) {
  ThreadPool pool(4);
  for (int round = 0; round < 50; ++round) {
    std::vector<std::atomic<int>> hits(997);
    pool.parallel_for(static_cast<int64_t>(hits.size()), [&](int64_t b, int64_t e, int) {
      for (int64_t i = b; i < e; ++i) hits[i].fetch_add(1);
    });
    for (auto& h : hits) ASSERT_EQ(h.load(), 1);
  }
}

TEST(ThreadPool, GrainLimitsThreadsForSmallWork) {
  ThreadPool pool(4);
  std::atomic<int> calls{0};
  pool.parallel_for(10, [&](int64_t, int64_t, int) { calls++; }, 8);
  EXPECT_EQ(calls.load(), 2);
}

TEST(ThreadPool, SingleThreadRunsInline) {
  ThreadPool pool(1);
  int64_t sum = 0;
  pool.parallel_for(100, [&](int64_t b, int64_t e, int t) {
    EXPECT_EQ(t, 0);
    for (int64_t i = b; i < e; ++i) sum += i;
  });
  EXPECT_EQ(sum, 4950);
}

}  // namespace
}  // namespace marketlm
