// GptKvCache: the keys and values of one sequence's past positions, per layer,
// for incremental decoding. Copyable (copy one beam's cache onto another to
// reorder beams); truncate() rewinds it.
#pragma once

#include <vector>

#include "marketlm/models/gpt/gpt_config.h"

namespace marketlm {

class GptKvCache {
 public:
  GptKvCache() = default;
  // Room for `capacity` positions (at most n_ctx).
  GptKvCache(const GptConfig& c, int capacity);

  int length() const { return length_; }
  int capacity() const { return capacity_; }
  void clear() { length_ = 0; }
  // Keeps the first `len` positions (len <= length()).
  void truncate(int len) { length_ = len < length_ ? (len < 0 ? 0 : len) : length_; }
  // Replaces this cache's contents with other's (same config and capacity).
  void copy_from(const GptKvCache& other) { *this = other; }

  float* k(int layer) { return data_.data() + layer_offset(layer); }
  float* v(int layer) { return data_.data() + layer_offset(layer) + static_cast<size_t>(capacity_) * n_embd_; }
  const float* k(int layer) const { return data_.data() + layer_offset(layer); }
  const float* v(int layer) const {
    return data_.data() + layer_offset(layer) + static_cast<size_t>(capacity_) * n_embd_;
  }
  void set_length(int len) { length_ = len; }
  int n_embd() const { return n_embd_; }
  int n_layer() const { return n_layer_; }

 private:
  size_t layer_offset(int layer) const { return static_cast<size_t>(layer) * 2 * capacity_ * n_embd_; }
  int n_layer_ = 0, n_embd_ = 0, capacity_ = 0, length_ = 0;
  std::vector<float> data_;  // [layer][k|v][capacity][C]
};

}  // namespace marketlm
