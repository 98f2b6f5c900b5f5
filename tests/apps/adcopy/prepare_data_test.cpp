// prepare-data on the real data with a small review subset: the held-out
// ADGEN split is deterministic, disjoint from training and 10% of the pairs;
// review pairs carry features found in their copy, and none speaks as a
// buyer when those are dropped.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "marketlm/apps/adcopy/buyer_voice.h"
#include "marketlm/apps/adcopy/metrics.h"
#include "marketlm/apps/adcopy/prepare.h"
#include "marketlm/apps/adcopy/prompt.h"
#include "marketlm/core/file_io.h"

namespace marketlm::adcopy {
namespace {

TEST(AdcopyPrepareData, SubsetRunWritesDeterministicSplit) {
  const std::string data = MARKETLM_SOURCE_DIR "/../shared/data";
  if (!std::filesystem::exists(data + "/advertisegen/dev.json")) GTEST_SKIP() << "no " << data;
  if (!std::filesystem::exists(kDebianJiebaDict)) GTEST_SKIP() << "python3-jieba not installed";
  PrepareOptions opt;
  opt.data_dir = data;
  opt.max_reviews = 1500;
  opt.drop_buyer_voice = true;
  std::string base = MARKETLM_BINARY_DIR "/adcopy_prepare_test";
  std::filesystem::remove_all(base);
  opt.out_dir = base + "/a";
  auto a = prepare_adcopy_data(opt, Logger());
  ASSERT_TRUE(a.is_ok()) << a.status().to_string();
  EXPECT_EQ(a->adgen_total, 870u);
  EXPECT_EQ(a->adgen_eval, 87u);
  EXPECT_EQ(a->adgen_train, 783u);
  EXPECT_EQ(a->reviews_read, 1500u);
  // About half the positive copy-like reviews speak as a buyer (收到, 快递, 我...).
  EXPECT_GT(a->review_pairs, 150u);
  EXPECT_GT(a->review_pairs_buyer_voice, 150u);
  EXPECT_GT(a->corpus_lines, 10000u);  // includes all food-delivery reviews

  opt.out_dir = base + "/b";
  opt.drop_buyer_voice = false;  // the default: every pair, the ADGEN split unchanged
  auto b = prepare_adcopy_data(opt, Logger());
  ASSERT_TRUE(b.is_ok()) << b.status().to_string();
  EXPECT_EQ(b->review_pairs, a->review_pairs + a->review_pairs_buyer_voice);
  EXPECT_EQ(b->review_pairs_buyer_voice, 0u);
  auto ea = read_file(base + "/a/adgen_eval.jsonl"), eb = read_file(base + "/b/adgen_eval.jsonl");
  ASSERT_TRUE(ea.is_ok() && eb.is_ok());
  EXPECT_EQ(*ea, *eb);  // same seed, same bytes

  auto train = load_pairs_jsonl(base + "/a/adgen_train.jsonl");
  auto eval = load_pairs_jsonl(base + "/a/adgen_eval.jsonl");
  ASSERT_TRUE(train.is_ok() && eval.is_ok());
  std::set<std::string> train_ids, train_copy;
  for (const auto& p : *train) {
    train_ids.insert(p.id);
    train_copy.insert(p.completion);
  }
  for (const auto& p : *eval) {
    EXPECT_EQ(train_ids.count(p.id), 0u) << p.id;
    EXPECT_EQ(train_copy.count(p.completion), 0u) << "held-out copy also in training: " << p.id;
    EXPECT_EQ(p.prompt.rfind("<|brief|>产品：", 0), 0u);
    EXPECT_EQ(p.prompt, render_prompt(p.brief)) << "ad pairs carry no review line: " << p.id;
  }

  auto reviews = load_pairs_jsonl(base + "/a/reviews_pairs.jsonl");
  ASSERT_TRUE(reviews.is_ok());
  for (const auto& p : *reviews) {
    ASSERT_FALSE(p.brief.features.empty());
    EXPECT_DOUBLE_EQ(feature_coverage(p.brief.features, p.completion), 1.0) << p.id;
    EXPECT_FALSE(has_buyer_voice(p.completion)) << p.id;
    const bool generic = p.brief.channel.empty() || p.brief.channel == "generic";
    EXPECT_EQ(p.prompt, render_review_prompt(p.brief, generic ? nullptr : &(*find_channel(p.brief.channel))->fields[0]))
        << p.id;
  }

  // English pairs: 1000 clothing reviews, of which 774 are rated 4 or 5
  // (42 of all rows have no review text).
  EXPECT_EQ(a->english_reviews_read, 1000u);
  EXPECT_GT(a->english_pairs, 700u);
  EXPECT_LE(a->english_pairs, 774u);
  auto english = load_pairs_jsonl(base + "/a/english_pairs.jsonl");
  ASSERT_TRUE(english.is_ok()) << english.status().to_string();
  EXPECT_EQ(english->size(), a->english_pairs);
  for (const auto& p : *english) {
    EXPECT_EQ(p.brief.language, Language::kEn);
    EXPECT_EQ(p.prompt.rfind("<|brief|>Product: ", 0), 0u) << p.id;
    EXPECT_DOUBLE_EQ(feature_coverage(p.brief.features, p.completion), 1.0) << p.id;
  }
  // English held-out pairs: the 500 positive Amazon cell-phone sentences,
  // less those without a feature term seen twice.
  EXPECT_GT(a->english_eval_pairs, 300u);
  EXPECT_LE(a->english_eval_pairs, 500u);
  auto english_eval = load_pairs_jsonl(base + "/a/english_eval.jsonl");
  ASSERT_TRUE(english_eval.is_ok()) << english_eval.status().to_string();
  EXPECT_EQ(english_eval->size(), a->english_eval_pairs);
  for (const auto& p : *english_eval) {
    EXPECT_EQ(p.id.rfind("amazon-", 0), 0u) << p.id;
    EXPECT_EQ(p.brief.product, "phone accessories") << p.id;
    EXPECT_DOUBLE_EQ(feature_coverage(p.brief.features, p.completion), 1.0) << p.id;
  }
  auto manifest = read_file(base + "/a/manifest.json");
  ASSERT_TRUE(manifest.is_ok());
  EXPECT_NE(manifest->find("english_pairs.jsonl"), std::string::npos);
  EXPECT_NE(manifest->find("english_eval.jsonl"), std::string::npos);
  std::filesystem::remove_all(base);
}

}  // namespace
}  // namespace marketlm::adcopy
