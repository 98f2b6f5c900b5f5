// bf16 / int8 inference kernels: every SIMD path against the scalar twin, and
// the scalar twin against a plain f32 product within the format's error.
#include "marketlm/kernels/quant.h"

#include <gtest/gtest.h>

#include <cmath>

#include "kernel_test_util.h"
#include "marketlm/core/thread_pool.h"
#include "marketlm/kernels/matmul.h"

namespace marketlm::kernels {
namespace {

using testing::randn;

// f64 reference of inp[M,K] @ W^T where W is given in Linear orientation.
std::vector<double> ref_product(const std::vector<float>& x, const std::vector<float>& w, int M, int N, int K) {
  std::vector<double> out(static_cast<size_t>(M) * N);
  for (int m = 0; m < M; ++m)
    for (int n = 0; n < N; ++n) {
      double s = 0;
      for (int k = 0; k < K; ++k) s += static_cast<double>(x[m * K + k]) * w[n * K + k];
      out[m * N + n] = s;
    }
  return out;
}

TEST(QuantKernels, FormatNames) {
  EXPECT_EQ(*parse_weight_format("int8"), WeightFormat::kInt8);
  EXPECT_EQ(*parse_weight_format("bf16"), WeightFormat::kBF16);
  EXPECT_EQ(*parse_weight_format("f32"), WeightFormat::kF32);
  EXPECT_FALSE(parse_weight_format("q4").is_ok());
}

TEST(QuantKernels, Int8RowQuantisationRoundTripsWithinHalfAStep) {
  const int R = 5, K = 70;
  auto x = randn(R * K, 1);
  for (int k = 0; k < K; ++k) x[2 * K + k] = 0.0f;  // an all-zero row
  std::vector<int8_t> q(R * 128, 99);
  std::vector<float> s(R);
  quantize_rows_int8(x.data(), R, K, K, q.data(), 128, s.data());
  EXPECT_EQ(s[2], 0.0f);
  for (int r = 0; r < R; ++r) {
    int amax = 0;
    for (int k = 0; k < K; ++k) {
      amax = std::max(amax, std::abs(static_cast<int>(q[r * 128 + k])));
      EXPECT_LE(std::fabs(q[r * 128 + k] * s[r] - x[r * K + k]), 0.5f * s[r] * 1.0001f + 1e-12f);
    }
    for (int k = K; k < 128; ++k) EXPECT_EQ(q[r * 128 + k], 0);
    if (r != 2) {
      EXPECT_EQ(amax, 127);
    }
  }
}

TEST(QuantKernels, QuantizeDequantizeBothOrientations) {
  const int N = 9, K = 33;
  auto w = randn(N * K, 2, 0.1f);
  for (WeightFormat f : {WeightFormat::kBF16, WeightFormat::kInt8})
    for (bool conv1d : {false, true}) {
      QuantMatrix m = quantize_matrix(w.data(), N, K, conv1d, f);
      EXPECT_EQ(m.Kp, 64);
      std::vector<float> back(N * K);
      dequantize_matrix(m, conv1d, back.data());
      for (int n = 0; n < N; ++n)
        for (int k = 0; k < K; ++k) {
          const size_t i = conv1d ? static_cast<size_t>(k) * N + n : static_cast<size_t>(n) * K + k;
          const float tol = f == WeightFormat::kBF16 ? std::fabs(w[i]) * 0.004f : 0.5f * m.scale[n] * 1.0001f;
          EXPECT_LE(std::fabs(back[i] - w[i]), tol) << weight_format_name(f) << " n " << n << " k " << k;
        }
      // Quantising the dequantised values reproduces the codes.
      QuantMatrix again = quantize_matrix(back.data(), N, K, conv1d, f);
      if (f == WeightFormat::kInt8) {
        for (size_t i = 0; i < m.q.size(); ++i) ASSERT_EQ(m.q[i], again.q[i]);
      } else {
        for (size_t i = 0; i < m.bf16.size(); ++i) ASSERT_EQ(m.bf16[i], again.bf16[i]);
      }
    }
}

// Shapes cover M = 1 (decode), M > 1 (prefill), N not a multiple of 4 and K
// not a multiple of 64.
struct Shape {
  int M, N, K;
};
const Shape kShapes[] = {{1, 7, 64}, {1, 50, 100}, {3, 13, 256}, {17, 66, 130}, {8, 128, 768}, {20, 100, 81}, {2, 200, 64}};

TEST(QuantKernels, Int8SimdPathsAreBitIdenticalToScalar) {
  ThreadPool pool(2);
  for (const Shape& s : kShapes) {
    auto w = randn(static_cast<size_t>(s.N) * s.K, 3, 0.05f);
    auto x = randn(static_cast<size_t>(s.M) * s.K, 4);
    auto bias = randn(s.N, 5);
    QuantMatrix m = quantize_matrix(w.data(), s.N, s.K, false, WeightFormat::kInt8);
    std::vector<float> ref(static_cast<size_t>(s.M) * s.N), got(ref.size());
    quant_linear_forward(ref.data(), x.data(), m, bias.data(), s.M, {nullptr, Isa::kScalar});
    for (Isa isa : testing::test_isas()) {
      quant_linear_forward(got.data(), x.data(), m, bias.data(), s.M, {&pool, isa});
      for (size_t i = 0; i < ref.size(); ++i)
        ASSERT_EQ(got[i], ref[i]) << isa_name(isa) << " M " << s.M << " N " << s.N << " K " << s.K << " i " << i;
    }
    if (int8_amx_supported()) {  // AMX tiles for whole groups of 16 rows, the row dots for the rest
      KernelContext amx{&pool, Isa::kAvx512};
      amx.int8_amx = true;
      std::fill(got.begin(), got.end(), -1.0f);
      quant_linear_forward(got.data(), x.data(), m, bias.data(), s.M, amx);
      for (size_t i = 0; i < ref.size(); ++i)
        ASSERT_EQ(got[i], ref[i]) << "amx M " << s.M << " N " << s.N << " K " << s.K << " i " << i;
    }
  }
}

TEST(QuantKernels, Bf16SimdPathsMatchScalar) {
  ThreadPool pool(2);
  for (const Shape& s : kShapes) {
    auto w = randn(static_cast<size_t>(s.N) * s.K, 6, 0.05f);
    auto x = randn(static_cast<size_t>(s.M) * s.K, 7);
    QuantMatrix m = quantize_matrix(w.data(), s.N, s.K, true, WeightFormat::kBF16);
    std::vector<float> ref(static_cast<size_t>(s.M) * s.N), got(ref.size());
    quant_linear_forward(ref.data(), x.data(), m, nullptr, s.M, {nullptr, Isa::kScalar});
    for (Isa isa : testing::test_isas()) {
      quant_linear_forward(got.data(), x.data(), m, nullptr, s.M, {&pool, isa});
      // Lane partial sums reorder an fp32 sum of K terms of size ~0.05.
      testing::expect_close(std::string("bf16 ") + isa_name(isa), got, ref, 1e-5, 2e-5);
    }
  }
}

// A batch of rows (decode at batch 8) gives each row the same bits as that
// row alone: the two-row AVX-512 kernel keeps the one-row kernel's sums.
TEST(QuantKernels, Bf16BatchRowsEqualSingleRowsBitwise) {
  ThreadPool pool(2);
  const int M = 5, N = 37, K = 200;
  auto w = randn(static_cast<size_t>(N) * K, 16, 0.05f);
  auto x = randn(static_cast<size_t>(M) * K, 17);
  auto bias = randn(N, 18);
  QuantMatrix m = quantize_matrix(w.data(), N, K, true, WeightFormat::kBF16);
  for (Isa isa : testing::test_isas()) {
    SCOPED_TRACE(isa_name(isa));
    std::vector<float> batch(static_cast<size_t>(M) * N), one(N);
    quant_linear_forward(batch.data(), x.data(), m, bias.data(), M, {&pool, isa});
    for (int r = 0; r < M; ++r) {
      quant_linear_forward(one.data(), x.data() + static_cast<size_t>(r) * K, m, bias.data(), 1, {&pool, isa});
      for (int n = 0; n < N; ++n) ASSERT_EQ(batch[static_cast<size_t>(r) * N + n], one[n]) << "row " << r << " col " << n;
    }
  }
}

// The scalar twins against an f64 product of the original f32 weights: the
// error is the format's, bounded per output.
TEST(QuantKernels, ScalarTwinsAgreeWithF32ProductWithinFormatError) {
  const int M = 4, N = 40, K = 192;
  auto w = randn(static_cast<size_t>(N) * K, 8, 0.05f);
  auto x = randn(static_cast<size_t>(M) * K, 9);
  const auto ref = ref_product(x, w, M, N, K);
  for (WeightFormat f : {WeightFormat::kBF16, WeightFormat::kInt8}) {
    QuantMatrix m = quantize_matrix(w.data(), N, K, false, f);
    std::vector<float> got(static_cast<size_t>(M) * N);
    quant_linear_forward(got.data(), x.data(), m, nullptr, M, {nullptr, Isa::kScalar});
    double err2 = 0, ref2 = 0;
    for (size_t i = 0; i < got.size(); ++i) {
      err2 += (got[i] - ref[i]) * (got[i] - ref[i]);
      ref2 += ref[i] * ref[i];
    }
    const double rel = std::sqrt(err2 / ref2);
    // bf16: 8-bit mantissa, ~2^-9 relative per weight, averaging down; int8:
    // two per-row 127-step grids (weights and activations).
    EXPECT_LT(rel, f == WeightFormat::kBF16 ? 3e-3 : 2e-2) << weight_format_name(f);
    EXPECT_GT(rel, 0.0) << weight_format_name(f) << ": quantisation should change something";
  }
}

}  // namespace
}  // namespace marketlm::kernels
