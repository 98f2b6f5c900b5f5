// Shared setup for trainer tests: a temp directory, a small byte-level corpus
// packed into windows, a train/val split and a config sized to run in
// milliseconds with the bigram test model.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>

#include "marketlm/train/packing.h"
#include "marketlm/train/train_config.h"
#include "train/test_models.h"

namespace marketlm::testing {

class TempDir {
 public:
  explicit TempDir(const std::string& tag) {
    path_ = std::filesystem::temp_directory_path() /
            ("marketlm_" + tag + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter()++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string str() const { return path_.string(); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  static int& counter() {
    static int c = 0;
    return c;
  }
  std::filesystem::path path_;
};

inline TokenizedCorpus small_corpus() {
  TextEncoder enc = byte_level_encoder();
  TokenizedCorpus c;
  c.vocab_size = enc.vocab_size;
  c.vocab_hash = enc.vocab_hash;
  const char* docs[] = {
      "the quick brown fox jumps over the lazy dog. ",
      "pack my box with five dozen liquor jugs, then ship it today. ",
      "a new summer sale: twenty percent off every pair of running shoes this week only. ",
      "customers who bought the blue kettle also liked the matching toaster and mugs. ",
      "subscribe to our newsletter for early access to the autumn collection. ",
  };
  for (int rep = 0; rep < 6; ++rep) {
    for (const char* d : docs) {
      for (int32_t t : enc.encode(d)) {
        c.tokens.push_back(t);
        c.mask.push_back(1);
      }
      c.doc_offsets.push_back(c.tokens.size());
      c.doc_is_pair.push_back(0);
    }
  }
  return c;
}

inline TrainConfig small_config(const std::string& out_dir) {
  TrainConfig c;
  c.data_files = {"(in memory)"};
  c.out_dir = out_dir;
  c.max_steps = 20;
  c.batch_size = 4;
  c.seq_len = 16;
  c.grad_accum = 1;
  c.lr = 0.05f;
  c.min_lr = 0.005f;
  c.warmup_steps = 3;
  c.weight_decay = 0.1f;
  c.grad_clip = 1.0f;
  c.eval_every = 5;
  c.save_every = 10;
  c.keep_checkpoints = 2;
  c.seed = 42;
  return c;
}

}  // namespace marketlm::testing
