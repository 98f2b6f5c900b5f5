#include "marketlm/core/aligned_buffer.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace marketlm {
namespace {

TEST(AlignedBuffer, AlignedZeroedAndMovable) {
  AlignedBuffer<float> a(37);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a.data()) % kBufferAlignment, 0u);
  for (float v : a) EXPECT_EQ(v, 0.0f);
  a[5] = 3.0f;
  AlignedBuffer<float> b = std::move(a);
  EXPECT_EQ(b.size(), 37u);
  EXPECT_EQ(b[5], 3.0f);
  EXPECT_EQ(a.data(), nullptr);
}

}  // namespace
}  // namespace marketlm
