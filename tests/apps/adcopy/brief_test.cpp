#include "marketlm/apps/adcopy/brief.h"

#include <gtest/gtest.h>

namespace marketlm::adcopy {
namespace {

bool has(const Status& s, const std::string& needle) {
  return s.message().find(needle) != std::string::npos;
}

TEST(AdcopyBrief, SplitListOnChineseAndEnglishSeparators) {
  EXPECT_EQ(split_list("低价格、高质量、多样化"),
            (std::vector<std::string>{"低价格", "高质量", "多样化"}));
  EXPECT_EQ(split_list(" cheap, durable ;light；轻便，  小巧 |"),
            (std::vector<std::string>{"cheap", "durable", "light", "轻便", "小巧"}));
  EXPECT_TRUE(split_list("、，,").empty());
  EXPECT_EQ(trim("\u3000 好 \n"), "好");
}

TEST(AdcopyBrief, ParsesFullJson) {
  auto b = parse_brief_json(R"({"product":"办公用品","target":"提供高质量的办公用品",
    "objective":"conversion","features":["低价格","高质量"],"audience":"企业采购","tone":"专业",
    "channel":"weibo","keywords":"办公、文具","banned":["最便宜"],"language":"zh"})");
  ASSERT_TRUE(b.is_ok()) << b.status().to_string();
  EXPECT_EQ(b->product, "办公用品");
  EXPECT_EQ(b->objective, Objective::kConversion);
  EXPECT_EQ(b->features.size(), 2u);
  EXPECT_EQ(b->keywords, (std::vector<std::string>{"办公", "文具"}));
  EXPECT_EQ(b->banned, (std::vector<std::string>{"最便宜"}));
  EXPECT_EQ(b->language, Language::kZh);
  EXPECT_TRUE(validate_brief(*b).is_ok());
  // Round trip through JSON.
  auto again = parse_brief_json(brief_to_json(*b));
  ASSERT_TRUE(again.is_ok()) << again.status().to_string();
  EXPECT_EQ(again->features, b->features);
  EXPECT_EQ(again->channel, "weibo");
}

TEST(AdcopyBrief, FeaturesAsOneString) {
  auto b = parse_brief_json(R"({"target":"x","features":"低价格、高质量，多样化"})");
  ASSERT_TRUE(b.is_ok());
  EXPECT_EQ(b->features.size(), 3u);
}

TEST(AdcopyBrief, MalformedJsonNamesSourceAndPosition) {
  auto b = parse_brief_json("{\"product\": \"x\",", "brief.json");
  ASSERT_FALSE(b.is_ok());
  EXPECT_TRUE(has(b.status(), "brief.json"));
  EXPECT_TRUE(has(b.status(), "malformed JSON"));
}

TEST(AdcopyBrief, WrongTypeNamesField) {
  auto b = parse_brief_json(R"({"product": 12})", "brief.json");
  ASSERT_FALSE(b.is_ok());
  EXPECT_TRUE(has(b.status(), "'product'"));
  EXPECT_TRUE(has(b.status(), "number"));
  auto c = parse_brief_json(R"({"features": ["a", 3]})", "brief.json");
  ASSERT_FALSE(c.is_ok());
  EXPECT_TRUE(has(c.status(), "features[1]"));
  auto d = parse_brief_json("[1,2]", "brief.json");
  ASSERT_FALSE(d.is_ok());
  EXPECT_TRUE(has(d.status(), "object"));
}

TEST(AdcopyBrief, UnknownFieldIsAnError) {
  auto b = parse_brief_json(R"({"product":"x","featurs":["a"]})", "brief.json");
  ASSERT_FALSE(b.is_ok());
  EXPECT_TRUE(has(b.status(), "featurs"));
  EXPECT_TRUE(has(b.status(), "features"));  // the valid list
}

TEST(AdcopyBrief, UnknownObjective) {
  auto b = parse_brief_json(R"({"product":"x","objective":"virality"})", "brief.json");
  ASSERT_FALSE(b.is_ok());
  EXPECT_TRUE(has(b.status(), "virality"));
  EXPECT_TRUE(has(b.status(), "awareness, consideration, conversion"));
  EXPECT_EQ(*parse_objective("转化"), Objective::kConversion);
  EXPECT_EQ(*parse_objective("Awareness"), Objective::kAwareness);
}

TEST(AdcopyBrief, UnknownLanguage) {
  EXPECT_FALSE(parse_language("fr").is_ok());
  EXPECT_EQ(*parse_language("EN"), Language::kEn);
}

TEST(AdcopyBrief, UnknownChannelListsValid) {
  Brief b;
  b.product = std::string("x");
  b.channel = std::string("myspace");
  Status s = validate_brief(b);
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(has(s, "myspace"));
  EXPECT_TRUE(has(s, "google_rsa, meta, sms, weibo, email_subject"));
}

TEST(AdcopyBrief, NeedsProductOrTarget) {
  Brief b;
  b.features = {"a"};
  Status s = validate_brief(b);
  ASSERT_FALSE(s.is_ok());
  EXPECT_TRUE(has(s, "product"));
  EXPECT_TRUE(has(s, "target"));
  b.target = "提供高质量的办公用品";
  EXPECT_TRUE(validate_brief(b).is_ok());
}

TEST(AdcopyBrief, KeywordLongerThanEveryFieldIsImpossible) {
  Brief b;
  b.product = "办公用品";
  b.channel = "google_rsa";
  b.keywords = {"高质量办公用品低价格多样化一站式采购平台欢迎选购"};  // 24 CJK = 48 columns
  EXPECT_TRUE(validate_brief(b).is_ok());  // fits a 90-column description
  b.keywords = {std::string(91, 'x')};
  Status s = validate_brief(b);
  ASSERT_FALSE(s.is_ok());
  EXPECT_TRUE(has(s, "longer than any field"));
  EXPECT_TRUE(has(s, "headline 91/30"));
  b.channel = "email_subject";
  b.keywords = {"限时特惠全场办公用品五折起欢迎选购高质量文具纸张"};  // 24 CJK = 48 <= 60
  EXPECT_TRUE(validate_brief(b).is_ok());
  b.keywords = {"限时特惠全场办公用品五折起", "欢迎选购高质量文具纸张和打印耗材套装"};  // together 31 CJK = 62 > 60
  s = validate_brief(b);
  ASSERT_FALSE(s.is_ok());
  EXPECT_TRUE(has(s, "together"));
}

TEST(AdcopyBrief, KeywordThatIsBannedIsImpossible) {
  Brief b;
  b.product = std::string("x");
  b.keywords = {std::string("最便宜的笔")};
  b.banned = {std::string("最便宜")};
  Status s = validate_brief(b);
  ASSERT_FALSE(s.is_ok());
  EXPECT_TRUE(has(s, "banned"));
}

TEST(AdcopyBrief, LanguageAutoDetect) {
  Brief b;
  b.product = "office supplies";
  EXPECT_EQ(resolved_language(b), Language::kEn);
  b.features = {"低价"};
  EXPECT_EQ(resolved_language(b), Language::kZh);
  b.language = Language::kEn;
  EXPECT_EQ(resolved_language(b), Language::kEn);
}

}  // namespace
}  // namespace marketlm::adcopy
