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
