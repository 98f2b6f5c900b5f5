// safetensors reader/writer for recommender weights (see tensor_file.h).
#include "marketlm/apps/recsys/tensor_file.h"

#include <cstring>
#include <nlohmann/json.hpp>

#include "marketlm/core/file_io.h"

namespace marketlm::recsys {

namespace {
size_t dtype_size(DType t) { return t == DType::kI64 ? 8 : 4; }
const char* dtype_name(DType t) {
  switch (t) {
    case DType::kF32: return "F32";
    case DType::kI32: return "I32";
    case DType::kI64: return "I64";
  }
  return "?";
}

template <typename T>
Tensor make_tensor(DType dt, std::vector<int64_t> shape, std::span<const T> v) {
  Tensor t;
  t.dtype = dt;
  t.shape = std::move(shape);
  t.bytes.resize(v.size() * sizeof(T));
  if (!v.empty()) std::memcpy(t.bytes.data(), v.data(), t.bytes.size());
  return t;
}
}  // namespace

int64_t Tensor::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

void TensorFile::put_f32(const std::string& name, std::vector<int64_t> shape, std::span<const float> v) {
  tensors_[name] = make_tensor(DType::kF32, std::move(shape), v);
}
void TensorFile::put_i32(const std::string& name, std::vector<int64_t> shape, std::span<const int32_t> v) {
  tensors_[name] = make_tensor(DType::kI32, std::move(shape), v);
}
void TensorFile::put_i64(const std::string& name, std::vector<int64_t> shape, std::span<const int64_t> v) {
  tensors_[name] = make_tensor(DType::kI64, std::move(shape), v);
}

template <typename T>
Result<std::vector<T>> TensorFile::get_typed(const std::string& name, DType want, int64_t expected) const {
  auto it = tensors_.find(name);
  if (it == tensors_.end()) return not_found(source_ + ": tensor '" + name + "' is missing");
  const Tensor& t = it->second;
  if (t.dtype != want) {
    return data_error(source_ + ": tensor '" + name + "' has dtype " + dtype_name(t.dtype) + ", expected " +
                      dtype_name(want));
  }
  if (expected >= 0 && t.numel() != expected) {
    return data_error(source_ + ": tensor '" + name + "' has " + std::to_string(t.numel()) +
                      " elements, expected " + std::to_string(expected));
  }
  std::vector<T> out(static_cast<size_t>(t.numel()));
  if (!out.empty()) std::memcpy(out.data(), t.bytes.data(), t.bytes.size());
  return out;
}

Result<std::vector<float>> TensorFile::get_f32(const std::string& name, int64_t n) const {
  return get_typed<float>(name, DType::kF32, n);
}
Result<std::vector<int32_t>> TensorFile::get_i32(const std::string& name, int64_t n) const {
  return get_typed<int32_t>(name, DType::kI32, n);
}
Result<std::vector<int64_t>> TensorFile::get_i64(const std::string& name, int64_t n) const {
  return get_typed<int64_t>(name, DType::kI64, n);
}

std::string TensorFile::serialize() const {
  nlohmann::json header = nlohmann::json::object();
  size_t offset = 0;
  for (const auto& [name, t] : tensors_) {
    header[name] = {{"dtype", dtype_name(t.dtype)},
                    {"shape", t.shape},
                    {"data_offsets", {offset, offset + t.bytes.size()}}};
    offset += t.bytes.size();
  }
  header["__metadata__"] = {{"format", "pt"}};
  std::string h = header.dump();
  while ((h.size() + 8) % 8 != 0) h.push_back(' ');  // keep the data 8-byte aligned
  std::string out(8, '\0');
  uint64_t hn = h.size();
  for (int i = 0; i < 8; ++i) out[static_cast<size_t>(i)] = static_cast<char>((hn >> (8 * i)) & 0xff);
  out += h;
  for (const auto& [name, t] : tensors_) out.append(reinterpret_cast<const char*>(t.bytes.data()), t.bytes.size());
  return out;
}

Result<TensorFile> TensorFile::parse(std::string_view bytes, const std::string& source) {
  TensorFile tf;
  tf.source_ = source;
  if (bytes.size() < 8) return data_error(source + ": file is " + std::to_string(bytes.size()) +
                                          " bytes, too short for a safetensors header");
  uint64_t hn = 0;
  for (int i = 0; i < 8; ++i) hn |= static_cast<uint64_t>(static_cast<uint8_t>(bytes[static_cast<size_t>(i)])) << (8 * i);
  if (hn > bytes.size() - 8) {
    return data_error(source + ": header size " + std::to_string(hn) + " exceeds the file size " +
                      std::to_string(bytes.size()) + " (truncated or not a safetensors file)");
  }
  const std::string_view data = bytes.substr(8 + hn);
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(bytes.substr(8, hn));
  } catch (const std::exception& e) {
    return data_error(source + ": header is not valid JSON: " + e.what());
  }
  if (!header.is_object()) return data_error(source + ": header is not a JSON object");
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  try {
    for (auto it = header.begin(); it != header.end(); ++it) {
      if (it.key() == "__metadata__") continue;
      const auto& e = it.value();
      const std::string name = it.key();
      Tensor t;
      const std::string dt = e.at("dtype").get<std::string>();
      if (dt == "F32") t.dtype = DType::kF32;
      else if (dt == "I32") t.dtype = DType::kI32;
      else if (dt == "I64") t.dtype = DType::kI64;
      else return data_error(source + ": tensor '" + name + "' has dtype " + dt + ", expected F32, I32 or I64");
      t.shape = e.at("shape").get<std::vector<int64_t>>();
      for (int64_t d : t.shape) {
        if (d < 0) return data_error(source + ": tensor '" + name + "' has a negative dimension");
      }
      auto off = e.at("data_offsets").get<std::vector<uint64_t>>();
      if (off.size() != 2 || off[0] > off[1] || off[1] > data.size()) {
        return data_error(source + ": tensor '" + name + "' has data_offsets outside the " +
                          std::to_string(data.size()) + "-byte data section");
      }
      const uint64_t want = static_cast<uint64_t>(t.numel()) * dtype_size(t.dtype);
      if (off[1] - off[0] != want) {
        return data_error(source + ": tensor '" + name + "' holds " + std::to_string(off[1] - off[0]) +
                          " bytes, but shape and dtype need " + std::to_string(want));
      }
      ranges.emplace_back(off[0], off[1]);
      t.bytes.assign(reinterpret_cast<const uint8_t*>(data.data() + off[0]),
                     reinterpret_cast<const uint8_t*>(data.data() + off[1]));
      tf.tensors_[name] = std::move(t);
    }
  } catch (const std::exception& e) {
    return data_error(source + ": malformed tensor entry in header: " + e.what());
  }
  std::sort(ranges.begin(), ranges.end());
  uint64_t pos = 0;
  for (auto [b, e] : ranges) {
    if (b != pos) return data_error(source + ": tensor data is not contiguous (gap or overlap at byte " +
                                    std::to_string(b) + ")");
    pos = e;
  }
  if (pos != data.size()) return data_error(source + ": " + std::to_string(data.size() - pos) +
                                            " trailing bytes after the last tensor");
  return tf;
}

Status TensorFile::write(const std::string& path) const { return write_file_atomic(path, serialize()); }

Result<TensorFile> TensorFile::read(const std::string& path) {
  ML_ASSIGN_OR_RETURN(std::string bytes, read_file(path));
  return parse(bytes, path);
}

}  // namespace marketlm::recsys
