// Buyer-voice markers: what a shopper writes and an advertiser does not.
#include "marketlm/apps/adcopy/buyer_voice.h"

#include <gtest/gtest.h>

namespace marketlm::adcopy {
namespace {

using Markers = std::vector<std::string>;

TEST(BuyerVoice, ChineseMarkers) {
  EXPECT_EQ(buyer_voice_markers("收到货了，快递很快，下次还来买"), (Markers{"买", "收到", "快递", "下次"}));
  EXPECT_EQ(buyer_voice_markers("京东送货上门，好评！"), (Markers{"京东", "好评", "送货"}));
  EXPECT_EQ(buyer_voice_markers("我很喜欢"), Markers{"我"});
  // Ad copy speaks of 我们 and 自我: not a buyer's 我.
  EXPECT_TRUE(buyer_voice_markers("让我们穿出自我的风格").empty());
  EXPECT_EQ(buyer_voice_markers("让我们穿出自我，我爱它"), Markers{"我"});
  EXPECT_FALSE(has_buyer_voice("简约的纯色上衣，修饰颈部线条，尽显优雅气质。"));
  EXPECT_FALSE(has_buyer_voice(""));
}

TEST(BuyerVoice, EnglishMarkersAreWholeWords) {
  EXPECT_EQ(buyer_voice_markers("I ordered my usual size"), (Markers{"I", "my", "ordered"}));
  EXPECT_EQ(buyer_voice_markers("I'm 5'1\" and it fits ME"), (Markers{"I'm", "me"}));
  EXPECT_EQ(buyer_voice_markers("i'm 5'3 and i love it"), (Markers{"I", "I'm"}));
  // Inside other words: no.
  EXPECT_FALSE(has_buyer_voice("Mythical comfort for men. Items: ordering is easy, mine to keep."));
  EXPECT_FALSE(has_buyer_voice("Light and breathable running shoes for your daily miles."));
  EXPECT_TRUE(has_buyer_voice("Bought it twice."));
}

TEST(BuyerVoice, MarkersTheBriefUsesDoNotCount) {
  Brief brief;
  brief.product = "京东自营手机";
  brief.features = {"快递次日达"};
  EXPECT_FALSE(speaks_as_buyer(brief, "京东自营，快递次日达。"));
  EXPECT_TRUE(speaks_as_buyer(brief, "京东自营，收到很快。"));
  brief.keywords = {"收到"};
  EXPECT_FALSE(speaks_as_buyer(brief, "京东自营，收到很快。"));
  EXPECT_TRUE(speaks_as_buyer(Brief{}, "我买了两件"));
}

}  // namespace
}  // namespace marketlm::adcopy
