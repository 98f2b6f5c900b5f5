// Each baseline on a tiny synthetic case whose best answer is known.
#include <gtest/gtest.h>

#include <algorithm>

#include "marketlm/apps/recsys/model_dir.h"
#include "marketlm/apps/recsys/recommender.h"

using namespace marketlm;
using namespace marketlm::recsys;

namespace {
std::unique_ptr<SequentialRecommender> fitted(const std::string& type, const std::vector<std::vector<int32_t>>& seqs,
                                              int32_t n_items, RecConfig cfg = {}) {
  cfg.model_type = type;
  auto m = make_recommender(type);
  EXPECT_TRUE(m.is_ok());
  auto model = std::move(m).value();
  Status s = model->fit({seqs, n_items}, cfg, Context{});
  EXPECT_TRUE(s.is_ok()) << s.to_string();
  return model;
}

int32_t top1(const SequentialRecommender& m, std::vector<int32_t> history, int32_t user = -1) {
  auto recs = recommend_top_k(m, {user, history}, {1, false, false});
  return recs.empty() ? -1 : recs[0].item;
}
}  // namespace

TEST(RecsysBaselines, UnknownTypeListsKnownOnes) {
  auto m = make_recommender("sasrec2");
  ASSERT_FALSE(m.is_ok());
  EXPECT_NE(m.status().message().find("pop, itemknn, bpr, markov"), std::string::npos);
}

TEST(RecsysBaselines, PopularityRanksByCountAndSkipsSeen) {
  auto m = fitted("pop", {{0, 1, 2}, {2, 3}, {2, 1}}, 5);
  EXPECT_EQ(top1(*m, {}), 2);
  EXPECT_EQ(top1(*m, {2}), 1);  // 2 already seen
  auto all = recommend_top_k(*m, {-1, {}}, {10, false, false});
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all[4].item, 4);  // never seen: last
  EXPECT_FLOAT_EQ(all[0].score, 3.0f);
  auto with_seen = recommend_top_k(*m, {-1, std::vector<int32_t>{2}}, {1, true, false});
  EXPECT_EQ(with_seen[0].item, 2);
}

TEST(RecsysBaselines, MarkovFollowsTransitionsAndExplains) {
  // 0 -> 1 twice, 0 -> 2 once; 3 -> 4. Item 2 is the most popular overall.
  std::vector<std::vector<int32_t>> seqs{{0, 1}, {0, 1}, {0, 2}, {3, 4}, {2, 2, 2, 2}};
  RecConfig cfg;
  cfg.history_len = 1;
  auto m = fitted("markov", seqs, 6, cfg);
  EXPECT_EQ(top1(*m, {3, 0}), 1);
  EXPECT_EQ(top1(*m, {0, 3}), 4);
  std::vector<int32_t> h{3, 0};
  auto recs = recommend_top_k(*m, {-1, h}, {2, false, true});
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[1].item, 2);
  ASSERT_EQ(recs[0].because.size(), 1u);
  EXPECT_EQ(recs[0].because[0].item, 0);
  EXPECT_EQ(recs[0].because[0].steps_ago, 0);
  EXPECT_NEAR(recs[0].because[0].value, 2.0f / 3.0f, 1e-6);
  // Unseen last item: popularity decides (item 2 most frequent).
  EXPECT_EQ(top1(*m, {5}), 2);
}

TEST(RecsysBaselines, MarkovUsesOlderItemsWithDecay) {
  std::vector<std::vector<int32_t>> seqs{{0, 1}, {2, 3}, {2, 3}};
  RecConfig cfg;
  cfg.history_len = 2;
  cfg.recency_decay = 0.5f;
  auto m = fitted("markov", seqs, 5, cfg);
  std::vector<int32_t> h{0, 2};
  auto recs = recommend_top_k(*m, {-1, h}, {2, false, true});
  EXPECT_EQ(recs[0].item, 3);  // from the latest item, weight 1
  EXPECT_EQ(recs[1].item, 1);  // from one step back, weight 0.5
  ASSERT_EQ(recs[1].because.size(), 1u);
  EXPECT_EQ(recs[1].because[0].steps_ago, 1);
  EXPECT_NEAR(recs[1].because[0].value, 0.5f, 1e-6);
}

TEST(RecsysBaselines, ItemKnnRecommendsCoOccurringItems) {
  std::vector<std::vector<int32_t>> seqs{{0, 1}, {1, 0}, {0, 1, 5}, {2, 3}, {3, 2}, {4}, {4}, {4}};
  auto m = fitted("itemknn", seqs, 6);
  EXPECT_EQ(top1(*m, {0}), 1);
  EXPECT_EQ(top1(*m, {2}), 3);
  auto recs = recommend_top_k(*m, {-1, std::vector<int32_t>{2, 0}}, {1, false, true});
  ASSERT_EQ(recs[0].item, 1);
  ASSERT_FALSE(recs[0].because.empty());
  EXPECT_EQ(recs[0].because[0].item, 0);
  // cosine(0, 1) = 3 users together / sqrt(3 * 3) = 1.
  EXPECT_NEAR(recs[0].because[0].value, 1.0f, 1e-6);
}

TEST(RecsysBaselines, ItemKnnWindowLimitsCoOccurrence) {
  std::vector<std::vector<int32_t>> seqs{{0, 1, 2, 3}};
  RecConfig cfg;
  cfg.knn_window = 1;
  cfg.history_len = 1;
  cfg.pop_weight = 0;
  auto m = fitted("itemknn", seqs, 4, cfg);
  std::vector<float> s(4);
  std::vector<int32_t> h{0};
  m->score({-1, h}, s);
  EXPECT_GT(s[1], 0.5f);
  EXPECT_EQ(s[2], 0.0f);  // outside the window
  EXPECT_EQ(s[3], 0.0f);
}

TEST(RecsysBaselines, BprSeparatesTwoGroups) {
  std::vector<std::vector<int32_t>> seqs;
  for (int u = 0; u < 40; ++u) {
    std::vector<int32_t> s;
    const int base = (u % 2 == 0) ? 0 : 6;
    for (int k = 0; k < 5; ++k) s.push_back(base + (u / 2 + k) % 6);
    seqs.push_back(s);
  }
  RecConfig cfg;
  cfg.bpr_factors = 8;
  cfg.bpr_epochs = 60;
  auto m = fitted("bpr", seqs, 12, cfg);
  // Known user 0 (group 0-5) has seen 5 of 0..5: the remaining one wins.
  const auto& h0 = seqs[0];
  const int32_t best = top1(*m, h0, 0);
  EXPECT_LT(best, 6);
  EXPECT_EQ(std::count(h0.begin(), h0.end(), best), 0);
  // A new user folded in from a group-1 history gets a group-1 item.
  EXPECT_GE(top1(*m, {6, 7, 8}), 6);
  // Same seed, same model.
  auto again = fitted("bpr", seqs, 12, cfg);
  std::vector<float> a(12), b(12);
  m->score({3, {}}, a);
  again->score({3, {}}, b);
  EXPECT_EQ(a, b);
}

TEST(RecsysBaselines, TrainSplitNeverSeesHeldOutItems) {
  // The transitions c -> d (valid -> test) and b -> c (train -> valid) appear
  // only at the end of u1's sequence, so a model fitted on the training part
  // must not know them; fitted on all data it must.
  auto d = parse_sequence_lines("u1 a b c d\nu2 a b e f\nu3 e f a b\n", "t.txt");
  ASSERT_TRUE(d.is_ok());
  RecConfig cfg;
  cfg.model_type = "markov";
  cfg.history_len = 1;
  cfg.pop_weight = 0;
  auto held = train_model(*d, cfg, false, "t.txt", Context{});
  auto all = train_model(*d, cfg, true, "t.txt", Context{});
  ASSERT_TRUE(held.is_ok() && all.is_ok());
  const int32_t b = d->items.find("b"), c = d->items.find("c"), dd = d->items.find("d");
  std::vector<float> s(static_cast<size_t>(d->n_items()));
  std::vector<int32_t> hc{c}, hb{b};
  held->model->score({-1, hc}, s);
  EXPECT_EQ(s[static_cast<size_t>(dd)], 0.0f);
  held->model->score({-1, hb}, s);
  EXPECT_EQ(s[static_cast<size_t>(c)], 0.0f);
  all->model->score({-1, hc}, s);
  EXPECT_GT(s[static_cast<size_t>(dd)], 0.0f);
}
