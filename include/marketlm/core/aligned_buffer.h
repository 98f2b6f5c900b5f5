// AlignedBuffer<T>: a heap array aligned to 64 bytes (one cache line, one
// AVX-512 register), zero-initialised, movable, not copyable. Buffers of 2 MiB
// and more are aligned to 2 MiB and asked to use transparent huge pages (a
// hint; the kernel may refuse): kernels that walk a weight matrix down its
// columns touch a new 4 KiB page on every row, and with small pages each of
// those is a TLB miss (measured: the fp32 decode step of a 124M model).
#pragma once

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace marketlm {

inline constexpr size_t kBufferAlignment = 64;
inline constexpr size_t kHugePageBytes = size_t{2} << 20;

template <typename T>
class AlignedBuffer {
  static_assert(std::is_trivially_copyable_v<T>, "AlignedBuffer holds plain data only");

 public:
  AlignedBuffer() = default;
  explicit AlignedBuffer(size_t n) { resize(n); }
  ~AlignedBuffer() { std::free(data_); }
  AlignedBuffer(AlignedBuffer&& o) noexcept : data_(o.data_), size_(o.size_) {
    o.data_ = nullptr;
    o.size_ = 0;
  }
  AlignedBuffer& operator=(AlignedBuffer&& o) noexcept {
    if (this != &o) {
      std::free(data_);
      data_ = std::exchange(o.data_, nullptr);
      size_ = std::exchange(o.size_, 0);
    }
    return *this;
  }
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;

  // Reallocates (contents are not kept) and zero-fills.
  void resize(size_t n) {
    std::free(data_);
    data_ = nullptr;
    size_ = n;
    if (n == 0) return;
    const bool huge = n * sizeof(T) >= kHugePageBytes;
    const size_t align = huge ? kHugePageBytes : kBufferAlignment;
    const size_t bytes = (n * sizeof(T) + align - 1) / align * align;
    data_ = static_cast<T*>(std::aligned_alloc(align, bytes));
    if (!data_) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (huge) madvise(static_cast<void*>(data_), bytes, MADV_HUGEPAGE);  // before the pages are touched
#endif
    std::memset(static_cast<void*>(data_), 0, bytes);
  }
  void zero() {
    if (data_) std::memset(static_cast<void*>(data_), 0, size_ * sizeof(T));
  }

  T* data() { return data_; }
  const T* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }
  T* begin() { return data_; }
  T* end() { return data_ + size_; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }

 private:
  T* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace marketlm
