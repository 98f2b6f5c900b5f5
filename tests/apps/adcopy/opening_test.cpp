#include "marketlm/apps/adcopy/opening.h"

#include <gtest/gtest.h>

namespace marketlm::adcopy {
namespace {

Brief with_target(const std::string& target, Language lang = Language::kAuto) {
  Brief b;
  b.target = target;
  b.language = lang;
  return b;
}

TEST(TargetOpening, ChineseTargetGetsAClauseComma) {
  EXPECT_EQ(target_opening(with_target("提供高质量的办公用品")), "提供高质量的办公用品，");
}

TEST(TargetOpening, TrailingPunctuationAndSpacesAreReplaced) {
  EXPECT_EQ(target_opening(with_target("提供高质量的办公用品。")), "提供高质量的办公用品，");
  EXPECT_EQ(target_opening(with_target("  提供高质量的办公用品！ ，")), "提供高质量的办公用品，");
}

TEST(TargetOpening, EnglishTargetIsSentenceCasedWithAComma) {
  EXPECT_EQ(target_opening(with_target("offer quality office supplies.", Language::kEn)),
            "Offer quality office supplies,");
}

TEST(TargetOpening, NoTargetNoOpening) {
  EXPECT_EQ(target_opening(with_target("")), "");
  EXPECT_EQ(target_opening(with_target(" 。")), "");
  Brief b;
  b.product = "办公用品";
  EXPECT_EQ(target_opening(b), "");
}

TEST(TargetOpening, OffersOpenTheCopyGoalsDoNot) {
  for (const char* offer : {"提供高质量的办公用品", "为年轻家庭提供实惠的家具", "为您的办公室添一份整洁", "专为学生设计的文具"})
    EXPECT_TRUE(target_reads_as_offer(with_target(offer))) << offer;
  for (const char* goal : {"提高品牌知名度", "增加销量", "让更多人知道青木文具"})
    EXPECT_FALSE(target_reads_as_offer(with_target(goal))) << goal;
  for (const char* offer : {"offer quality office supplies", "Provides pens that last", "deliver fresh coffee daily"})
    EXPECT_TRUE(target_reads_as_offer(with_target(offer, Language::kEn))) << offer;
  for (const char* goal : {"increase sales", "raise brand awareness", "offering"})
    EXPECT_FALSE(target_reads_as_offer(with_target(goal, Language::kEn))) << goal;

  EXPECT_EQ(target_opening(with_target("增加销量"), TargetOpening::kOffers), "");
  EXPECT_EQ(target_opening(with_target("增加销量"), TargetOpening::kAlways), "增加销量，");
  EXPECT_EQ(target_opening(with_target("提供高质量的办公用品"), TargetOpening::kOffers), "提供高质量的办公用品，");
  EXPECT_EQ(target_opening(with_target("提供高质量的办公用品"), TargetOpening::kOff), "");
}

TEST(TargetOpening, ModeNamesRoundTripAndBadOnesAreRefused) {
  for (TargetOpening t : {TargetOpening::kOff, TargetOpening::kOffers, TargetOpening::kAlways}) {
    auto p = parse_target_opening(target_opening_name(t));
    ASSERT_TRUE(p.is_ok());
    EXPECT_EQ(*p, t);
  }
  auto bad = parse_target_opening("yes");
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("off, offers or always"), std::string::npos);
}

TEST(OpeningFits, AtMostHalfTheFieldsLimit) {
  const ChannelPreset& sms = **find_channel("sms");      // 70 characters
  const ChannelPreset& rsa = **find_channel("google_rsa");  // headlines 30 wide, CJK counting 2
  const std::string opening = "提供高质量的办公用品，";  // 11 characters, 22 wide
  EXPECT_TRUE(opening_fits(sms.fields[0], opening));
  EXPECT_FALSE(opening_fits(*rsa.field("headline"), opening));
  EXPECT_TRUE(opening_fits(*rsa.field("description"), opening));
  EXPECT_FALSE(opening_fits(sms.fields[0], ""));
  // 35 Chinese characters take exactly half of one SMS's 70; 36 take more.
  std::string half, more;
  for (int i = 0; i < 35; ++i) half += "用";
  more = half + "用";
  EXPECT_TRUE(opening_fits(sms.fields[0], half));
  EXPECT_FALSE(opening_fits(sms.fields[0], more));
}

}  // namespace
}  // namespace marketlm::adcopy
