// Perplexity through the cached forward and the three pruning methods.
#include "marketlm/models/gpt/gpt_compress.h"

#include <gtest/gtest.h>

#include <cmath>

#include "marketlm/core/rng.h"

namespace marketlm {
namespace {
using kernels::KernelContext;

std::unique_ptr<GptModel> small_model() {
  GptConfig c;
  c.n_layer = 2;
  c.n_head = 4;
  c.n_embd = 32;
  c.n_ctx = 8;
  c.vocab_size = 40;
  c.bos_token_id = c.eos_token_id = 0;
  auto m = GptModel::create(c, KernelContext{nullptr, kernels::Isa::kScalar});
  EXPECT_TRUE(m.is_ok());
  (*m)->init_weights(3);
  Rng rng(4);
  for (size_t i = 0; i < (*m)->num_params(); ++i) (*m)->params()[i] += static_cast<float>(rng.normal()) * 0.05f;
  return std::move(m).value();
}

TEST(GptCompress, PerplexityMatchesTheFullForwardPerWindow) {
  auto m = small_model();
  std::vector<int32_t> toks = {1, 5, 9, 39, 2, 2, 7, 30, 11, 4, 0, 8};  // windows of 8 and 4
  auto r = gpt_perplexity(*m, toks, 0, 0);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->windows, 2);
  EXPECT_EQ(r->predicted, 7 + 3);
  double nll = 0;
  for (int s : {0, 8}) {
    const int len = s == 0 ? 8 : 4, V = 40;
    std::vector<float> logits(static_cast<size_t>(len) * V);
    ASSERT_TRUE(m->forward_logits(toks.data() + s, 1, len, logits.data()).is_ok());
    for (int t = 0; t + 1 < len; ++t) {
      double z = 0;
      for (int v = 0; v < V; ++v) z += std::exp(static_cast<double>(logits[t * V + v]));
      nll += std::log(z) - logits[t * V + toks[s + t + 1]];
    }
  }
  EXPECT_NEAR(r->nll_sum, nll, 1e-3);
  EXPECT_NEAR(r->perplexity(), std::exp(nll / 10), 1e-3);
  EXPECT_FALSE(gpt_perplexity(*m, {1}, 0, 0).is_ok());
  EXPECT_FALSE(gpt_perplexity(*m, {1, 40}, 0, 0).is_ok());
  EXPECT_FALSE(gpt_perplexity(*m, toks, 9, 0).is_ok());
}

TEST(GptCompress, MagnitudePruningZeroesTheSmallestFractionOfEachMatrix) {
  auto m = small_model();
  auto before = std::vector<float>(m->params(), m->params() + m->num_params());
  auto r = gpt_prune(*m, PruneMethod::kMagnitude, 0.3);
  ASSERT_TRUE(r.is_ok());
  for (const char* name : {"h.0.attn.c_attn.weight", "h.1.mlp.c_proj.weight"}) {
    const ParamSpec* s = m->find_param(name);
    const float* w = m->params() + s->offset;
    size_t zeros = 0;
    float max_dropped = 0, min_kept = 1e30f;
    for (size_t i = 0; i < s->numel; ++i) {
      const float b = std::fabs(before[s->offset + i]);
      if (w[i] == 0.0f) {
        ++zeros;
        max_dropped = std::max(max_dropped, b);
      } else {
        min_kept = std::min(min_kept, b);
      }
    }
    EXPECT_EQ(zeros, static_cast<size_t>(std::llround(0.3 * s->numel))) << name;
    EXPECT_LE(max_dropped, min_kept) << name;
  }
  EXPECT_EQ(m->params()[m->find_param("wte.weight")->offset], before[m->find_param("wte.weight")->offset]);
  EXPECT_FALSE(gpt_prune(*m, PruneMethod::kMagnitude, 1.0).is_ok());
}

TEST(GptCompress, NeuronAndHeadPruningSilenceWholeUnits) {
  for (PruneMethod method : {PruneMethod::kNeurons, PruneMethod::kHeads}) {
    auto m = small_model();
    auto r = gpt_prune(*m, method, 0.5);
    ASSERT_TRUE(r.is_ok());
    const int C = 32;
    if (method == PruneMethod::kNeurons) {
      EXPECT_EQ(r->neurons_removed, 2 * 64);
      const float* fc = m->params() + m->find_param("h.0.mlp.c_fc.weight")->offset;
      int dead = 0;
      for (int j = 0; j < 4 * C; ++j) {
        bool zero = true;
        for (int i = 0; i < C; ++i) zero = zero && fc[i * 4 * C + j] == 0.0f;
        dead += zero;
      }
      EXPECT_EQ(dead, 64);
    } else {
      EXPECT_EQ(r->heads_removed, 2 * 2);
      const float* proj = m->params() + m->find_param("h.1.attn.c_proj.weight")->offset;
      int dead_rows = 0;
      for (int row = 0; row < C; ++row) {
        bool zero = true;
        for (int i = 0; i < C; ++i) zero = zero && proj[row * C + i] == 0.0f;
        dead_rows += zero;
      }
      EXPECT_EQ(dead_rows, 2 * 8);  // two heads of size 8
    }
    // The pruned model still runs.
    auto p = gpt_perplexity(*m, {1, 2, 3, 4}, 0, 0);
    ASSERT_TRUE(p.is_ok());
    EXPECT_TRUE(std::isfinite(p->perplexity()));
  }
}

}  // namespace
}  // namespace marketlm
