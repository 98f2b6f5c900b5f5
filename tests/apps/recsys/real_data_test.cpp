// The shipped data sets parse to the sizes their SOURCE.txt states, and the
// Markov baseline clears popularity on a slice of Games (label: data).
#include <gtest/gtest.h>

#include "marketlm/apps/recsys/cold_start.h"
#include "marketlm/apps/recsys/evaluate.h"
#include "marketlm/apps/recsys/model_dir.h"

using namespace marketlm;
using namespace marketlm::recsys;

namespace {
const std::string kData = MARKETLM_SOURCE_DIR "/../shared/data";
}

TEST(RecsysRealData, GamesPairsFormat) {
  auto d = load_sequences(kData + "/sasrec/Video.txt");
  ASSERT_TRUE(d.is_ok()) << d.status().to_string();
  EXPECT_EQ(d->n_users(), 31013);
  EXPECT_EQ(d->n_items(), 23715);
  EXPECT_EQ(d->n_actions(), 287107);
}

TEST(RecsysRealData, BeautySequenceFormat) {
  auto d = load_sequences(kData + "/s3rec/Beauty.txt");
  ASSERT_TRUE(d.is_ok()) << d.status().to_string();
  EXPECT_EQ(d->n_users(), 22363);
  EXPECT_EQ(d->n_actions(), 198502);
}

TEST(RecsysRealData, MarkovBeatsPopularityOnGamesValidation) {
  auto d = load_sequences(kData + "/sasrec/Video.txt");
  ASSERT_TRUE(d.is_ok());
  const auto split = leave_one_out(*d);
  EvalOptions o;
  o.target = EvalTarget::kValid;
  o.max_users = 2000;
  double hr[2];
  int idx = 0;
  for (const char* type : {"pop", "markov"}) {
    RecConfig cfg;
    cfg.model_type = type;
    auto m = make_recommender(type);
    ASSERT_TRUE(m.is_ok());
    ASSERT_TRUE((*m)->fit({split.train, split.n_items}, cfg, Context{}).is_ok());
    auto r = evaluate(**m, split, o, Context{});
    ASSERT_TRUE(r.is_ok());
    hr[idx++] = r->hr;
  }
  EXPECT_GT(hr[1], hr[0] + 0.05) << "pop " << hr[0] << " markov " << hr[1];
}

TEST(RecsysRealData, ColdStartTitlesBeatRandomOnMovieLens) {
  auto d = load_movielens_ratings(kData + "/ml-100k/u.data");
  ASSERT_TRUE(d.is_ok()) << d.status().to_string();
  EXPECT_EQ(d->n_actions(), 100000);
  auto texts = load_movielens_item_texts(kData + "/ml-100k/u.item", "", d->items, false);
  ASSERT_TRUE(texts.is_ok()) << texts.status().to_string();
  TfidfEmbedder tfidf;
  auto emb = embed_items(tfidf, *texts);
  ASSERT_TRUE(emb.is_ok());
  auto r = evaluate_cold_start(*d, *emb, ColdStartOptions{});
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_GT(r->n_users, 500);
  EXPECT_GT(r->hr, 1.5 * r->random_hr) << r->description;
}
