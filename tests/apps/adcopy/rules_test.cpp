#include "marketlm/apps/adcopy/rules.h"

#include <gtest/gtest.h>

#include <cctype>

#include "marketlm/apps/adcopy/text_width.h"

namespace marketlm::adcopy {
namespace {

const ChannelPreset& rsa() { return **find_channel("google_rsa"); }
const FieldSpec& headline() { return *rsa().field("headline"); }
const FieldSpec& description() { return *rsa().field("description"); }

const RuleResult* find(const CheckReport& r, const std::string& rule) {
  for (const auto& x : r.results)
    if (x.rule == rule) return &x;
  return nullptr;
}

TEST(AdcopyRules, HeadlineLengthCountsCjkDouble) {
  // 15 CJK characters = 30 columns: exactly at Google's headline limit.
  EXPECT_TRUE(check_length(headline(), "高质量办公用品低价格一站式采购").passed);
  RuleResult r = check_length(headline(), "高质量办公用品低价格一站式采购啦");
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.rule, kRuleLength);
  EXPECT_NE(r.detail.find("32 > 30"), std::string::npos);
  EXPECT_TRUE(check_length(headline(), std::string(30, 'a')).passed);
  EXPECT_FALSE(check_length(headline(), std::string(31, 'a')).passed);
  EXPECT_TRUE(check_length(description(), std::string(90, 'a')).passed);
  EXPECT_FALSE(check_length(description(), std::string(91, 'a')).passed);
}

TEST(AdcopyRules, EveryChannelLimit) {
  const FieldSpec& meta = *(*find_channel("meta"))->field("primary_text");
  EXPECT_TRUE(check_length(meta, std::string(125, 'a')).passed);
  EXPECT_FALSE(check_length(meta, std::string(126, 'a')).passed);
  std::string zh125;
  for (int i = 0; i < 125; ++i) zh125 += "好";
  EXPECT_TRUE(check_length(meta, zh125).passed);  // Meta counts characters
  const FieldSpec& sms = (*find_channel("sms"))->fields[0];
  std::string zh70, zh71;
  for (int i = 0; i < 70; ++i) zh70 += "惠";
  zh71 = zh70 + "惠";
  EXPECT_TRUE(check_length(sms, zh70).passed);
  EXPECT_FALSE(check_length(sms, zh71).passed);
  EXPECT_TRUE(check_length(sms, std::string(160, 'a')).passed);  // GSM-7
  EXPECT_FALSE(check_length(sms, std::string(161, 'a')).passed);
  EXPECT_FALSE(check_length(sms, std::string(69, 'a') + "惠惠").passed);  // UCS-2: 71 units
  const FieldSpec& weibo = (*find_channel("weibo"))->fields[0];
  std::string zh140;
  for (int i = 0; i < 140; ++i) zh140 += "微";
  EXPECT_TRUE(check_length(weibo, zh140).passed);
  EXPECT_FALSE(check_length(weibo, zh140 + "a").passed);
  const FieldSpec& subj = (*find_channel("email_subject"))->fields[0];
  EXPECT_TRUE(check_length(subj, std::string(60, 'a')).passed);
  EXPECT_FALSE(check_length(subj, std::string(61, 'a')).passed);
}

TEST(AdcopyRules, GoogleEditorialRules) {
  EXPECT_FALSE(check_no_exclamation("Great pens!").passed);
  EXPECT_FALSE(check_no_exclamation("好笔！").passed);
  EXPECT_TRUE(check_no_exclamation("Great pens.").passed);
  EXPECT_FALSE(check_no_all_caps("Buy FREE pens").passed);
  EXPECT_TRUE(check_no_all_caps("USB pens for iPhone").passed);  // short acronym, mixed case
  EXPECT_FALSE(check_no_repeated_punctuation("Wow!!").passed);
  EXPECT_FALSE(check_no_repeated_punctuation("真的吗？！").passed);
  EXPECT_FALSE(check_no_repeated_punctuation("好。。").passed);
  EXPECT_TRUE(check_no_repeated_punctuation("好，真好。").passed);
  EXPECT_TRUE(check_no_repeated_punctuation("好用……真好——推荐").passed);  // Chinese ellipsis and dash
  EXPECT_FALSE(check_no_repeated_punctuation("好用………").passed);
  EXPECT_FALSE(check_no_phone_number("Call 400-123-4567 now").passed);
  EXPECT_FALSE(check_no_phone_number("致电13800138000").passed);
  EXPECT_TRUE(check_no_phone_number("Only 299 yuan, 50% off").passed);
  EXPECT_FALSE(check_supported_characters("好笔😀").passed);
  EXPECT_FALSE(check_supported_characters("ｱｲ").passed);
  EXPECT_TRUE(check_supported_characters("好笔，全场5折").passed);
  EXPECT_FALSE(check_text(description(), {}, "Great pens ✨ today", false).all_passed());
  CheckReport h = check_text(headline(), {}, "Office pens!", false);
  EXPECT_FALSE(h.all_passed());
  EXPECT_EQ(h.first_failure().rfind(kRuleNoExclamation, 0), 0u);
  // A description may carry one '!' but not two.
  EXPECT_TRUE(check_text(description(), {}, "Great pens! Order today.", false).all_passed());
  EXPECT_FALSE(check_text(description(), {}, "Great pens! Order today! Now.", false).all_passed());
  // Non-Google channels do not apply the editorial rules.
  const FieldSpec& weibo = (*find_channel("weibo"))->fields[0];
  EXPECT_TRUE(check_text(weibo, {}, "好笔！！", false).all_passed());
}

TEST(AdcopyRules, BannedAndRequiredWords) {
  WordRules w{{"最便宜", "cheapest"}, {"办公", "Pen"}};
  EXPECT_FALSE(check_banned(w.banned, "全网最便宜的笔").passed);
  EXPECT_FALSE(check_banned(w.banned, "The CHEAPEST pen").passed);  // ASCII case-insensitive
  EXPECT_TRUE(check_banned(w.banned, "便宜又好用").passed);
  RuleResult r = check_required(w.required, "办公好帮手");
  EXPECT_FALSE(r.passed);
  EXPECT_NE(r.detail.find("Pen"), std::string::npos);
  EXPECT_TRUE(check_required(w.required, "办公好帮手 pen").passed);
  const FieldSpec& weibo = (*find_channel("weibo"))->fields[0];
  CheckReport c = check_text(weibo, w, "最便宜的办公pen", true);
  EXPECT_FALSE(c.all_passed());
  EXPECT_FALSE(find(c, kRuleBannedWord)->passed);
  EXPECT_TRUE(find(c, kRuleRequiredKeyword)->passed);
}

TEST(AdcopyRules, ValidateVariantCountsFieldsAndKeywords) {
  WordRules w{{}, {"文具"}};
  AdVariant v;
  v.parts = {{"headline", "优质办公用品"}, {"headline", "低价文具"}, {"description", "多样化选择，满足企业采购需求。"}};
  CheckReport r = validate_variant(rsa(), w, v);
  EXPECT_FALSE(r.all_passed());  // 2 headlines and 1 description: both below the minimum
  int count_failures = 0;
  for (const auto& x : r.results)
    if (x.rule == kRuleFieldCount && !x.passed) ++count_failures;
  EXPECT_EQ(count_failures, 2);
  v.parts.push_back({"headline", "一站式采购"});
  v.parts.push_back({"description", "高质量产品，价格实惠。"});
  r = validate_variant(rsa(), w, v);
  EXPECT_TRUE(r.all_passed()) << r.first_failure();
  v.parts.push_back({"sitelink", "x"});
  EXPECT_FALSE(validate_variant(rsa(), w, v).all_passed());
  AdVariant no_kw;
  no_kw.parts = {{"post", "好用的笔"}};
  CheckReport k = validate_variant(**find_channel("weibo"), w, no_kw);
  EXPECT_FALSE(find(k, kRuleRequiredKeyword)->passed);
  CheckReport empty = validate_variant(**find_channel("weibo"), {}, AdVariant{{{"post", "  "}}, 0.0});
  EXPECT_FALSE(find(empty, kRuleNotEmpty)->passed);
}

TEST(AdcopyRules, PrefixCheckerLength) {
  PrefixChecker pc(headline(), {}, false);
  std::string p = "高质量办公用品低价格一站式采";  // 14 CJK = 28
  EXPECT_TRUE(pc.check_append(p, "购").passed);
  RuleResult r = pc.check_append(p, "购物");
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.rule, kRuleLength);
  EXPECT_EQ(pc.remaining(p), 2u);
  // A piece ending mid-character counts as width 1 until it completes.
  std::string gou = "购";
  EXPECT_TRUE(pc.check_append(p, gou.substr(0, 1)).passed);
  EXPECT_TRUE(pc.check_append(p + "a", gou.substr(0, 2)).passed);  // 29 + 1 (pending)
  EXPECT_FALSE(pc.check_append(p + "a" + gou.substr(0, 2), gou.substr(2)).passed);  // 31
}

TEST(AdcopyRules, PrefixCheckerBannedAcrossPieces) {
  PrefixChecker pc((*find_channel("weibo"))->fields[0], {{"最便宜"}, {}}, false);
  EXPECT_TRUE(pc.check_append("全网最", "便").passed);
  RuleResult r = pc.check_append("全网最便", "宜的笔");
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.rule, kRuleBannedWord);
}

TEST(AdcopyRules, PrefixCheckerKeepsRoomForKeywords) {
  // 30-column headline that must still contain "文具" (4 columns).
  PrefixChecker pc(headline(), {{}, {"文具"}}, true);
  std::string p = "高质量办公用品低价格一站";  // 12 CJK = 24 columns, 6 left
  EXPECT_TRUE(pc.check_append(p, "好").passed);        // 26, 4 left: still room
  RuleResult r = pc.check_append(p, "好物");           // 28, 2 left < 4
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.rule, kRuleRequiredKeyword);
  EXPECT_TRUE(pc.check_append(p + "好物", "文").passed == false);  // 30: no room for "具"
  EXPECT_TRUE(pc.check_append(p + "好", "文").passed);             // keyword begun: needs 2 more
  EXPECT_TRUE(pc.check_append(p + "好文", "具").passed);
}

TEST(AdcopyRules, PrefixCheckerEditorial) {
  PrefixChecker pc(headline(), {}, false);
  EXPECT_FALSE(pc.check_append("Great pens", "!").passed);
  EXPECT_TRUE(pc.check_append("Get it ", "FRE").passed);  // word not finished yet
  EXPECT_FALSE(pc.check_append("Get it FREE", " now").passed);
  EXPECT_FALSE(pc.check_append("Call 400-123-", "4567").passed);
  EXPECT_FALSE(pc.check_append("Great.", ".").passed);
}

TEST(AdcopyRules, NearDuplicates) {
  EXPECT_DOUBLE_EQ(ngram_jaccard("abc", "abc"), 1.0);
  // bigrams {ab, bc} vs {ab, bd}: 1 shared of 3.
  EXPECT_DOUBLE_EQ(ngram_jaccard("abc", "abd"), 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(ngram_jaccard("", ""), 1.0);
  EXPECT_DOUBLE_EQ(ngram_jaccard("a", ""), 0.0);
  // Punctuation and spaces are ignored.
  EXPECT_DOUBLE_EQ(ngram_jaccard("高质量，低价格！", "高质量 低价格"), 1.0);
  std::vector<std::string> texts = {"高质量办公用品，低价格多样化", "高质量办公用品，低价格多样化！",
                                    "一站式采购，企业办公更轻松"};
  auto d = find_near_duplicates(texts, 0.6);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].i, 0u);
  EXPECT_EQ(d[0].j, 1u);
  EXPECT_EQ(keep_distinct(texts, 0.6), (std::vector<size_t>{0, 2}));
}

}  // namespace
}  // namespace marketlm::adcopy

namespace marketlm::adcopy {
namespace {

// The prefix check and the final validator agree: text grown only from
// pieces the PrefixChecker accepts (including pieces that split a UTF-8
// character, as byte-level BPE tokens do) always passes the final rules,
// for every channel field. Seeded, so the same pieces every run.
TEST(AdcopyRules, PrefixAcceptedTextPassesFinalValidator) {
  const std::vector<std::string> vocab = {"高质量", "办公", "用品", "低价", "最便", "宜", "！", "!", "。", "，",
                                          "FREE", " ", "Free", "400-", "123-", "4567", "文具", "😀", "a", "……",
                                          "多样化", "，", "超值"};
  std::vector<std::string> pieces = vocab;
  std::string zhong = "中";  // split a 3-byte character into byte-level pieces
  pieces.push_back(zhong.substr(0, 1));
  pieces.push_back(zhong.substr(1, 1));
  pieces.push_back(zhong.substr(2, 1));
  WordRules words{{"最便宜"}, {}};
  uint64_t state = 12345;
  auto next = [&state](size_t n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<size_t>((state >> 33) % n);
  };
  int checked = 0;
  for (const auto& ch : channel_presets()) {
    for (const auto& field : ch.fields) {
      PrefixChecker pc(field, words, false);
      for (int trial = 0; trial < 40; ++trial) {
        std::string text;
        for (int step = 0; step < 200; ++step) {
          const std::string& p = pieces[next(pieces.size())];
          if (pc.check_append(text, p).passed) text += p;
        }
        // Drop an unfinished character at the end, as a decoder would not stop there.
        text.resize(text.size() - incomplete_utf8_tail(text));
        if (trim(text).empty()) continue;
        CheckReport r = check_text(field, words, text, false);
        // A word still being written when decoding stops is judged by the
        // final check only, so all-caps is compared on the finished words.
        std::string finished = text;  // all words but a trailing one still being written
        while (!finished.empty() && std::isalpha(static_cast<unsigned char>(finished.back()))) finished.pop_back();
        if (field.google_editorial) {
          EXPECT_TRUE(check_no_all_caps(finished).passed) << finished;
        }
        for (const auto& x : r.results) {
          if (x.rule == kRuleNoAllCaps) continue;
          EXPECT_TRUE(x.passed) << ch.name << "/" << field.name << ": " << x.rule << " " << x.detail
                                << " in '" << text << "'";
        }
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 200);
}

}  // namespace
}  // namespace marketlm::adcopy
