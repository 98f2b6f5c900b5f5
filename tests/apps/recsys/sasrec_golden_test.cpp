// The PyTorch SASRec goldens (tests/reference/sasrec_reference.py) load with
// TensorFile, and the parts of SASRec that need no transformer already agree
// with them: scores = hidden . item embedding (shared table, padding row
// excluded) and the BCE / softmax cross-entropy losses over non-padded
// positions. The transformer itself is checked once nn/ lands.
#include <gtest/gtest.h>

#include <cmath>

#include "marketlm/apps/recsys/tensor_file.h"

using namespace marketlm::recsys;

namespace {
const std::string kGolden = MARKETLM_SOURCE_DIR "/tests/reference/goldens/sasrec_tiny.safetensors";
constexpr int B = 3, T = 8, C = 16, V = 20;
}  // namespace

TEST(RecsysSasrecGolden, LayoutAndShapes) {
  auto tf = TensorFile::read(kGolden);
  ASSERT_TRUE(tf.is_ok()) << tf.status().to_string();
  EXPECT_EQ(tf->tensors().at("param.item_emb.weight").shape, (std::vector<int64_t>{V + 1, C}));
  EXPECT_EQ(tf->tensors().at("param.pos_emb.weight").shape, (std::vector<int64_t>{T, C}));
  EXPECT_EQ(tf->tensors().at("param.blocks.1.fc2.weight").shape, (std::vector<int64_t>{C, C}));
  EXPECT_EQ(tf->tensors().at("out.all_logits").shape, (std::vector<int64_t>{B, T, V}));
  EXPECT_EQ(tf->tensors().at("out.attention_last_block").shape, (std::vector<int64_t>{B, 2, T, T}));
  for (const auto& [name, t] : tf->tensors()) {
    if (name.rfind("param.", 0) == 0) {
      EXPECT_TRUE(tf->has("grad.bce." + name.substr(6))) << name;
      EXPECT_TRUE(tf->has("grad.ce." + name.substr(6))) << name;
    }
  }
  auto emb = *tf->get_f32("param.item_emb.weight");
  for (int c = 0; c < C; ++c) EXPECT_EQ(emb[static_cast<size_t>(c)], 0.0f);  // padding row
}

TEST(RecsysSasrecGolden, ScoresAndLossesFromHidden) {
  auto tf = TensorFile::read(kGolden);
  ASSERT_TRUE(tf.is_ok());
  auto emb = *tf->get_f32("param.item_emb.weight", (V + 1) * C);
  auto hid = *tf->get_f32("out.hidden", B * T * C);
  auto all = *tf->get_f32("out.all_logits", B * T * V);
  auto pl = *tf->get_f32("out.pos_logits", B * T);
  auto nl = *tf->get_f32("out.neg_logits", B * T);
  auto pos = *tf->get_i64("input.pos", B * T);
  auto neg = *tf->get_i64("input.neg", B * T);
  const float bce_ref = (*tf->get_f32("loss.bce", 1))[0];
  const float ce_ref = (*tf->get_f32("loss.ce", 1))[0];
  auto dot = [&](int bt, int64_t item) {
    double s = 0;
    for (int c = 0; c < C; ++c) {
      s += static_cast<double>(hid[static_cast<size_t>(bt * C + c)]) * emb[static_cast<size_t>(item * C + c)];
    }
    return s;
  };
  double bce = 0, ce = 0;
  int n = 0;
  for (int bt = 0; bt < B * T; ++bt) {
    for (int i = 1; i <= V; ++i) {
      EXPECT_NEAR(dot(bt, i), all[static_cast<size_t>(bt * V + i - 1)], 1e-5) << bt << " " << i;
    }
    const int64_t p = pos[static_cast<size_t>(bt)];
    if (p == 0) continue;
    EXPECT_NEAR(dot(bt, p), pl[static_cast<size_t>(bt)], 1e-5);
    EXPECT_NEAR(dot(bt, neg[static_cast<size_t>(bt)]), nl[static_cast<size_t>(bt)], 1e-5);
    const double sp = dot(bt, p), sn = dot(bt, neg[static_cast<size_t>(bt)]);
    bce += std::log1p(std::exp(-sp)) + std::log1p(std::exp(sn));
    double mx = -1e30, z = 0;
    for (int i = 1; i <= V; ++i) mx = std::max(mx, dot(bt, i));
    for (int i = 1; i <= V; ++i) z += std::exp(dot(bt, i) - mx);
    ce += mx + std::log(z) - sp;
    ++n;
  }
  EXPECT_EQ(n, 8 + 5 + 2);
  EXPECT_NEAR(bce / n, bce_ref, 1e-5);
  EXPECT_NEAR(ce / n, ce_ref, 1e-5);
}

// ---- The C++ SASRec model against the goldens: forward, losses, gradients.
#include "marketlm/models/sasrec/sasrec_model.h"

namespace {
using marketlm::sasrec::SasrecBatch;
using marketlm::sasrec::SasrecConfig;
using marketlm::sasrec::SasrecLoss;
using marketlm::sasrec::SasrecModel;
using marketlm::sasrec::SasrecWorkspace;

// Golden tensor name (PyTorch, Linear [out, in]) -> our tensor (Conv1D [in, out]).
// Calls fn(our_name, golden_suffix, column_offset_in_qkv or -1 for a plain copy).
// Copies golden "<prefix><torch name>" into a buffer laid out like `model`.
std::vector<float> to_model_layout(const TensorFile& tf, const SasrecModel& model, const std::string& prefix) {
  std::vector<float> out(model.num_params(), 0.0f);
  const int Cm = model.config().d;
  for (const auto& s : model.param_specs()) {
    float* dst = out.data() + s.offset;
    const std::string& n = s.name;
    auto linear = [&](const std::string& torch, int col0, int OC) {  // weight [OC_t, C] -> dst[C, OC] cols col0..
      auto w = *tf.get_f32(prefix + torch + ".weight");
      const int oc_t = static_cast<int>(w.size()) / Cm;
      for (int o = 0; o < oc_t; ++o)
        for (int i = 0; i < Cm; ++i) dst[static_cast<size_t>(i) * OC + col0 + o] = w[static_cast<size_t>(o) * Cm + i];
    };
    auto copy = [&](const std::string& torch, size_t at) {
      auto v = *tf.get_f32(prefix + torch);
      std::copy(v.begin(), v.end(), dst + at);
    };
    const size_t dot = n.find('.', 7);
    const std::string blk = n.rfind("blocks.", 0) == 0 ? n.substr(0, dot + 1) : "";
    const std::string rest = blk.empty() ? n : n.substr(dot + 1);
    if (rest == "attn.qkv.weight") {
      linear(blk + "q", 0, 3 * Cm);
      linear(blk + "k", Cm, 3 * Cm);
      linear(blk + "v", 2 * Cm, 3 * Cm);
    } else if (rest == "attn.qkv.bias") {
      copy(blk + "q.bias", 0);
      copy(blk + "k.bias", static_cast<size_t>(Cm));
      copy(blk + "v.bias", 2 * static_cast<size_t>(Cm));
    } else if (rest == "attn.o.weight") {
      linear(blk + "o", 0, Cm);
    } else if (rest == "attn.o.bias") {
      copy(blk + "o.bias", 0);
    } else if (rest == "fc1.weight" || rest == "fc2.weight") {
      linear(blk + rest.substr(0, 3), 0, Cm);
    } else {
      copy(n, 0);  // embeddings, LayerNorms, fc biases: same layout
    }
  }
  return out;
}

struct Loaded {
  TensorFile tf;
  SasrecModel model{SasrecConfig{}};
  std::vector<int32_t> seq, pos, neg;
};

std::unique_ptr<Loaded> load_golden() {
  auto tf = TensorFile::read(kGolden);
  if (!tf.is_ok()) return nullptr;
  SasrecConfig cfg;
  cfg.n_items = V;
  cfg.maxlen = T;
  cfg.d = C;
  cfg.n_blocks = 2;
  cfg.n_heads = 2;
  cfg.dropout = 0.0f;
  cfg.ln_eps = 1e-8f;
  auto L = std::make_unique<Loaded>(Loaded{std::move(*tf), SasrecModel(cfg), {}, {}, {}});
  auto p = to_model_layout(L->tf, L->model, "param.");
  std::copy(p.begin(), p.end(), L->model.params());
  for (const char* name : {"seq", "pos", "neg"}) {
    auto v = *L->tf.get_i64(std::string("input.") + name, B * T);
    auto& dst = std::string(name) == "seq" ? L->seq : std::string(name) == "pos" ? L->pos : L->neg;
    dst.assign(v.begin(), v.end());
  }
  return L;
}

// fp32 with different summation order than PyTorch: see docs/numerics.md.
constexpr float kFwdTol = 2e-5f, kGradTol = 2e-5f;

void expect_close(const std::vector<float>& got, const std::vector<float>& want, float tol, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  float worst = 0;
  size_t at = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const float e = std::fabs(got[i] - want[i]) / (1.0f + std::fabs(want[i]));
    if (e > worst) worst = e, at = i;
  }
  EXPECT_LE(worst, tol) << what << " worst at " << at << ": " << got[at] << " vs " << want[at];
}
}  // namespace

TEST(RecsysSasrecGolden, ForwardMatchesPyTorch) {
  auto L = load_golden();
  ASSERT_TRUE(L);
  SasrecWorkspace ws;
  L->model.prepare(ws, B, false);
  marketlm::kernels::KernelContext ctx;
  L->model.forward(ws, L->seq.data(), nullptr, ctx);
  expect_close(std::vector<float>(ws.lnf, ws.lnf + B * T * C), *L->tf.get_f32("out.hidden"), kFwdTol, "hidden");
  const float* att = L->model.last_attention(ws);
  expect_close(std::vector<float>(att, att + B * 2 * T * T), *L->tf.get_f32("out.attention_last_block"), kFwdTol,
               "attention");
  // Last-position scores through the inference path.
  std::vector<float> scores(static_cast<size_t>(B) * V);
  L->model.score_last(L->seq.data(), B, scores.data(), ctx);
  auto all = *L->tf.get_f32("out.all_logits");
  std::vector<float> want;
  for (int b = 0; b < B; ++b)
    want.insert(want.end(), all.begin() + (b * T + T - 1) * V, all.begin() + (b * T + T) * V);
  expect_close(scores, want, kFwdTol, "last-position scores");
}

TEST(RecsysSasrecGolden, LossesAndEveryGradientMatchPyTorch) {
  for (const auto& [name, kind] : {std::pair<std::string, SasrecLoss>{"bce", SasrecLoss::kBce},
                                   std::pair<std::string, SasrecLoss>{"ce", SasrecLoss::kFullSoftmax}}) {
    auto L = load_golden();
    ASSERT_TRUE(L);
    SasrecWorkspace ws;
    marketlm::kernels::KernelContext ctx;
    SasrecBatch batch{L->seq.data(), L->pos.data(), L->neg.data(), B, 1};
    L->model.zero_grads();
    auto probe = L->model.forward_backward(ws, batch, kind, 1.0f, false, nullptr, ctx);
    ASSERT_EQ(probe.count, 15);
    auto ls = L->model.forward_backward(ws, batch, kind, 1.0f / static_cast<float>(probe.count), true, nullptr, ctx);
    EXPECT_NEAR(ls.sum / ls.count, (*L->tf.get_f32("loss." + name))[0], 1e-5) << name;
    auto want = to_model_layout(L->tf, L->model, "grad." + name + ".");
    for (const auto& s : L->model.param_specs()) {
      std::vector<float> g(L->model.grads() + s.offset, L->model.grads() + s.offset + s.numel);
      std::vector<float> w(want.begin() + static_cast<long>(s.offset), want.begin() + static_cast<long>(s.offset + s.numel));
      expect_close(g, w, kGradTol, name + " grad " + s.name);
    }
  }
}
