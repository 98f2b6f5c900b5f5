#include "marketlm/apps/adcopy/text_width.h"

#include <gtest/gtest.h>

#include "marketlm/apps/adcopy/channel.h"

namespace marketlm::adcopy {
namespace {

TEST(AdcopyTextWidth, DecodeAndEncodeRoundTrip) {
  std::string s = "a中é😀，";
  std::u32string cps = decode_utf8(s);
  ASSERT_EQ(cps.size(), 5u);
  EXPECT_EQ(cps[1], U'中');
  EXPECT_EQ(cps[3], char32_t{0x1F600});
  EXPECT_EQ(encode_utf8(cps), s);
}

TEST(AdcopyTextWidth, InvalidBytesBecomeReplacement) {
  std::string bad = "a\xFF" "b\xC0\x80";
  std::u32string cps = decode_utf8(bad);
  ASSERT_EQ(cps.size(), 5u);
  EXPECT_EQ(cps[1], char32_t{0xFFFD});
  EXPECT_EQ(cps[3], char32_t{0xFFFD});  // overlong encoding rejected
}

TEST(AdcopyTextWidth, IncompleteTail) {
  std::string zh = "中";  // 3 bytes
  EXPECT_EQ(incomplete_utf8_tail(zh), 0u);
  EXPECT_EQ(incomplete_utf8_tail(zh.substr(0, 1)), 1u);
  EXPECT_EQ(incomplete_utf8_tail("ab" + zh.substr(0, 2)), 2u);
  EXPECT_EQ(decode_utf8("ab" + zh.substr(0, 2), true).size(), 2u);
  EXPECT_EQ(decode_utf8("ab" + zh.substr(0, 2), false).size(), 3u);
}

TEST(AdcopyTextWidth, EastAsianWidthCountsDouble) {
  EXPECT_EQ(display_width("a"), 1u);
  EXPECT_EQ(display_width("中"), 2u);
  EXPECT_EQ(display_width("，"), 2u);   // U+FF0C fullwidth comma
  EXPECT_EQ(display_width("。"), 2u);   // U+3002 ideographic full stop (W)
  EXPECT_EQ(display_width("…"), 1u);    // U+2026 is ambiguous, counted narrow
  EXPECT_EQ(display_width("é"), 1u);
  EXPECT_EQ(display_width("한"), 2u);   // Hangul syllable
  EXPECT_EQ(display_width("ｱ"), 1u);    // halfwidth katakana (H)
  EXPECT_EQ(display_width("Ａ"), 2u);   // fullwidth Latin (F)
  EXPECT_EQ(display_width("😀"), 2u);   // emoji presentation (W)
  EXPECT_EQ(display_width("𠀀"), 2u);   // CJK extension B
  EXPECT_EQ(display_width("办公用品 Office"), 15u);
  EXPECT_EQ(char_count("办公用品 Office"), 11u);
}

TEST(AdcopyTextWidth, SmsEncodingPicksGsm7OrUcs2) {
  SmsLength ascii = sms_length("Sale today only");
  EXPECT_EQ(ascii.encoding, SmsEncoding::kGsm7);
  EXPECT_EQ(ascii.units, 15u);
  EXPECT_EQ(ascii.single_limit, 160u);
  SmsLength ext = sms_length("50€ [x]");  // € [ ] are extension-table characters
  EXPECT_EQ(ext.encoding, SmsEncoding::kGsm7);
  EXPECT_EQ(ext.units, 10u);
  SmsLength zh = sms_length("限时特惠");
  EXPECT_EQ(zh.encoding, SmsEncoding::kUcs2);
  EXPECT_EQ(zh.units, 4u);
  EXPECT_EQ(zh.single_limit, 70u);
  EXPECT_EQ(zh.segments, 1u);
  std::string seventy_one(71 * 3, ' ');
  seventy_one.clear();
  for (int i = 0; i < 71; ++i) seventy_one += "惠";
  EXPECT_EQ(sms_length(seventy_one).segments, 2u);
  EXPECT_EQ(sms_length("😀").units, 2u);  // a surrogate pair
}

TEST(AdcopyChannel, PresetsCarryPlatformLimits) {
  auto rsa = find_channel("google_rsa");
  ASSERT_TRUE(rsa.is_ok());
  const FieldSpec* h = (*rsa)->field("headline");
  const FieldSpec* d = (*rsa)->field("description");
  ASSERT_NE(h, nullptr);
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(h->max_length, 30u);
  EXPECT_EQ(h->min_count, 3);
  EXPECT_EQ(h->max_count, 15);
  EXPECT_EQ(d->max_length, 90u);
  EXPECT_EQ(d->min_count, 2);
  EXPECT_EQ(d->max_count, 4);
  EXPECT_EQ(h->unit, LengthUnit::kDisplayWidth);
  EXPECT_EQ((*find_channel("meta"))->field("primary_text")->max_length, 125u);
  EXPECT_EQ((*find_channel("weibo"))->fields[0].max_length, 280u);
  EXPECT_EQ((*find_channel("email"))->fields[0].max_length, 60u);
  EXPECT_EQ((*find_channel("SMS"))->fields[0].unit, LengthUnit::kSmsUnits);
  EXPECT_EQ((*find_channel(""))->name, "generic");
}

TEST(AdcopyChannel, UnknownChannelListsValidOnes) {
  auto r = find_channel("tiktok");
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("tiktok"), std::string::npos);
  EXPECT_NE(r.status().message().find("google_rsa"), std::string::npos);
  EXPECT_NE(r.status().message().find("weibo"), std::string::npos);
}

TEST(AdcopyChannel, SmsLimitFollowsEncoding) {
  const FieldSpec& f = (*find_channel("sms"))->fields[0];
  EXPECT_EQ(limit_for(f, "hello"), 160u);
  EXPECT_EQ(limit_for(f, "你好"), 70u);
  EXPECT_EQ(measure("你好", f.unit), 2u);
}

}  // namespace
}  // namespace marketlm::adcopy
