// Per-group int8 scales: quantisation within half a step of each group's
// scale, every SIMD path bit-identical to the scalar reference, and grouped
// products at least as close to the f32 product as per-row ones.
#include <gtest/gtest.h>

#include <cmath>

#include "kernel_test_util.h"
#include "marketlm/core/thread_pool.h"
#include "marketlm/kernels/quant.h"

namespace marketlm::kernels {
namespace {

using testing::randn;

TEST(QuantGroups, GroupSizeValidation) {
  for (int ok : {0, 32, 64, 128, 256, 4096}) EXPECT_TRUE(check_int8_group_size(ok).is_ok()) << ok;
  for (int bad : {-32, 1, 16, 48, 96, 100, 8192}) {
    const Status s = check_int8_group_size(bad);
    ASSERT_FALSE(s.is_ok()) << bad;
    EXPECT_NE(s.message().find(std::to_string(bad)), std::string::npos) << s.to_string();
  }
}

TEST(QuantGroups, EachGroupHasItsOwnScaleAndCodesRoundTrip) {
  const int N = 5, K = 100;  // K not a multiple of the group: a short last group
  for (int group : {32, 64, 128}) {
    for (bool conv1d : {false, true}) {
      auto w = randn(static_cast<size_t>(N) * K, 11, 0.1f);
      w[conv1d ? 40 * N + 2 : 2 * K + 40] = 5.0f;  // an outlier in row 2, k = 40
      QuantMatrix m = quantize_matrix(w.data(), N, K, conv1d, WeightFormat::kInt8, group);
      const int G = (K + group - 1) / group;
      ASSERT_EQ(m.groups(), G);
      ASSERT_EQ(m.scale.size(), static_cast<size_t>(N * G));
      EXPECT_EQ(m.Kp % group, 0);
      std::vector<float> back(static_cast<size_t>(N) * K);
      dequantize_matrix(m, conv1d, back.data());
      for (int n = 0; n < N; ++n)
        for (int k = 0; k < K; ++k) {
          const size_t i = conv1d ? static_cast<size_t>(k) * N + n : static_cast<size_t>(n) * K + k;
          const float s = m.scale[static_cast<size_t>(n) * G + k / group];
          EXPECT_LE(std::fabs(back[i] - w[i]), 0.5f * s * 1.0001f) << group << " n " << n << " k " << k;
        }
      // The outlier only coarsens its own group's scale.
      if (group < K) {
        EXPECT_LT(m.scale[2 * G + (G - 1)] * 10, m.scale[2 * G + 40 / group]) << group;
      }
      QuantMatrix again = quantize_matrix(back.data(), N, K, conv1d, WeightFormat::kInt8, group);
      for (size_t i = 0; i < m.q.size(); ++i) ASSERT_EQ(m.q[i], again.q[i]) << group;
    }
  }
}

struct Shape {
  int M, N, K;
};
const Shape kShapes[] = {{1, 7, 64}, {1, 50, 100}, {3, 13, 256}, {17, 66, 130}, {8, 128, 768}};

TEST(QuantGroups, SimdPathsAreBitIdenticalToScalar) {
  ThreadPool pool(2);
  for (int group : {32, 64, 128, 256})
    for (const Shape& s : kShapes) {
      auto w = randn(static_cast<size_t>(s.N) * s.K, 3, 0.05f);
      auto x = randn(static_cast<size_t>(s.M) * s.K, 4);
      auto bias = randn(s.N, 5);
      QuantMatrix m = quantize_matrix(w.data(), s.N, s.K, true, WeightFormat::kInt8, group);
      std::vector<float> ref(static_cast<size_t>(s.M) * s.N), got(ref.size());
      quant_linear_forward(ref.data(), x.data(), m, bias.data(), s.M, {nullptr, Isa::kScalar});
      for (Isa isa : testing::test_isas()) {
        quant_linear_forward(got.data(), x.data(), m, bias.data(), s.M, {&pool, isa});
        for (size_t i = 0; i < ref.size(); ++i)
          ASSERT_EQ(got[i], ref[i]) << isa_name(isa) << " group " << group << " M " << s.M << " N " << s.N
                                    << " K " << s.K << " i " << i;
      }
    }
}

TEST(QuantGroups, GroupedProductIsCloseToF32AndNoWorseThanPerRow) {
  const int M = 4, N = 32, K = 512;
  auto w = randn(static_cast<size_t>(N) * K, 21, 0.05f);
  for (int n = 0; n < N; ++n) w[static_cast<size_t>(n) * K + (n * 37) % K] = 1.0f;  // one outlier per row
  auto x = randn(static_cast<size_t>(M) * K, 22);
  std::vector<double> exact(static_cast<size_t>(M) * N);
  for (int m = 0; m < M; ++m)
    for (int n = 0; n < N; ++n) {
      double s = 0;
      for (int k = 0; k < K; ++k) s += static_cast<double>(x[m * K + k]) * w[static_cast<size_t>(n) * K + k];
      exact[m * N + n] = s;
    }
  auto rms_error = [&](int group) {
    QuantMatrix q = quantize_matrix(w.data(), N, K, false, WeightFormat::kInt8, group);
    std::vector<float> out(static_cast<size_t>(M) * N);
    quant_linear_forward(out.data(), x.data(), q, nullptr, M, {nullptr, Isa::kScalar});
    double e = 0;
    for (size_t i = 0; i < out.size(); ++i) e += (out[i] - exact[i]) * (out[i] - exact[i]);
    return std::sqrt(e / out.size());
  };
  const double row = rms_error(0), g128 = rms_error(128), g32 = rms_error(32);
  EXPECT_LT(g128, row);
  EXPECT_LT(g32, g128);
  EXPECT_LT(g32, 0.02);  // outputs have rms about 1.1
}

}  // namespace
}  // namespace marketlm::kernels
