// The fast SASRec paths against their references: SIMD padded attention
// against the scalar twin (forward, last-row forward, backward), scoring
// without padding / last row only against the full padded forward, and the
// length-packed training step against the padded one (losses and gradients).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <string>

#include "marketlm/models/sasrec/sasrec_model.h"
#include "marketlm/nn/padded_attention.h"

using namespace marketlm;
using sasrec::SasrecBatch;
using sasrec::SasrecConfig;
using sasrec::SasrecLoss;
using sasrec::SasrecModel;
using sasrec::SasrecWorkspace;

namespace {

// Every path this CPU runs, or only MARKETLM_ISA when set.
std::vector<kernels::Isa> isas_under_test() {
  const char* env = std::getenv("MARKETLM_ISA");
  if (env != nullptr && *env != '\0' && std::string(env) != "auto") {
    auto r = kernels::resolve_isa(env);
    if (r.is_ok()) return {*r};
    return {};
  }
  return kernels::supported_isas();
}

std::vector<float> randn(size_t n, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> v(n);
  for (float& x : v) x = static_cast<float>(rng.normal());
  return v;
}

void expect_close(const std::vector<float>& got, const std::vector<float>& want, float tol, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_NEAR(got[i], want[i], tol * (1.0f + std::fabs(want[i]))) << what << " at " << i;
  }
}

struct AttShape {
  int B, T, C, NH;
};

}  // namespace

TEST(RecsysSasrecFast, PaddedAttentionSimdMatchesScalar) {
  // Head sizes 7 (tails only), 50 (Games: 6 x 8 + 2, 3 x 16 + 2) and 32.
  for (const AttShape s : {AttShape{3, 7, 14, 2}, AttShape{3, 9, 50, 1}, AttShape{2, 6, 64, 2}}) {
    const size_t nqkv = static_cast<size_t>(s.B) * s.T * 3 * s.C, nout = static_cast<size_t>(s.B) * s.T * s.C;
    const size_t natt = static_cast<size_t>(s.B) * s.NH * s.T * s.T;
    const auto qkv = randn(nqkv, 1), dout = randn(nout, 2);
    std::vector<float> mask(natt);
    Rng mr(3);
    for (float& m : mask) m = mr.uniform_f64() < 0.3 ? 0.0f : 1.0f / 0.7f;
    std::vector<int32_t> ks = {0, 3, s.T};  // full, padded, all padding
    ks.resize(static_cast<size_t>(s.B));
    for (const bool drop : {false, true}) {
      const float* mk = drop ? mask.data() : nullptr;
      const kernels::KernelContext ref{};
      std::vector<float> out0(nout), att0(natt), dq0(nqkv, 0.5f);
      nn::padded_attention_forward(out0.data(), att0.data(), qkv.data(), mk, ks.data(), s.B, s.T, s.C, s.NH, ref);
      nn::padded_attention_backward(dq0.data(), dout.data(), qkv.data(), att0.data(), mk, ks.data(), s.B, s.T, s.C,
                                    s.NH, ref);
      for (const kernels::Isa isa : isas_under_test()) {
        const kernels::KernelContext ctx{nullptr, isa};
        const std::string what = std::string(kernels::isa_name(isa)) + " C=" + std::to_string(s.C) +
                                 (drop ? " dropout" : "");
        std::vector<float> out(nout), att(natt), dq(nqkv, 0.5f);
        nn::padded_attention_forward(out.data(), att.data(), qkv.data(), mk, ks.data(), s.B, s.T, s.C, s.NH, ctx);
        expect_close(out, out0, 1e-5f, what + " out");
        expect_close(att, att0, 1e-5f, what + " att");
        nn::padded_attention_backward(dq.data(), dout.data(), qkv.data(), att0.data(), mk, ks.data(), s.B, s.T, s.C,
                                      s.NH, ctx);
        expect_close(dq, dq0, 1e-5f, what + " d_qkv");
        // Last query row only: equals the last row of the full forward.
        if (drop) continue;
        std::vector<float> lo(static_cast<size_t>(s.B) * s.C), la(static_cast<size_t>(s.B) * s.NH * s.T);
        nn::padded_attention_last_forward(lo.data(), la.data(), qkv.data(), ks.data(), s.B, s.T, s.C, s.NH, ctx);
        std::vector<float> want_o, want_a;
        for (int b = 0; b < s.B; ++b) {
          const size_t r = (static_cast<size_t>(b) * s.T + s.T - 1) * s.C;
          want_o.insert(want_o.end(), out0.begin() + static_cast<long>(r), out0.begin() + static_cast<long>(r + s.C));
          for (int h = 0; h < s.NH; ++h) {
            const size_t a = ((static_cast<size_t>(b) * s.NH + h) * s.T + s.T - 1) * s.T;
            want_a.insert(want_a.end(), att0.begin() + static_cast<long>(a), att0.begin() + static_cast<long>(a + s.T));
          }
        }
        expect_close(lo, want_o, 1e-5f, what + " last out");
        expect_close(la, want_a, 1e-5f, what + " last att");
      }
    }
  }
}

namespace {
SasrecModel small_model(int n_blocks, int n_heads) {
  SasrecConfig c;
  c.n_items = 40;
  c.maxlen = 10;
  c.d = 24;
  c.n_blocks = n_blocks;
  c.n_heads = n_heads;
  c.dropout = 0.0f;
  SasrecModel m(c);
  Rng rng(11);
  m.init(rng);
  for (const auto& s : m.param_specs()) {  // non-trivial LayerNorms and biases
    if (s.shape.size() == 1) {
      for (size_t i = 0; i < s.numel; ++i) m.params()[s.offset + i] += 0.1f * static_cast<float>(rng.normal());
    }
  }
  return m;
}

// Rows of lengths 10, 4, 0 (empty), 1, 7, 9, 2 (left-padded, T = 10).
std::vector<int32_t> mixed_windows(int T, int n_items, std::vector<int32_t>* pos, std::vector<int32_t>* neg, int k) {
  const std::vector<int> lens = {10, 4, 0, 1, 7, 9, 2};
  std::vector<int32_t> seq;
  Rng rng(5);
  for (int len : lens) {
    for (int t = 0; t < T; ++t) {
      const bool real = t >= T - len;
      seq.push_back(real ? 1 + static_cast<int32_t>(rng.below(static_cast<uint64_t>(n_items))) : 0);
      pos->push_back(real ? 1 + static_cast<int32_t>(rng.below(static_cast<uint64_t>(n_items))) : 0);
      for (int j = 0; j < k; ++j) neg->push_back(real ? 1 + static_cast<int32_t>(rng.below(static_cast<uint64_t>(n_items))) : 0);
    }
  }
  return seq;
}
}  // namespace

TEST(RecsysSasrecFast, ScoringWithoutPaddingMatchesPaddedForward) {
  for (const int blocks : {1, 2}) {
    SasrecModel m = small_model(blocks, 2);
    const int T = 10, V = 40, NH = 2;
    std::vector<int32_t> pos, neg;
    const auto seq = mixed_windows(T, V, &pos, &neg, 1);
    const int B = static_cast<int>(seq.size()) / T;
    const kernels::KernelContext ref{};
    std::vector<float> want(static_cast<size_t>(B) * V);
    m.score_last_padded(seq.data(), B, want.data(), ref);
    SasrecWorkspace ws;
    m.prepare(ws, B, false);
    m.forward(ws, seq.data(), nullptr, ref);
    const float* full_att = m.last_attention(ws);
    for (const kernels::Isa isa : isas_under_test()) {
      std::vector<float> got(want.size()), att;
      m.score_last(seq.data(), B, got.data(), kernels::KernelContext{nullptr, isa}, &att);
      expect_close(got, want, 2e-5f, std::string(kernels::isa_name(isa)) + " scores");
      ASSERT_EQ(att.size(), static_cast<size_t>(B) * NH * T);
      for (int b = 0; b < B; ++b) {
        if (seq[static_cast<size_t>(b) * T + T - 1] == 0) continue;  // empty history: nothing to explain
        for (int h = 0; h < NH; ++h) {
          for (int s = 0; s < T; ++s) {
            const float w = full_att[((static_cast<size_t>(b) * NH + h) * T + T - 1) * T + s];
            ASSERT_NEAR(att[(static_cast<size_t>(b) * NH + h) * T + s], w, 1e-5f) << b << " " << h << " " << s;
          }
        }
      }
    }
  }
}

TEST(RecsysSasrecFast, PackedTrainingStepMatchesPaddedStep) {
  for (const auto& [kind, k] : {std::pair{SasrecLoss::kBce, 1}, std::pair{SasrecLoss::kSampledSoftmax, 3},
                                std::pair{SasrecLoss::kFullSoftmax, 1}}) {
    SasrecModel m = small_model(2, 2);
    const int T = 10, V = 40;
    std::vector<int32_t> pos, neg;
    const auto seq = mixed_windows(T, V, &pos, &neg, k);
    const int B = static_cast<int>(seq.size()) / T;
    const SasrecBatch batch{seq.data(), pos.data(), neg.data(), B, k};
    const kernels::KernelContext ctx{};
    SasrecWorkspace ws;
    m.zero_grads();
    const LossSum a = m.forward_backward(ws, batch, kind, 0.05f, true, nullptr, ctx);
    const std::vector<float> ga(m.grads(), m.grads() + m.num_params());
    SasrecWorkspace ws2;
    m.zero_grads();
    const LossSum b = m.forward_backward_packed(ws2, batch, kind, 0.05f, true, nullptr, ctx);
    const std::vector<float> gb(m.grads(), m.grads() + m.num_params());
    EXPECT_EQ(a.count, b.count);
    EXPECT_GT(a.count, 0);
    EXPECT_NEAR(a.sum, b.sum, 1e-4 * (1.0 + std::fabs(a.sum)));
    expect_close(gb, ga, 2e-5f, "gradients");
    // Every positive targets a real position: the count is the real positions.
    int64_t real = 0;
    for (int32_t p : pos) real += p != 0;
    EXPECT_EQ(b.count, real);
  }
}
