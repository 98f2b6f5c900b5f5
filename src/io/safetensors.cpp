#include "marketlm/io/safetensors.h"

#include <algorithm>
#include <cmath>
#include <bit>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "marketlm/core/file_io.h"

static_assert(std::endian::native == std::endian::little, "safetensors code assumes a little-endian host");

namespace marketlm {
namespace {

constexpr uint64_t kMaxHeaderBytes = 100ull << 20;  // the format's own limit is 100 MB

struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f) std::fclose(f);
  }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

bool parse_dtype(const std::string& s, DType* d) {
  for (DType x : {DType::kF32, DType::kF16, DType::kBF16, DType::kI8, DType::kI32, DType::kI64}) {
    if (s == dtype_name(x)) {
      *d = x;
      return true;
    }
  }
  return false;
}

}  // namespace

const char* dtype_name(DType d) {
  switch (d) {
    case DType::kF32: return "F32";
    case DType::kF16: return "F16";
    case DType::kBF16: return "BF16";
    case DType::kI8: return "I8";
    case DType::kI32: return "I32";
    case DType::kI64: return "I64";
  }
  return "?";
}

size_t dtype_size(DType d) {
  switch (d) {
    case DType::kF32: case DType::kI32: return 4;
    case DType::kF16: case DType::kBF16: return 2;
    case DType::kI8: return 1;
    case DType::kI64: return 8;
  }
  return 0;
}

int64_t TensorInfo::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string shape_string(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

float bf16_to_f32(uint16_t v) {
  const uint32_t bits = static_cast<uint32_t>(v) << 16;
  return std::bit_cast<float>(bits);
}

uint16_t f32_to_bf16(float f) {
  uint32_t bits = std::bit_cast<uint32_t>(f);
  if ((bits & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((bits >> 16) | 0x40);  // NaN stays NaN
  bits += 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>(bits >> 16);
}

float f16_to_f32(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1fu, mant = h & 0x3ffu;
  if (exp == 0) {
    const float v = std::ldexp(static_cast<float>(mant), -24);
    return sign ? -v : v;
  }
  if (exp == 31) return std::bit_cast<float>(sign | 0x7f800000u | (mant << 13));
  return std::bit_cast<float>(sign | ((exp + 112) << 23) | (mant << 13));
}

Result<SafetensorsFile> SafetensorsFile::open(const std::string& path) {
  FilePtr f(std::fopen(path.c_str(), "rb"));
  if (!f) {
    if (errno == ENOENT) return not_found(path + ": no such file");
    return io_error(path + ": cannot open: " + std::strerror(errno));
  }
  if (std::fseek(f.get(), 0, SEEK_END) != 0) return io_error(path + ": cannot seek");
  const long size_l = std::ftell(f.get());
  if (size_l < 0) return io_error(path + ": cannot tell file size");
  const uint64_t file_size = static_cast<uint64_t>(size_l);
  std::rewind(f.get());
  if (file_size < 8)
    return data_error(path + ": file is " + std::to_string(file_size) +
                      " bytes, shorter than the 8-byte header length of a safetensors file");
  uint64_t header_len = 0;
  if (std::fread(&header_len, 1, 8, f.get()) != 8) return io_error(path + ": cannot read the header length");
  if (header_len > file_size - 8)
    return data_error(path + ": header length " + std::to_string(header_len) + " goes beyond the file size " +
                      std::to_string(file_size) + " (truncated or not a safetensors file)");
  if (header_len > kMaxHeaderBytes)
    return data_error(path + ": header length " + std::to_string(header_len) + " exceeds the 100 MB limit");
  std::string header(header_len, '\0');
  if (header_len > 0 && std::fread(header.data(), 1, header_len, f.get()) != header_len)
    return io_error(path + ": cannot read the " + std::to_string(header_len) + "-byte header");

  SafetensorsFile out;
  out.path_ = path;
  out.data_start_ = 8 + header_len;
  const uint64_t data_size = file_size - out.data_start_;

  nlohmann::json j;
  try {
    j = nlohmann::json::parse(header);
  } catch (const std::exception& e) {
    return data_error(path + ": header is not valid JSON: " + e.what());
  }
  if (!j.is_object()) return data_error(path + ": header JSON must be an object of tensors");
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& name = it.key();
    const auto& v = it.value();
    if (name == "__metadata__") {
      if (!v.is_object()) return data_error(path + ": __metadata__ must be an object of strings");
      for (auto m = v.begin(); m != v.end(); ++m) {
        if (!m.value().is_string())
          return data_error(path + ": __metadata__." + m.key() + " must be a string");
        out.metadata_[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    const std::string where = path + ": tensor '" + name + "'";
    if (!v.is_object()) return data_error(where + ": entry must be an object");
    if (!v.contains("dtype") || !v["dtype"].is_string()) return data_error(where + ": missing string 'dtype'");
    TensorInfo t;
    t.name = name;
    const std::string dt = v["dtype"].get<std::string>();
    if (!parse_dtype(dt, &t.dtype))
      return data_error(where + ": unsupported dtype '" + dt + "' (expected F32, F16, BF16, I8, I32 or I64)");
    if (!v.contains("shape") || !v["shape"].is_array()) return data_error(where + ": missing array 'shape'");
    uint64_t numel = 1;
    for (const auto& d : v["shape"]) {
      if (!d.is_number_unsigned() && !(d.is_number_integer() && d.get<int64_t>() >= 0))
        return data_error(where + ": shape entries must be non-negative integers, got " + d.dump());
      const uint64_t dim = d.get<uint64_t>();
      if (dim > (1ull << 40) || __builtin_mul_overflow(numel, dim, &numel))
        return data_error(where + ": shape " + v["shape"].dump() + " is too large");
      t.shape.push_back(static_cast<int64_t>(dim));
    }
    if (!v.contains("data_offsets") || !v["data_offsets"].is_array() || v["data_offsets"].size() != 2 ||
        !v["data_offsets"][0].is_number_unsigned() || !v["data_offsets"][1].is_number_unsigned())
      return data_error(where + ": 'data_offsets' must be two non-negative integers [begin, end]");
    t.begin = v["data_offsets"][0].get<uint64_t>();
    t.end = v["data_offsets"][1].get<uint64_t>();
    if (t.begin > t.end || t.end > data_size)
      return data_error(where + ": data_offsets [" + std::to_string(t.begin) + ", " + std::to_string(t.end) +
                        "] are out of range of the " + std::to_string(data_size) + "-byte data section");
    uint64_t bytes = 0;
    if (__builtin_mul_overflow(numel, dtype_size(t.dtype), &bytes) || bytes != t.end - t.begin)
      return data_error(where + ": shape " + shape_string(t.shape) + " of " + dt + " needs " +
                        std::to_string(numel * dtype_size(t.dtype)) + " bytes but data_offsets span " +
                        std::to_string(t.end - t.begin));
    out.tensors_.push_back(std::move(t));
  }
  std::vector<const TensorInfo*> by_begin;
  for (const auto& t : out.tensors_) by_begin.push_back(&t);
  std::sort(by_begin.begin(), by_begin.end(),
            [](const TensorInfo* a, const TensorInfo* b) { return a->begin < b->begin; });
  for (size_t i = 1; i < by_begin.size(); ++i) {
    if (by_begin[i]->begin < by_begin[i - 1]->end)
      return data_error(path + ": tensors '" + by_begin[i - 1]->name + "' and '" + by_begin[i]->name +
                        "' overlap in the data section");
  }
  return out;
}

const TensorInfo* SafetensorsFile::find(std::string_view name) const {
  for (const auto& t : tensors_)
    if (t.name == name) return &t;
  return nullptr;
}

Result<std::string> SafetensorsFile::read_bytes(const TensorInfo& t) const {
  FilePtr f(std::fopen(path_.c_str(), "rb"));
  if (!f) return io_error(path_ + ": cannot reopen: " + std::strerror(errno));
  std::string out(t.end - t.begin, '\0');
  if (std::fseek(f.get(), static_cast<long>(data_start_ + t.begin), SEEK_SET) != 0 ||
      (!out.empty() && std::fread(out.data(), 1, out.size(), f.get()) != out.size()))
    return io_error(path_ + ": cannot read tensor '" + t.name + "' (file changed or truncated?)");
  return out;
}

Status SafetensorsFile::read_f32(const TensorInfo& t, float* out) const {
  if (t.dtype != DType::kF32 && t.dtype != DType::kBF16 && t.dtype != DType::kF16)
    return data_error(path_ + ": tensor '" + t.name + "' has dtype " + dtype_name(t.dtype) +
                      ", expected F32 (or F16/BF16)");
  ML_ASSIGN_OR_RETURN(std::string bytes, read_bytes(t));
  const int64_t n = t.numel();
  if (t.dtype == DType::kF32) {
    std::memcpy(out, bytes.data(), static_cast<size_t>(n) * 4);
  } else {
    for (int64_t i = 0; i < n; ++i) {
      uint16_t v;
      std::memcpy(&v, bytes.data() + 2 * i, 2);
      out[i] = t.dtype == DType::kBF16 ? bf16_to_f32(v) : f16_to_f32(v);
    }
  }
  return Status::ok();
}

void SafetensorsWriter::add_f32(const std::string& name, const std::vector<int64_t>& shape, const float* data) {
  entries_.push_back({name, shape, data, DType::kF32, {}});
}

void SafetensorsWriter::add_bytes(const std::string& name, DType dtype, const std::vector<int64_t>& shape,
                                  std::string bytes) {
  entries_.push_back({name, shape, nullptr, dtype, std::move(bytes)});
}

Status SafetensorsWriter::write(const std::string& path) const {
  nlohmann::ordered_json h = nlohmann::ordered_json::object();
  if (!metadata_.empty()) {
    nlohmann::ordered_json m = nlohmann::ordered_json::object();
    for (const auto& [k, v] : metadata_) m[k] = v;
    h["__metadata__"] = m;
  }
  uint64_t offset = 0;
  for (const auto& e : entries_) {
    int64_t n = 1;
    for (int64_t d : e.shape) n *= d;
    const uint64_t bytes = e.data ? static_cast<uint64_t>(n) * 4 : e.bytes.size();
    h[e.name] = {{"dtype", dtype_name(e.dtype)}, {"shape", e.shape}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string header = h.dump();
  header.append((8 - header.size() % 8) % 8, ' ');  // data starts 8-byte aligned
  const uint64_t len = header.size();
  AtomicFileWriter w;
  ML_RETURN_IF_ERROR(w.open(path));
  ML_RETURN_IF_ERROR(w.write(&len, 8));
  ML_RETURN_IF_ERROR(w.write(header));
  for (const auto& e : entries_) {
    int64_t n = 1;
    for (int64_t d : e.shape) n *= d;
    if (e.data) {
      ML_RETURN_IF_ERROR(w.write(e.data, static_cast<size_t>(n) * 4));
    } else {
      ML_RETURN_IF_ERROR(w.write(e.bytes));
    }
  }
  return w.commit();
}

}  // namespace marketlm
