#include "marketlm/apps/adcopy/prompt.h"

#include <gtest/gtest.h>

namespace marketlm::adcopy {
namespace {

TEST(AdcopyPrompt, ChineseBriefRendersFixedLayout) {
  Brief b;
  b.target = "提供高质量的办公用品";
  b.features = {"低价格", "高质量", "多样化"};
  EXPECT_EQ(render_prompt(b),
            "<|brief|>目标：提供高质量的办公用品\n特点：低价格、高质量、多样化\n<|copy|>");
  b.product = "办公用品";
  b.objective = Objective::kConversion;
  b.channel = "weibo";
  b.keywords = {"文具"};
  EXPECT_EQ(render_prompt(b, &(*find_channel("weibo"))->fields[0]),
            "<|brief|>产品：办公用品\n目标：提供高质量的办公用品\n目的：转化\n特点：低价格、高质量、多样化\n"
            "渠道：微博\n字段：微博（不超过140字）\n关键词：文具\n<|copy|>");
}

TEST(AdcopyPrompt, ReviewPairsSayWhatTheyAre) {
  Brief b;
  b.product = "书籍";
  b.features = {"专业", "学习"};
  EXPECT_EQ(render_review_prompt(b), "<|brief|>产品：书籍\n特点：专业、学习\n体裁：买家评价\n<|copy|>");
  b.language = Language::kEn;
  b.product = "shoes";
  b.features = {"comfortable"};
  EXPECT_EQ(render_review_prompt(b), "<|brief|>Product: shoes\nFeatures: comfortable\nKind: customer review\n<|copy|>");
  EXPECT_EQ(render_review_prompt(b).find("Kind:"), render_prompt(b).find("<|copy|>"));
}

TEST(AdcopyPrompt, EnglishBriefAndGoogleHeadline) {
  Brief b;
  b.product = "office supplies";
  b.features = {"low price", "high quality"};
  b.tone = "friendly";
  b.channel = "google_rsa";
  const FieldSpec* h = (*find_channel("google_rsa"))->field("headline");
  EXPECT_EQ(render_prompt(b, h),
            "<|brief|>Product: office supplies\nFeatures: low price; high quality\nTone: friendly\n"
            "Channel: google_rsa\nField: headline (at most 30 characters)\n<|copy|>");
  b.language = Language::kZh;  // forced Chinese labels; Google headline = 15 CJK characters
  EXPECT_NE(render_prompt(b, h).find("字段：标题（不超过15字）"), std::string::npos);
  EXPECT_EQ(render_completion("Buy now."), "Buy now.<|endoftext|>");
  auto fps = render_channel_prompts(b);
  ASSERT_EQ(fps.size(), 2u);
  EXPECT_EQ(fps[0].field, "headline");
  EXPECT_EQ(fps[1].field, "description");
  EXPECT_NE(fps[1].prompt.find("不超过45字"), std::string::npos);
  b.channel = "generic";
  ASSERT_EQ(render_channel_prompts(b).size(), 1u);
  EXPECT_EQ(render_channel_prompts(b)[0].prompt, render_prompt(b));
}

}  // namespace
}  // namespace marketlm::adcopy
