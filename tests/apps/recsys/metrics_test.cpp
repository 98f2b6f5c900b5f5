// HR@k / NDCG@k on hand-computed cases, the negative sampler, and the
// evaluator on a model whose scores we control.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "marketlm/apps/recsys/evaluate.h"
#include "marketlm/apps/recsys/metrics.h"

using namespace marketlm;
using namespace marketlm::recsys;

TEST(RecsysMetrics, RankCounts) {
  std::vector<float> others{0.9f, 0.5f, 0.5f, 0.1f, NAN};
  auto r = count_rank(0.5f, others);
  EXPECT_EQ(r.greater, 1);
  EXPECT_EQ(r.ties, 2);
  auto n = count_rank(NAN, others);
  EXPECT_EQ(n.greater, 5);
}

TEST(RecsysMetrics, HandComputedNoTies) {
  // Target at 0-based rank 0: HR 1, NDCG 1/log2(2) = 1.
  EXPECT_DOUBLE_EQ(hit_rate_at_k({0, 0}, 10), 1.0);
  EXPECT_DOUBLE_EQ(ndcg_at_k({0, 0}, 10), 1.0);
  // Rank 2: NDCG = 1/log2(4) = 0.5.
  EXPECT_DOUBLE_EQ(ndcg_at_k({2, 0}, 10), 0.5);
  // Rank 6: 1/log2(8) = 1/3.
  EXPECT_NEAR(ndcg_at_k({6, 0}, 10), 1.0 / 3.0, 1e-12);
  // Rank 9 is the last hit at k = 10, rank 10 the first miss.
  EXPECT_DOUBLE_EQ(hit_rate_at_k({9, 0}, 10), 1.0);
  EXPECT_NEAR(ndcg_at_k({9, 0}, 10), 1.0 / std::log2(11.0), 1e-12);
  EXPECT_DOUBLE_EQ(hit_rate_at_k({10, 0}, 10), 0.0);
  EXPECT_DOUBLE_EQ(ndcg_at_k({10, 0}, 10), 0.0);
}

TEST(RecsysMetrics, HandComputedTies) {
  // 1 above, 3 tied: rank uniform on {1,2,3,4}. At k = 3: hits at ranks 1,2.
  EXPECT_DOUBLE_EQ(hit_rate_at_k({1, 3}, 3), 0.5);
  const double want = (1 / std::log2(3.0) + 1 / std::log2(4.0)) / 4.0;
  EXPECT_NEAR(ndcg_at_k({1, 3}, 3), want, 1e-12);
  // All 101 candidates tied: expected HR@10 = 10/101 (random ranking).
  EXPECT_NEAR(hit_rate_at_k({0, 100}, 10), 10.0 / 101.0, 1e-12);
}

TEST(RecsysSampler, NeverSamplesSeenItemsAndNoDuplicates) {
  Rng rng(7);
  std::vector<int32_t> seen;
  for (int32_t i = 0; i < 200; i += 3) seen.push_back(i);  // sorted, unique
  std::vector<int32_t> out;
  for (int trial = 0; trial < 200; ++trial) {
    ASSERT_TRUE(sample_negatives(200, seen, 100, rng, &out).is_ok());
    ASSERT_EQ(out.size(), 100u);
    std::set<int32_t> uniq(out.begin(), out.end());
    EXPECT_EQ(uniq.size(), 100u);
    for (int32_t i : out) {
      ASSERT_GE(i, 0);
      ASSERT_LT(i, 200);
      ASSERT_NE(i % 3, 0) << "sampled seen item " << i;
    }
  }
}

TEST(RecsysSampler, ExactlyEnoughAndTooFew) {
  Rng rng(1);
  std::vector<int32_t> seen{0, 2, 4};
  std::vector<int32_t> out;
  ASSERT_TRUE(sample_negatives(6, seen, 3, rng, &out).is_ok());
  std::set<int32_t> got(out.begin(), out.end());
  EXPECT_EQ(got, (std::set<int32_t>{1, 3, 5}));
  EXPECT_FALSE(sample_negatives(6, seen, 4, rng, &out).is_ok());
}

TEST(RecsysSampler, UniformOverUnseen) {
  Rng rng(3);
  std::vector<int32_t> seen{1};
  std::vector<int32_t> out;
  std::vector<int> hits(10, 0);
  for (int t = 0; t < 9000; ++t) {
    ASSERT_TRUE(sample_negatives(10, seen, 1, rng, &out).is_ok());
    hits[static_cast<size_t>(out[0])]++;
  }
  EXPECT_EQ(hits[1], 0);
  for (int i = 0; i < 10; ++i) {
    if (i != 1) {
      EXPECT_NEAR(hits[static_cast<size_t>(i)], 1000, 150) << i;
    }
  }
}

namespace {
// Scores item i as -i (item 0 best), regardless of the user.
class FixedOrder final : public SequentialRecommender {
 public:
  explicit FixedOrder(int32_t n) : n_(n) {}
  std::string_view type() const override { return "fixed"; }
  Status fit(const TrainData&, const RecConfig&, const Context&) override { return Status::ok(); }
  int32_t n_items() const override { return n_; }
  void score(const UserQuery&, std::span<float> s) const override {
    for (int32_t i = 0; i < n_; ++i) s[static_cast<size_t>(i)] = -static_cast<float>(i);
  }
  void save(TensorFile*) const override {}
  Status load(const TensorFile&, const RecConfig&, int32_t, int32_t) override { return Status::ok(); }

 private:
  int32_t n_;
};
}  // namespace

TEST(RecsysEvaluate, FullRankingExcludesHistoryButNotTarget) {
  // 30 items. User 0: train {0,1,2}, valid 3, test 4. Test history {0,1,2,3}
  // is excluded, so item 4 ranks first: HR 1, NDCG 1.
  // User 1: train {20, 5}, valid 6, test 15: history {20,5,6}; items above 15
  // that remain: 0..14 minus {5,6} = 13 -> rank 13, a miss at k = 10.
  LeaveOneOutSplit s;
  s.n_items = 30;
  s.train = {{0, 1, 2}, {20, 5}};
  s.valid = {3, 6};
  s.test = {4, 15};
  FixedOrder m(30);
  EvalOptions o;
  o.protocol = Protocol::kFull;
  auto r = evaluate(m, s, o, Context{});
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->n_users, 2);
  EXPECT_DOUBLE_EQ(r->hr, 0.5);
  EXPECT_DOUBLE_EQ(r->ndcg, 0.5);
  o.k = 14;  // rank 13 is now a hit: NDCG 1/log2(15)
  r = evaluate(m, s, o, Context{});
  EXPECT_NEAR(r->ndcg, (1.0 + 1.0 / std::log2(15.0)) / 2, 1e-12);
  EXPECT_NE(r->protocol_description().find("full ranking"), std::string::npos);
}

TEST(RecsysEvaluate, SampledUsesSeedAndCapsUsers) {
  LeaveOneOutSplit s;
  s.n_items = 500;
  for (int u = 0; u < 50; ++u) {
    s.train.push_back({u, u + 100});
    s.valid.push_back(u + 200);
    s.test.push_back(u + 50);
  }
  FixedOrder m(500);
  EvalOptions o;
  o.protocol = Protocol::kSampled;
  o.n_negatives = 20;
  o.max_users = 10;
  auto a = evaluate(m, s, o, Context{});
  auto b = evaluate(m, s, o, Context{});
  ASSERT_TRUE(a.is_ok());
  EXPECT_EQ(a->n_users, 10);
  EXPECT_DOUBLE_EQ(a->hr, b->hr);
  EXPECT_GT(a->hr, 0.5);  // test items 50..99 beat most of 500 uniform items
  ThreadPool pool(3);
  Context ctx;
  ctx.pool = &pool;
  auto c = evaluate(m, s, o, ctx);
  EXPECT_DOUBLE_EQ(a->hr, c->hr);  // thread count does not change results
  EXPECT_DOUBLE_EQ(a->ndcg, c->ndcg);
  EXPECT_NE(a->protocol_description().find("20 uniform never-seen negatives"), std::string::npos);
}

TEST(RecsysEvaluate, SampledSkipsUsersWhoSawAlmostEverything) {
  LeaveOneOutSplit s;
  s.n_items = 6;
  s.train = {{0, 1, 2}, {5}};
  s.valid = {3, 1};
  s.test = {4, 0};  // user 0 has 1 unseen item, user 1 has 3
  FixedOrder m(6);
  EvalOptions o;
  o.n_negatives = 2;
  auto r = evaluate(m, s, o, Context{});
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->n_users, 1);
  EXPECT_EQ(r->n_skipped, 1);
  EXPECT_DOUBLE_EQ(r->hr, 1.0);  // item 0 beats everything
  o.n_negatives = 4;
  EXPECT_FALSE(evaluate(m, s, o, Context{}).is_ok());
}

TEST(RecsysEvaluate, NothingToEvaluateIsAnError) {
  LeaveOneOutSplit s;
  s.n_items = 5;
  s.train = {{0, 1}};
  s.valid = {kNoItem};
  s.test = {kNoItem};
  FixedOrder m(5);
  EXPECT_FALSE(evaluate(m, s, EvalOptions{}, Context{}).is_ok());
  FixedOrder wrong(6);
  EXPECT_FALSE(evaluate(wrong, s, EvalOptions{}, Context{}).is_ok());
}

namespace {
// Scores from a table, to test ties and NaN in the full-ranking pass.
class TableScores final : public SequentialRecommender {
 public:
  explicit TableScores(std::vector<float> s) : s_(std::move(s)) {}
  std::string_view type() const override { return "table"; }
  Status fit(const TrainData&, const RecConfig&, const Context&) override { return Status::ok(); }
  int32_t n_items() const override { return static_cast<int32_t>(s_.size()); }
  void score(const UserQuery&, std::span<float> out) const override { std::copy(s_.begin(), s_.end(), out.begin()); }
  void save(TensorFile*) const override {}
  Status load(const TensorFile&, const RecConfig&, int32_t, int32_t) override { return Status::ok(); }

 private:
  std::vector<float> s_;
};
}  // namespace

TEST(RecsysEvaluate, FullRankingMatchesCountRankWithTiesAndNan) {
  // Items 0..7; history {0, 1, 2} (train 0,1 + valid 2), target 5.
  std::vector<float> s{9.0f, 1.0f, 1.0f, 1.0f, NAN, 1.0f, 0.5f, 2.0f};
  LeaveOneOutSplit sp;
  sp.n_items = 8;
  sp.train = {{0, 1}};
  sp.valid = {2};
  sp.test = {5};
  EvalOptions o;
  o.protocol = Protocol::kFull;
  o.k = 2;
  TableScores m(s);
  auto r = evaluate(m, sp, o, Context{});
  ASSERT_TRUE(r.is_ok());
  // Candidates besides the target: 3 (1.0, tie), 4 (NaN), 6 (0.5), 7 (2.0).
  std::vector<float> others{1.0f, NAN, 0.5f, 2.0f};
  const RankCounts rc = count_rank(1.0f, others);
  EXPECT_EQ(rc.greater, 1);
  EXPECT_EQ(rc.ties, 1);
  EXPECT_DOUBLE_EQ(r->hr, hit_rate_at_k(rc, 2));
  EXPECT_DOUBLE_EQ(r->hr, 0.5);
  EXPECT_DOUBLE_EQ(r->ndcg, ndcg_at_k(rc, 2));
  // A NaN target ranks below all 4 other candidates.
  sp.test = {4};
  r = evaluate(m, sp, o, Context{});
  ASSERT_TRUE(r.is_ok());
  EXPECT_DOUBLE_EQ(r->hr, 0.0);
}
