#include "marketlm/apps/adcopy/dataset.h"

#include <gtest/gtest.h>

#include <set>

#include "marketlm/apps/adcopy/prepare.h"

namespace marketlm::adcopy {
namespace {

TEST(AdcopyDataset, AdgenLineBecomesBriefAndPair) {
  auto recs = parse_adgen(
      R"({"content": "类型#上衣*材质#牛仔布*颜色#白色*风格#简约*图案#刺绣*衣样式#外套*图案#刺绣", "summary": "简约的牛仔外套。"})"
      "\n\n",
      "dev.json");
  ASSERT_TRUE(recs.is_ok()) << recs.status().to_string();
  ASSERT_EQ(recs->size(), 1u);
  EXPECT_EQ((*recs)[0].attributes.size(), 7u);
  Brief b = brief_from_adgen((*recs)[0]);
  EXPECT_EQ(b.product, "上衣");
  EXPECT_EQ(b.features, (std::vector<std::string>{"牛仔布", "白色", "简约", "刺绣", "外套"}));
  AdPair p = pair_from_adgen((*recs)[0], 12);
  EXPECT_EQ(p.id, "adgen-00012");
  EXPECT_EQ(p.prompt, "<|brief|>产品：上衣\n特点：牛仔布、白色、简约、刺绣、外套\n<|copy|>");
  // JSONL round trip.
  auto back = parse_pairs_jsonl(pair_to_jsonl(p) + "\n", "x.jsonl");
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ((*back)[0].completion, "简约的牛仔外套。");
  EXPECT_EQ((*back)[0].brief.features, b.features);
  EXPECT_EQ((*back)[0].prompt, p.prompt);
}

TEST(AdcopyDataset, BadAdgenLinesNameTheLine) {
  auto a = parse_adgen("{\"content\": \"类型#裙\", \"summary\": \"x\"}\n{\"content\": 3}\n", "dev.json");
  ASSERT_FALSE(a.is_ok());
  EXPECT_NE(a.status().message().find("dev.json:2"), std::string::npos);
  auto b = parse_adgen("{\"content\": \"类型裙\", \"summary\": \"x\"}\n", "dev.json");
  ASSERT_FALSE(b.is_ok());
  EXPECT_NE(b.status().message().find("key#value"), std::string::npos);
  auto numeric_id = parse_pairs_jsonl("{\"id\": 7, \"prompt\": \"p\", \"completion\": \"c\"}\n", "pairs.jsonl");
  ASSERT_TRUE(numeric_id.is_ok());
  EXPECT_EQ((*numeric_id)[0].id, "7");
  EXPECT_FALSE(parse_pairs_jsonl("{\"id\": [1], \"prompt\": \"p\", \"completion\": \"c\"}\n", "p.jsonl").is_ok());
  Brief bad_utf8;
  bad_utf8.product = "\xFF\xFE";
  EXPECT_NE(brief_to_json(bad_utf8).find("product"), std::string::npos);  // replaced, no throw
  auto c = parse_pairs_jsonl("{\"prompt\": \"p\"}\n", "pairs.jsonl");
  ASSERT_FALSE(c.is_ok());
  EXPECT_NE(c.status().message().find("completion"), std::string::npos);
}

TEST(AdcopyDataset, HeldOutSplitIsSeededDisjointAndComplete) {
  Split a = held_out_split(870, 0.1, 7), b = held_out_split(870, 0.1, 7), c = held_out_split(870, 0.1, 8);
  EXPECT_EQ(a.eval.size(), 87u);
  EXPECT_EQ(a.train.size(), 783u);
  EXPECT_EQ(a.eval, b.eval);
  EXPECT_NE(a.eval, c.eval);
  std::set<size_t> all(a.train.begin(), a.train.end());
  for (size_t i : a.eval) EXPECT_TRUE(all.insert(i).second);
  EXPECT_EQ(all.size(), 870u);
}

TEST(AdcopyDataset, CsvQuotingAndReviews) {
  auto rows = parse_csv("a,b\n\"x, y\",\"say \"\"hi\"\"\nnext\"\n", "t.csv");
  ASSERT_TRUE(rows.is_ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[1][0], "x, y");
  EXPECT_EQ((*rows)[1][1], "say \"hi\"\nnext");
  EXPECT_FALSE(parse_csv("a,\"b\n", "t.csv").is_ok());
  auto r = parse_shopping_reviews("\xEF\xBB\xBF" "cat,label,review\n书籍,1,好书，推荐, 值得\n水果,0,  不新鲜 \n", "s.csv");
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].text, "好书，推荐, 值得");  // unquoted comma joined back
  EXPECT_EQ((*r)[1].label, 0);
  EXPECT_EQ((*r)[1].text, "不新鲜");
  EXPECT_FALSE(parse_shopping_reviews("cat,label,review\n书籍,x,好\n", "s.csv").is_ok());
  EXPECT_EQ(clean_text("\xEF\xBB\xBF  a \t\n b "), "a b");
}

TEST(AdcopyDataset, TfidfPicksRareTermsInTextOrder) {
  TermStats st;
  st.n_docs = 100;
  st.df = {{"质量", 50}, {"屏幕", 5}, {"续航", 2}, {"不错", 80}};
  std::set<std::string> stop = {"非常"};
  std::vector<std::string> words = {"屏幕", "非常", "清晰", "，", "续航", "不错", "质量", "好", "ab"};
  // idf: 清晰 (df 0) log(101/1) > 续航 log(101/3) > 屏幕 log(101/6) > 质量 > 不错.
  EXPECT_EQ(top_tfidf_terms(words, st, stop, 3), (std::vector<std::string>{"屏幕", "清晰", "续航"}));
  EXPECT_FALSE(is_feature_term("好", stop));
  EXPECT_FALSE(is_feature_term("非常", stop));
  EXPECT_FALSE(is_feature_term("ab", stop));
}

TEST(AdcopyDataset, CopyLikeFilter) {
  EXPECT_TRUE(is_copy_like("这个苹果非常好吃，口感好，香脆甜！"));
  EXPECT_FALSE(is_copy_like("?好评???好?好评??好"));
  EXPECT_FALSE(is_copy_like("good good very good 好"));
}

TEST(AdcopyDataset, GoalBriefMovesTheProductIntoATarget) {
  AdPair p;
  p.id = "reviews-7";
  p.source = "reviews";
  p.brief.product = "书籍";
  p.brief.features = {"专业", "学习"};
  p.brief.language = Language::kZh;
  goal_brief(p);
  EXPECT_TRUE(p.brief.product.empty());
  EXPECT_TRUE(p.brief.target == "提供专业的书籍" || p.brief.target == "提供学习的书籍") << p.brief.target;
  EXPECT_EQ(p.prompt, "<|brief|>目标：" + p.brief.target + "\n特点：专业、学习\n体裁：买家评价\n<|copy|>");
  const std::string once = p.prompt;
  goal_brief(p);  // no product left: nothing changes
  EXPECT_EQ(p.prompt, once);

  AdPair ad;
  ad.id = "adgen-00001";
  ad.source = "adgen";
  ad.brief.product = "裙";
  ad.brief.features = {"显瘦"};
  goal_brief(ad);
  EXPECT_EQ(ad.prompt, "<|brief|>目标：提供显瘦的裙\n特点：显瘦\n<|copy|>");
  AdPair en;
  en.id = "clothing-3";
  en.brief.product = "dresses";
  en.brief.features = {"petite"};
  en.brief.language = Language::kEn;
  goal_brief(en);
  EXPECT_EQ(en.prompt, "<|brief|>Goal: offer dresses with petite\nFeatures: petite\n<|copy|>");

  // A copy that fits one SMS gets the SMS prompt; one too long for any listed channel stays generic.
  AdPair sms = ad;
  sms.completion = "显瘦的连衣裙，夏天穿正好。";
  ASSERT_TRUE(channel_brief(sms, {"sms", "weibo"}));
  EXPECT_EQ(sms.brief.channel, "sms");
  EXPECT_EQ(sms.prompt, "<|brief|>目标：提供显瘦的裙\n特点：显瘦\n渠道：短信\n字段：短信（不超过70字）\n<|copy|>");
  AdPair long_copy = ad;
  long_copy.completion = std::string(300 * 3, 'x');
  EXPECT_FALSE(channel_brief(long_copy, {"sms", "weibo"}));
  EXPECT_EQ(long_copy.prompt, ad.prompt);

  // About one id in three is picked, always the same ones.
  int picked = 0;
  for (int i = 0; i < 3000; ++i) picked += picked_for_goal_brief("reviews-" + std::to_string(i), 3);
  EXPECT_GT(picked, 900);
  EXPECT_LT(picked, 1100);
  EXPECT_EQ(picked_for_goal_brief("adgen-00042", 3), picked_for_goal_brief("adgen-00042", 3));
  EXPECT_FALSE(picked_for_goal_brief("adgen-00042", 0));
}

}  // namespace
}  // namespace marketlm::adcopy
