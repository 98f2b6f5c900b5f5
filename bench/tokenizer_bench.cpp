// Our side of the tokenizer benchmark (bench/tokenizer_bench.sh): encodes a
// corpus file with the GPT-2 vocabulary on 1 and 2 threads, best of N runs,
// and prints one JSON line per configuration.
//   tokenizer_bench CORPUS_FILE [TOKENIZER_DIR] [REPEATS] [MAX_THREADS]
#include <chrono>
#include <ctime>
#include <cstdio>
#include <string>

#include "marketlm/core/file_io.h"
#include "marketlm/core/thread_pool.h"
#include "marketlm/text/tokenizer.h"

// CPU time of the calling thread: steadier than wall time on a busy machine.
static double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

int main(int argc, char** argv) {
  using namespace marketlm;
  if (argc < 2) {
    std::fprintf(stderr, "usage: tokenizer_bench CORPUS_FILE [TOKENIZER_DIR] [REPEATS]\n");
    return 2;
  }
  std::string dir = argc > 2 ? argv[2] : "third_party/gpt2";
  int repeats = argc > 3 ? std::atoi(argv[3]) : 3;
  int max_threads = argc > 4 ? std::atoi(argv[4]) : 2;
  auto text = read_file(argv[1]);
  if (!text.is_ok()) {
    std::fprintf(stderr, "tokenizer_bench: %s\n", text.status().to_string().c_str());
    return 1;
  }
  auto tok = Tokenizer::from_pretrained(dir);
  if (!tok.is_ok()) {
    std::fprintf(stderr, "tokenizer_bench: %s\n", tok.status().to_string().c_str());
    return 1;
  }
  const double mb = static_cast<double>(text->size()) / 1e6;
  size_t serial_tokens = 0;
  for (int threads = 1; threads <= max_threads; ++threads) {
    ThreadPool pool(threads);
    double best = 1e30, best_cpu = 1e30;
    size_t n = 0;
    for (int r = 0; r < repeats; ++r) {
      double c0 = thread_cpu_seconds();
      auto t0 = std::chrono::steady_clock::now();
      auto ids = threads == 1 ? tok->encode(*text) : tok->encode_parallel(*text, &pool);
      double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      best_cpu = std::min(best_cpu, thread_cpu_seconds() - c0);
      n = ids.size();
      best = std::min(best, s);
    }
    if (threads == 1) serial_tokens = n;
    std::printf(
        "{\"impl\":\"marketlm\",\"threads\":%d,\"seconds\":%.4f,\"mb_per_s\":%.3f,\"tokens\":%zu,\"mb\":%.6f,"
        "\"same_as_1_thread\":%s,\"main_thread_cpu_mb_per_s\":%.3f}\n",
        threads, best, mb / best, n, mb, n == serial_tokens ? "true" : "false", mb / best_cpu);
  }
  return 0;
}
