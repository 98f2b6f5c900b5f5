// TF-IDF text embeddings and content scores on hand-made cases.
#include <gtest/gtest.h>

#include <cmath>

#include "marketlm/apps/recsys/cold_start.h"

using namespace marketlm::recsys;

TEST(RecsysColdStart, Words) {
  EXPECT_EQ(text_words("Toy Story (1995)"), (std::vector<std::string>{"toy", "story", "1995"}));
  EXPECT_TRUE(text_words("  ,;  ").empty());
}

TEST(RecsysColdStart, TfidfWeightsAndNorm) {
  // "story" is in 2 of 3 texts, "toy" and "alien" in 1: rarer words weigh more.
  std::vector<std::string> texts{"Toy Story", "Alien Story", "Heat"};
  TfidfEmbedder e;
  ASSERT_TRUE(e.fit(texts).is_ok());
  ASSERT_EQ(e.dim(), 4);  // alien heat story toy (sorted)
  std::vector<float> v(4);
  e.embed("Toy Story", v);
  const double idf_toy = std::log(4.0 / 2.0) + 1, idf_story = std::log(4.0 / 3.0) + 1;
  const double norm = std::sqrt(idf_toy * idf_toy + idf_story * idf_story);
  EXPECT_NEAR(v[3], idf_toy / norm, 1e-6);
  EXPECT_NEAR(v[2], idf_story / norm, 1e-6);
  EXPECT_EQ(v[0], 0.0f);
  e.embed("unknown words only", v);
  for (float x : v) EXPECT_EQ(x, 0.0f);
  TfidfEmbedder empty;
  std::vector<std::string> none{"", "--"};
  EXPECT_FALSE(empty.fit(none).is_ok());
}

TEST(RecsysColdStart, ContentScoresPreferSimilarTitles) {
  std::vector<std::string> texts{"Star Wars", "Star Trek", "Sense and Sensibility", "Emma", "Star Trek II"};
  TfidfEmbedder e;
  auto emb = embed_items(e, texts);
  ASSERT_TRUE(emb.is_ok());
  std::vector<int32_t> history{0, 1};  // Star Wars, Star Trek
  std::vector<int32_t> cand{2, 3, 4};
  std::vector<float> s(3);
  content_scores(*emb, history, 10, 1.0f, cand, s);
  EXPECT_GT(s[2], 0.3f);        // Star Trek II
  EXPECT_EQ(s[0], 0.0f);        // nothing in common
  EXPECT_EQ(s[1], 0.0f);
}
