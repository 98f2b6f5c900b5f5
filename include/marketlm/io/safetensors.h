// safetensors: an 8-byte little-endian header length N, N bytes of JSON
// ({"name": {"dtype", "shape", "data_offsets": [begin, end]}, ...,
// "__metadata__": {string: string}}), then the raw tensor bytes, offsets
// relative to the end of the header. docs/formats.md gives every byte we write.
//
// The reader checks everything before trusting it (sizes, offsets, overlaps,
// JSON shape) and returns a Status naming the file, tensor and values on any
// problem; it never crashes on a corrupt file.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "marketlm/core/status.h"

namespace marketlm {

enum class DType { kF32, kF16, kBF16, kI8, kI32, kI64 };

const char* dtype_name(DType d);  // "F32", "BF16", ...
size_t dtype_size(DType d);

struct TensorInfo {
  std::string name;
  DType dtype = DType::kF32;
  std::vector<int64_t> shape;
  uint64_t begin = 0, end = 0;  // byte offsets into the data section
  int64_t numel() const;
};

std::string shape_string(const std::vector<int64_t>& shape);  // "[3, 4]"

class SafetensorsFile {
 public:
  static Result<SafetensorsFile> open(const std::string& path);

  const std::string& path() const { return path_; }
  const std::vector<TensorInfo>& tensors() const { return tensors_; }
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  const TensorInfo* find(std::string_view name) const;

  // Reads a tensor's raw bytes.
  Result<std::string> read_bytes(const TensorInfo& t) const;
  // Reads a F32, F16 or BF16 tensor as floats into out[numel].
  Status read_f32(const TensorInfo& t, float* out) const;

 private:
  std::string path_;
  uint64_t data_start_ = 0;
  std::vector<TensorInfo> tensors_;
  std::map<std::string, std::string> metadata_;
};

// Collects F32 tensors (pointers must stay valid until write()) or owned
// bytes of any dtype and writes
// them atomically, in the order added.
class SafetensorsWriter {
 public:
  void set_metadata(const std::string& key, const std::string& value) { metadata_[key] = value; }
  void add_f32(const std::string& name, const std::vector<int64_t>& shape, const float* data);
  // A tensor of any dtype from its little-endian bytes (numel * dtype_size),
  // copied now (e.g. BF16 or I8 weights built on the fly).
  void add_bytes(const std::string& name, DType dtype, const std::vector<int64_t>& shape, std::string bytes);
  Status write(const std::string& path) const;

 private:
  struct Entry {
    std::string name;
    std::vector<int64_t> shape;
    const float* data;
    DType dtype = DType::kF32;
    std::string bytes;  // owned data when data == nullptr
  };
  std::vector<Entry> entries_;
  std::map<std::string, std::string> metadata_;
};

// bfloat16 <-> float (round to nearest even), for the BF16 reader and later writers.
float bf16_to_f32(uint16_t v);
uint16_t f32_to_bf16(float f);
float f16_to_f32(uint16_t v);

}  // namespace marketlm
