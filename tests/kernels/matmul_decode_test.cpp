// The few-row decode products against a double-precision reference, on every
// instruction-set path, thread count and awkward shape (tails of the column
// tiles and of the 16-wide vectors, row counts that mix the row groups).
#include "marketlm/kernels/matmul_decode.h"

#include <string>

#include "kernels/kernel_test_util.h"
#include "marketlm/kernels/attention.h"
#include "marketlm/kernels/matmul.h"

namespace marketlm::kernels {
namespace {
using namespace marketlm::kernels::testing;

struct Shape {
  int M, C, OC;
};
const Shape kShapes[] = {{1, 768, 2304}, {1, 13, 7}, {3, 40, 130}, {8, 64, 300}, {9, 33, 129}, {16, 17, 1000}, {5, 96, 257}};

// x[M,C] times w in f64: Conv1D [C,OC] when conv1d, else row-major [OC,C]; plus bias when given.
std::vector<float> ref_product(const Shape& s, const std::vector<float>& x, const std::vector<float>& w,
                               const float* bias, bool conv1d) {
  std::vector<float> ref(static_cast<size_t>(s.M) * s.OC);
  for (int m = 0; m < s.M; ++m)
    for (int o = 0; o < s.OC; ++o) {
      double acc = bias != nullptr ? bias[o] : 0.0;
      for (int c = 0; c < s.C; ++c)
        acc += static_cast<double>(x[m * s.C + c]) *
               (conv1d ? w[static_cast<size_t>(c) * s.OC + o] : w[static_cast<size_t>(o) * s.C + c]);
      ref[static_cast<size_t>(m) * s.OC + o] = static_cast<float>(acc);
    }
  return ref;
}

TEST(KernelMatmulDecode, Conv1dOrientationMatchesDoubleReference) {
  ThreadPool pool(2);
  for (const Shape& s : kShapes) {
    auto x = randn(static_cast<size_t>(s.M) * s.C, 1), w = randn(static_cast<size_t>(s.C) * s.OC, 2),
         b = randn(static_cast<size_t>(s.OC), 3);
    const std::vector<float> ref = ref_product(s, x, w, b.data(), true);
    for (Isa isa : test_isas())
      for (ThreadPool* p : {static_cast<ThreadPool*>(nullptr), &pool}) {
        const std::string what = "cn " + std::string(isa_name(isa)) + " M" + std::to_string(s.M) + " OC" + std::to_string(s.OC);
        std::vector<float> out(ref.size(), -7.0f);
        matmul_decode_forward(out.data(), x.data(), w.data(), b.data(), s.M, s.C, s.OC, KernelContext{p, isa});
        expect_close(what, out, ref, 1e-4, 1e-4);
        // No bias, and the dispatch from matmul_forward.
        std::vector<float> nb(ref.size()), via(ref.size());
        matmul_decode_forward(nb.data(), x.data(), w.data(), nullptr, s.M, s.C, s.OC, KernelContext{p, isa});
        for (size_t i = 0; i < nb.size(); ++i) nb[i] += b[i % s.OC];
        expect_close(what + " no bias", nb, ref, 1e-4, 1e-4);
        matmul_forward(via.data(), x.data(), w.data(), b.data(), s.M, s.C, s.OC, KernelContext{p, isa});
        expect_close(what + " via matmul_forward", via, ref, 1e-4, 1e-4);
      }
  }
}

TEST(KernelMatmulDecode, LinearOrientationMatchesDoubleReference) {
  ThreadPool pool(2);
  for (const Shape& s : kShapes) {
    auto x = randn(static_cast<size_t>(s.M) * s.C, 4), w = randn(static_cast<size_t>(s.OC) * s.C, 5),
         b = randn(static_cast<size_t>(s.OC), 6);
    const std::vector<float> ref = ref_product(s, x, w, nullptr, false);
    for (Isa isa : test_isas())
      for (ThreadPool* p : {static_cast<ThreadPool*>(nullptr), &pool}) {
        const std::string what = "nt " + std::string(isa_name(isa)) + " M" + std::to_string(s.M) + " OC" + std::to_string(s.OC);
        std::vector<float> out(ref.size(), -7.0f), via(ref.size());
        matmul_nt_decode_forward(out.data(), x.data(), w.data(), nullptr, s.M, s.C, s.OC, KernelContext{p, isa});
        expect_close(what, out, ref, 1e-4, 1e-4);
        matmul_nt_decode_forward(out.data(), x.data(), w.data(), b.data(), s.M, s.C, s.OC, KernelContext{p, isa});
        for (size_t i = 0; i < out.size(); ++i) out[i] -= b[i % s.OC];
        expect_close(what + " bias", out, ref, 1e-4, 1e-4);
        matmul_nt_forward(via.data(), x.data(), w.data(), s.M, s.C, s.OC, KernelContext{p, isa});
        expect_close(what + " via matmul_nt_forward", via, ref, 1e-4, 1e-4);
      }
  }
}

// The register-resident AVX-512 head kernel of cached attention (head sizes
// 16..128) and the two-gemm prompt path against the scalar per-row path,
// over cache lengths that cross the vector widths.
TEST(KernelMatmulDecode, CachedAttentionHeadKernelMatchesScalar) {
  for (int HS : {16, 32, 48, 64, 128}) {
    const int NH = 3, C = NH * HS;
    for (int T : {1, 5, 17, 40}) {
      // T >= 17: a whole prompt at once (the two-gemm path from 16 rows).
      const int Tq = T >= 17 ? T : T >= 3 ? 3 : 1;
      auto q = randn(static_cast<size_t>(Tq) * 3 * C, 7), kc = randn(static_cast<size_t>(T) * C, 8),
           vc = randn(static_cast<size_t>(T) * C, 9);
      std::vector<float> ref(static_cast<size_t>(Tq) * C);
      attention_cached_forward(ref.data(), q.data(), 3 * C, kc.data(), vc.data(), Tq, T, C, NH, KernelContext{});
      for (Isa isa : test_isas()) {
        std::vector<float> out(ref.size(), -7.0f);
        attention_cached_forward(out.data(), q.data(), 3 * C, kc.data(), vc.data(), Tq, T, C, NH,
                                 KernelContext{nullptr, isa});
        expect_close("cached head HS" + std::to_string(HS) + " T" + std::to_string(T) + " " + isa_name(isa), out, ref,
                     1e-5, 1e-5);
      }
    }
  }
}

}  // namespace
}  // namespace marketlm::kernels
