#include "marketlm/apps/adcopy/report.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "marketlm/apps/adcopy/dataset.h"

namespace marketlm::adcopy {
namespace {

Brief weibo_brief() {
  Brief b;
  b.product = "办公用品";
  b.features = {"低价格", "高质量", "多样化"};
  b.channel = "weibo";
  b.banned = {"最"};
  return b;
}

TEST(AdcopyReport, JsonCarriesLengthsRulesAndFeatures) {
  std::vector<AdVariant> vs = {AdVariant{{{"post", "高质量办公用品，低价格，款式多样。"}}, -1.5},
                               AdVariant{{{"post", "最好的办公用品, \"多样化\"选择"}}, -2.0}};
  auto reports = assess_variants(weibo_brief(), vs);
  ASSERT_TRUE(reports.is_ok()) << reports.status().to_string();
  auto j = nlohmann::json::parse(format_json(weibo_brief(), *reports));
  ASSERT_EQ(j["variants"].size(), 2u);
  auto& v0 = j["variants"][0];
  EXPECT_TRUE(v0["passed"].get<bool>());
  EXPECT_EQ(v0["parts"][0]["chars"], 17);
  EXPECT_EQ(v0["parts"][0]["display_width"], 34);
  EXPECT_EQ(v0["parts"][0]["limit"], 280);
  EXPECT_EQ(v0["features_covered"], (std::vector<std::string>{"低价格", "高质量"}));
  EXPECT_DOUBLE_EQ(v0["score"].get<double>(), -1.5);
  auto& v1 = j["variants"][1];
  EXPECT_FALSE(v1["passed"].get<bool>());
  bool banned_failed = false;
  for (auto& r : v1["rules"])
    if (r["rule"] == kRuleBannedWord && !r["passed"].get<bool>()) banned_failed = true;
  EXPECT_TRUE(banned_failed);
  EXPECT_NE(format_text(*reports).find("FAIL: banned_word"), std::string::npos);
}

TEST(AdcopyReport, FeatureListSeparatorFollowsTheLanguage) {
  auto zh = assess_variants(weibo_brief(), {AdVariant{{{"post", "高质量办公用品，低价格。"}}, -1.0}});
  ASSERT_TRUE(zh.is_ok()) << zh.status().to_string();
  EXPECT_NE(format_text(*zh).find("features 2: 低价格、高质量"), std::string::npos) << format_text(*zh);
  Brief en;
  en.product = "running shoes";
  en.features = {"light", "breathable"};
  auto r = assess_variants(en, {AdVariant{{{"copy", "Light and breathable."}}, -1.0}});
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_NE(format_text(*r).find("features 2: light; breathable"), std::string::npos) << format_text(*r);
}

TEST(AdcopyReport, CsvQuotesAndParsesBack) {
  std::vector<AdVariant> vs = {AdVariant{{{"post", "最好的办公用品, \"多样化\"选择"}}, -2.0}};
  auto reports = assess_variants(weibo_brief(), vs);
  ASSERT_TRUE(reports.is_ok());
  std::string csv = format_csv(**find_channel("weibo"), *reports);
  auto rows = parse_csv(csv, "out.csv");
  ASSERT_TRUE(rows.is_ok()) << rows.status().to_string();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0][2], "text");
  EXPECT_EQ((*rows)[1][2], "最好的办公用品, \"多样化\"选择");
  EXPECT_EQ((*rows)[1][7], "false");
  EXPECT_EQ((*rows)[1][10], "多样化");
}

TEST(AdcopyReport, GoogleRsaCsvHasAdsEditorColumns) {
  Brief b = weibo_brief();
  b.channel = "google_rsa";
  AdVariant v;
  v.parts = {{"headline", "优质办公用品"}, {"headline", "低价文具"}, {"headline", "一站式采购"},
             {"description", "多样化选择，满足企业采购需求。"}, {"description", "高质量, 低价格。"}};
  auto reports = assess_variants(b, {v});
  ASSERT_TRUE(reports.is_ok());
  EXPECT_TRUE((*reports)[0].passed()) << (*reports)[0].checks.first_failure();
  auto rows = parse_csv(format_csv(**find_channel("google_rsa"), *reports), "rsa.csv");
  ASSERT_TRUE(rows.is_ok());
  ASSERT_EQ(rows->size(), 2u);
  ASSERT_EQ((*rows)[0].size(), 19u);
  EXPECT_EQ((*rows)[0][0], "Headline 1");
  EXPECT_EQ((*rows)[0][14], "Headline 15");
  EXPECT_EQ((*rows)[0][15], "Description 1");
  EXPECT_EQ((*rows)[0][18], "Description 4");
  EXPECT_EQ((*rows)[1][2], "一站式采购");
  EXPECT_EQ((*rows)[1][3], "");
  EXPECT_EQ((*rows)[1][16], "高质量, 低价格。");
}

TEST(AdcopyReport, SimilarityToEarlierVariants) {
  std::vector<AdVariant> vs = {AdVariant{{{"post", "高质量办公用品"}}, 0}, AdVariant{{{"post", "高质量办公用品！"}}, 0}};
  auto reports = assess_variants(weibo_brief(), vs);
  ASSERT_TRUE(reports.is_ok());
  EXPECT_DOUBLE_EQ((*reports)[0].max_similarity, 0.0);
  EXPECT_DOUBLE_EQ((*reports)[1].max_similarity, 1.0);
  Brief bad = weibo_brief();
  bad.channel = "fax";
  EXPECT_FALSE(assess_variants(bad, vs).is_ok());
}

}  // namespace
}  // namespace marketlm::adcopy
