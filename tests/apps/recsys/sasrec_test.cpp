// SASRec behaviour: causality, padding, the padded-attention kernel against
// finite differences and the GPT kernel, the training negative sampler,
// save/load, and learning a synthetic sequential pattern.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "marketlm/apps/recsys/evaluate.h"
#include "marketlm/apps/recsys/recommender.h"
#include "marketlm/apps/recsys/seq_windows.h"
#include "marketlm/kernels/attention.h"
#include "marketlm/models/sasrec/sasrec_model.h"
#include "marketlm/nn/padded_attention.h"

using namespace marketlm;
using namespace marketlm::recsys;
using sasrec::SasrecConfig;
using sasrec::SasrecModel;
using sasrec::SasrecWorkspace;

namespace {
SasrecModel tiny_model(uint64_t seed) {
  SasrecConfig c;
  c.n_items = 30;
  c.maxlen = 8;
  c.d = 16;
  c.n_blocks = 2;
  c.n_heads = 2;
  c.dropout = 0.0f;
  SasrecModel m(c);
  Rng rng(seed);
  m.init(rng);
  // Non-trivial LayerNorm / biases so every path matters.
  for (const auto& s : m.param_specs()) {
    if (s.shape.size() == 1) {
      for (size_t i = 0; i < s.numel; ++i) m.params()[s.offset + i] += 0.1f * static_cast<float>(rng.normal());
    }
  }
  return m;
}

std::vector<float> hidden_of(const SasrecModel& m, const std::vector<int32_t>& seq, int B) {
  SasrecWorkspace ws;
  m.prepare(ws, B, false);
  m.forward(ws, seq.data(), nullptr, kernels::KernelContext{});
  return std::vector<float>(ws.lnf, ws.lnf + static_cast<size_t>(B) * m.config().maxlen * m.config().d);
}
}  // namespace

TEST(RecsysSasrec, CausalFutureItemsDoNotChangeEarlierPositions) {
  SasrecModel m = tiny_model(1);
  const int T = 8, C = 16;
  std::vector<int32_t> a = {0, 0, 5, 9, 2, 17, 3, 11};
  for (int t0 = 2; t0 < T; ++t0) {
    std::vector<int32_t> b = a;
    for (int t = t0; t < T; ++t) b[static_cast<size_t>(t)] = 1 + (b[static_cast<size_t>(t)] + 7) % 30;
    auto ha = hidden_of(m, a, 1), hb = hidden_of(m, b, 1);
    for (int i = 0; i < t0 * C; ++i) ASSERT_EQ(ha[static_cast<size_t>(i)], hb[static_cast<size_t>(i)]) << t0;
    // ... and the changed position does change.
    double diff = 0;
    for (int i = t0 * C; i < (t0 + 1) * C; ++i) diff += std::fabs(ha[static_cast<size_t>(i)] - hb[static_cast<size_t>(i)]);
    EXPECT_GT(diff, 1e-4) << t0;
  }
}

TEST(RecsysSasrec, PaddingNeverAffectsResults) {
  SasrecModel m = tiny_model(2);
  const int T = 8, C = 16, V = 30;
  std::vector<int32_t> one = {0, 0, 0, 4, 8, 15, 16, 23};
  std::vector<int32_t> two = {0, 0, 0, 4, 8, 15, 16, 23, 1, 2, 3, 4, 5, 6, 7, 9};  // + an unrelated full row
  auto h1 = hidden_of(m, one, 1), h2 = hidden_of(m, two, 2);
  for (int i = 3 * C; i < T * C; ++i) EXPECT_EQ(h1[static_cast<size_t>(i)], h2[static_cast<size_t>(i)]);
  std::vector<float> s1(V), s2(V);
  m.score_last(one.data(), 1, s1.data(), kernels::KernelContext{});
  // The padding embedding row is never read: garbage there changes nothing.
  for (int c = 0; c < C; ++c) m.params()[c] = 100.0f + static_cast<float>(c);
  m.score_last(one.data(), 1, s2.data(), kernels::KernelContext{});
  EXPECT_EQ(s1, s2);
  for (int c = 0; c < C; ++c) m.params()[c] = 0.0f;
  // The padding row gets no gradient, and padded positions carry no loss.
  std::vector<int32_t> pos = {0, 0, 0, 8, 15, 16, 23, 1}, neg = {0, 0, 0, 2, 3, 5, 6, 7};
  SasrecWorkspace ws;
  m.zero_grads();
  auto ls = m.forward_backward(ws, {one.data(), pos.data(), neg.data(), 1, 1}, sasrec::SasrecLoss::kBce, 1.0f, true,
                               nullptr, kernels::KernelContext{});
  EXPECT_EQ(ls.count, 5);
  for (int c = 0; c < C; ++c) EXPECT_EQ(m.grads()[c], 0.0f);
}

TEST(RecsysSasrec, PaddedAttentionMatchesGptKernelAndFiniteDifferences) {
  const int B = 2, T = 5, C = 8, NH = 2;
  Rng rng(3);
  std::vector<float> qkv(static_cast<size_t>(B) * T * 3 * C);
  for (float& v : qkv) v = static_cast<float>(rng.normal());
  std::vector<float> out1(static_cast<size_t>(B) * T * C), out2(out1.size()), att(static_cast<size_t>(B) * NH * T * T);
  const kernels::KernelContext ctx{};
  std::vector<int32_t> zero = {0, 0};
  nn::padded_attention_forward(out1.data(), att.data(), qkv.data(), nullptr, zero.data(), B, T, C, NH, ctx);
  kernels::attention_forward(out2.data(), att.data(), qkv.data(), nullptr, B, T, C, NH, ctx);
  for (size_t i = 0; i < out1.size(); ++i) EXPECT_NEAR(out1[i], out2[i], 1e-5);
  // Finite differences of L = sum(out * R) with key_start {2, 0}.
  std::vector<int32_t> ks = {2, 0};
  std::vector<float> R(out1.size());
  for (float& v : R) v = static_cast<float>(rng.normal());
  auto loss = [&](const std::vector<float>& x) {
    std::vector<float> o(out1.size()), a(att.size());
    nn::padded_attention_forward(o.data(), a.data(), x.data(), nullptr, ks.data(), B, T, C, NH, ctx);
    double s = 0;
    for (size_t i = 0; i < o.size(); ++i) s += static_cast<double>(o[i]) * R[i];
    return s;
  };
  nn::padded_attention_forward(out1.data(), att.data(), qkv.data(), nullptr, ks.data(), B, T, C, NH, ctx);
  std::vector<float> grad(qkv.size(), 0.0f);
  nn::padded_attention_backward(grad.data(), R.data(), qkv.data(), att.data(), nullptr, ks.data(), B, T, C, NH, ctx);
  const float h = 1e-2f;
  for (size_t i = 0; i < qkv.size(); ++i) {
    auto xp = qkv, xm = qkv;
    xp[i] += h;
    xm[i] -= h;
    const double fd = (loss(xp) - loss(xm)) / (2.0 * h);
    EXPECT_NEAR(grad[i], fd, 2e-3 * (1.0 + std::fabs(fd))) << i;
  }
  // Masked keys get no weight: row 0 (key_start 2) at t = 3 sees only 2..3.
  const float* row = att.data() + (0 * T + 3) * T;
  EXPECT_EQ(row[0], 0.0f);
  EXPECT_EQ(row[1], 0.0f);
  EXPECT_NEAR(row[2] + row[3], 1.0f, 1e-6);
}

TEST(RecsysSasrec, TrainingNegativesAreNeverSeenItems) {
  std::vector<std::vector<int32_t>> seqs = {{0, 1, 2, 3, 4, 5, 6}, {7, 8, 9}, {1, 3}};
  std::vector<int32_t> users = {0, 1, 2};
  Rng rng(4);
  SeqWindows w;
  for (int rep = 0; rep < 200; ++rep) {
    ASSERT_TRUE(make_training_windows(seqs, users, 12, 6, rng, &w).is_ok());
    for (int64_t b = 0; b < w.batch; ++b) {
      const auto& s = seqs[static_cast<size_t>(w.user[static_cast<size_t>(b)])];
      const std::set<int32_t> seen(s.begin(), s.end());
      for (int t = 0; t < 6; ++t) {
        const size_t r = static_cast<size_t>(b) * 6 + t;
        if (w.pos[r] == 0) {
          EXPECT_EQ(w.neg[r], 0);
          continue;
        }
        EXPECT_EQ(seen.count(w.neg[r] - 1), 0u);
        EXPECT_GE(w.neg[r], 1);
        EXPECT_LE(w.neg[r], 12);
      }
    }
  }
}

namespace {
// Users walk a ring of items: next = (current + step) mod n, step 1 or 3
// fixed per user. Popularity is flat, so pop ranks at chance.
std::vector<std::vector<int32_t>> ring_data(int n_users, int n_items, Rng& rng) {
  std::vector<std::vector<int32_t>> seqs;
  for (int u = 0; u < n_users; ++u) {
    const int step = u % 2 == 0 ? 1 : 3;
    int cur = static_cast<int>(rng.below(static_cast<uint64_t>(n_items)));
    std::vector<int32_t> s;
    const int len = 6 + static_cast<int>(rng.below(6));
    for (int i = 0; i < len; ++i, cur = (cur + step) % n_items) s.push_back(cur);
    seqs.push_back(s);
  }
  return seqs;
}

double hit_rate(const SequentialRecommender& m, const std::vector<std::vector<int32_t>>& seqs) {
  int hits = 0;
  std::vector<float> sc(static_cast<size_t>(m.n_items()));
  for (const auto& s : seqs) {
    std::span<const int32_t> hist(s.data(), s.size() - 1);
    m.score({-1, hist}, sc);
    const float target = sc[static_cast<size_t>(s.back())];
    int better = 0;
    for (float v : sc) better += v > target;
    hits += better < 10;
  }
  return static_cast<double>(hits) / static_cast<double>(seqs.size());
}
}  // namespace

TEST(RecsysSasrec, LearnsASyntheticSequentialPatternAndRoundTrips) {
  const int n_items = 60;
  Rng rng(5);
  auto train = ring_data(300, n_items, rng);
  auto test = ring_data(100, n_items, rng);
  RecConfig cfg;
  cfg.model_type = "sasrec";
  cfg.sasrec_maxlen = 10;
  cfg.sasrec_dim = 16;
  cfg.sasrec_heads = 1;
  cfg.sasrec_dropout = 0.1f;
  cfg.sasrec_epochs = 30;
  cfg.sasrec_lr = 0.005f;
  cfg.sasrec_batch = 32;
  cfg.isa = "scalar";
  ThreadPool pool(2);
  Context ctx{&pool, Logger{}, {}};
  auto sas = make_recommender("sasrec");
  ASSERT_TRUE(sas.is_ok());
  ASSERT_TRUE((*sas)->fit({train, n_items}, cfg, ctx).is_ok());
  auto pop = make_recommender("pop");
  ASSERT_TRUE((*pop)->fit({train, n_items}, cfg, ctx).is_ok());
  const double hr_sas = hit_rate(**sas, test), hr_pop = hit_rate(**pop, test);
  EXPECT_GT(hr_sas, 0.8) << "pop " << hr_pop;
  EXPECT_GT(hr_sas, hr_pop + 0.4);
  // Explanations name history items with attention weights summing to 1.
  auto why = (*sas)->explain({-1, std::span<const int32_t>(test[0].data(), test[0].size() - 1)}, 0);
  ASSERT_FALSE(why.empty());
  double sum = 0;
  for (const auto& c : why) sum += c.value;
  EXPECT_NEAR(sum, 1.0, 1e-4);
  // Save / load round trip gives the same scores.
  TensorFile tf;
  (*sas)->save(&tf);
  auto again = make_recommender("sasrec");
  ASSERT_TRUE((*again)->load(tf, cfg, n_items, 300).is_ok());
  std::vector<float> a(n_items), b(n_items);
  (*sas)->score({-1, test[1]}, a);
  (*again)->score({-1, test[1]}, b);
  EXPECT_EQ(a, b);
  // A wrong item count is refused with a message naming the tensor.
  auto bad = make_recommender("sasrec");
  Status s = (*bad)->load(tf, cfg, n_items + 1, 300);
  EXPECT_FALSE(s.is_ok());
}

TEST(RecsysSasrec, GradientsWithDropoutMatchFiniteDifferences) {
  SasrecConfig c;
  c.n_items = 12;
  c.maxlen = 6;
  c.d = 8;
  c.n_blocks = 2;
  c.n_heads = 2;
  c.dropout = 0.3f;
  SasrecModel m(c);
  Rng init(7);
  m.init(init);
  std::vector<int32_t> seq = {0, 0, 3, 5, 7, 2, 1, 4, 6, 8, 10, 12};
  std::vector<int32_t> pos = {0, 0, 5, 7, 2, 9, 4, 6, 8, 10, 12, 11};
  std::vector<int32_t> neg = {0, 0, 1, 1, 4, 4, 2, 3, 5, 7, 9, 1};
  const kernels::KernelContext ctx{};
  SasrecWorkspace ws;
  m.prepare(ws, 2, true);
  const Rng::State st = Rng(99).state();
  auto loss_at = [&]() {
    Rng r(0);
    r.set_state(st);
    auto ls = m.forward_backward(ws, {seq.data(), pos.data(), neg.data(), 2, 1}, sasrec::SasrecLoss::kBce, 1.0f,
                                 false, &r, ctx);
    return ls.sum;
  };
  m.zero_grads();
  Rng r(0);
  r.set_state(st);
  m.forward_backward(ws, {seq.data(), pos.data(), neg.data(), 2, 1}, sasrec::SasrecLoss::kBce, 1.0f, true, &r, ctx);
  std::vector<float> g(m.grads(), m.grads() + m.num_params());
  Rng pick(8);
  int checked = 0;
  for (const auto& s : m.param_specs()) {
    for (int rep = 0; rep < 3; ++rep) {
      size_t i = s.offset + pick.below(s.numel);
      if (s.name == "item_emb.weight") i = s.offset + c.d * 3 + pick.below(static_cast<uint64_t>(c.d));  // item 3
      const float keep = m.params()[i];
      const float h = 1e-2f;
      m.params()[i] = keep + h;
      const double up = loss_at();
      m.params()[i] = keep - h;
      const double down = loss_at();
      m.params()[i] = keep;
      const double fd = (up - down) / (2.0 * h);
      EXPECT_NEAR(g[i], fd, 1e-2 * (1.0 + std::fabs(fd))) << s.name << " [" << i - s.offset << "]";
      ++checked;
    }
  }
  EXPECT_EQ(checked, 3 * static_cast<int>(m.param_specs().size()));
}

// Evaluation scores several users per call (score_batch). Every row must be
// what score() gives for that user alone, on every kernel path, and the
// evaluator's figures must not depend on how many users go into a call.
TEST(RecsysSasrec, BatchedScoringEqualsOneByOne) {
  const int n_items = 40;
  Rng rng(11);
  auto seqs = ring_data(90, n_items, rng);
  LeaveOneOutSplit split;
  split.n_items = n_items;
  for (auto s : seqs) {
    split.test.push_back(s.back());
    s.pop_back();
    split.valid.push_back(s.back());
    s.pop_back();
    split.train.push_back(s);
  }
  RecConfig cfg;
  cfg.model_type = "sasrec";
  cfg.sasrec_maxlen = 8;
  cfg.sasrec_dim = 16;
  cfg.sasrec_heads = 2;
  cfg.sasrec_dropout = 0.0f;
  cfg.sasrec_epochs = 2;
  cfg.sasrec_lr = 0.01f;
  cfg.sasrec_batch = 32;
  cfg.isa = "scalar";
  ThreadPool pool(2);
  Context ctx{&pool, Logger{}, {}};
  auto fitted = make_recommender("sasrec");
  ASSERT_TRUE(fitted.is_ok());
  ASSERT_TRUE((*fitted)->fit({split.train, n_items}, cfg, ctx).is_ok());
  TensorFile tf;
  (*fitted)->save(&tf);
  // Histories of every length from empty to longer than the window, so the
  // batch mixes rows of different length groups.
  std::vector<std::vector<int32_t>> hist;
  for (int len = 0; len <= 11; ++len) {
    std::vector<int32_t> h;
    for (int i = 0; i < len; ++i) h.push_back((3 * i + len) % n_items);
    hist.push_back(h);
  }
  std::vector<UserQuery> queries;
  for (const auto& h : hist) queries.push_back(UserQuery{-1, h});
  for (kernels::Isa isa : kernels::supported_isas()) {
    SCOPED_TRACE(kernels::isa_name(isa));
    cfg.isa = kernels::isa_name(isa);
    auto m = make_recommender("sasrec");
    ASSERT_TRUE((*m)->load(tf, cfg, n_items, split.n_users()).is_ok());
    std::vector<float> batched(queries.size() * n_items), one(n_items);
    (*m)->score_batch(queries, batched);
    for (size_t q = 0; q < queries.size(); ++q) {
      (*m)->score(queries[q], one);
      for (int j = 0; j < n_items; ++j) {
        const float b = batched[q * n_items + static_cast<size_t>(j)];
        if (isa == kernels::Isa::kScalar) {
          ASSERT_EQ(b, one[static_cast<size_t>(j)]) << "query " << q << " item " << j;
        } else {
          ASSERT_NEAR(b, one[static_cast<size_t>(j)], 1e-5f * (1.0f + std::fabs(one[static_cast<size_t>(j)])))
              << "query " << q << " item " << j;
        }
      }
    }
    for (Protocol p : {Protocol::kSampled, Protocol::kFull}) {
      EvalOptions o;
      o.protocol = p;
      o.n_negatives = 20;
      o.max_users = 0;
      o.score_batch = 1;
      auto a = evaluate(**m, split, o, ctx);
      o.score_batch = 7;  // does not divide the users evenly
      auto b = evaluate(**m, split, o, ctx);
      ASSERT_TRUE(a.is_ok() && b.is_ok());
      EXPECT_EQ(a->n_users, b->n_users);
      EXPECT_NEAR(a->hr, b->hr, 1e-12);
      EXPECT_NEAR(a->ndcg, b->ndcg, 1e-12);
      EXPECT_GT(a->hr, 0.0);
    }
  }
  // A model without its own score_batch (markov) goes through the default,
  // which calls score() per user.
  auto markov = make_recommender("markov");
  ASSERT_TRUE((*markov)->fit({split.train, n_items}, cfg, ctx).is_ok());
  std::vector<float> batched(queries.size() * n_items), one(n_items);
  (*markov)->score_batch(queries, batched);
  for (size_t q = 0; q < queries.size(); ++q) {
    (*markov)->score(queries[q], one);
    EXPECT_TRUE(std::equal(one.begin(), one.end(), batched.begin() + static_cast<long>(q * n_items)));
  }
}
