// A small in-memory table of named tensors, saved and loaded in the
// safetensors layout (8-byte little-endian header size, JSON header with
// dtype/shape/data_offsets per tensor, then the raw little-endian data), so
// recommender weights can be read by other tools. The loader checks every
// entry: known dtype, offsets inside the file, contiguous and non-overlapping,
// and byte size = product(shape) * dtype size.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "marketlm/core/status.h"

namespace marketlm::recsys {

enum class DType { kF32, kI32, kI64 };

struct Tensor {
  DType dtype = DType::kF32;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;

  int64_t numel() const;
};

class TensorFile {
 public:
  void put_f32(const std::string& name, std::vector<int64_t> shape, std::span<const float> v);
  void put_i32(const std::string& name, std::vector<int64_t> shape, std::span<const int32_t> v);
  void put_i64(const std::string& name, std::vector<int64_t> shape, std::span<const int64_t> v);

  // Copy a tensor out, checking dtype and (when expected_numel >= 0) its size.
  // Errors name the file (set by read()), the tensor and the mismatch.
  Result<std::vector<float>> get_f32(const std::string& name, int64_t expected_numel = -1) const;
  Result<std::vector<int32_t>> get_i32(const std::string& name, int64_t expected_numel = -1) const;
  Result<std::vector<int64_t>> get_i64(const std::string& name, int64_t expected_numel = -1) const;
  bool has(const std::string& name) const { return tensors_.count(name) > 0; }
  const std::map<std::string, Tensor>& tensors() const { return tensors_; }

  // Serialise / parse the safetensors bytes.
  std::string serialize() const;
  static Result<TensorFile> parse(std::string_view bytes, const std::string& source);

  Status write(const std::string& path) const;
  static Result<TensorFile> read(const std::string& path);

 private:
  template <typename T>
  Result<std::vector<T>> get_typed(const std::string& name, DType want, int64_t expected) const;
  std::map<std::string, Tensor> tensors_;
  std::string source_ = "<memory>";
};

}  // namespace marketlm::recsys
