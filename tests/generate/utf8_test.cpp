// UTF-8 assembly for streaming.
#include <gtest/gtest.h>

#include "marketlm/generate/utf8_stream.h"

namespace marketlm {
namespace {

TEST(GenUtf8, AssemblesSplitCjkAndEmoji) {
  const std::string text = "中文😀a";  // 3 + 3 + 4 + 1 bytes
  Utf8Assembler a;
  std::vector<std::string> pieces;
  for (char c : text) pieces.push_back(a.push(std::string(1, c)));
  std::string joined;
  int non_empty = 0;
  for (const auto& p : pieces) {
    EXPECT_TRUE(is_valid_utf8(p));
    joined += p;
    non_empty += !p.empty();
  }
  EXPECT_EQ(joined, text);
  EXPECT_EQ(non_empty, 4);  // one piece per character
  EXPECT_EQ(pieces[2], "中");
  EXPECT_EQ(pieces[9], "😀");
  EXPECT_EQ(a.flush(), "");
}

TEST(GenUtf8, InvalidBytesBecomeReplacement) {
  Utf8Assembler a;
  EXPECT_EQ(a.push("a\xFF" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(a.push("\xE4\xB8"), "");
  EXPECT_EQ(a.pending_bytes(), 2u);
  EXPECT_EQ(a.flush(), "\xEF\xBF\xBD");
  EXPECT_EQ(sanitize_utf8("\xC0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));                       // surrogate
  EXPECT_TRUE(is_valid_utf8("héllo 中"));
}

TEST(GenUtf8, CompletePrefix) {
  EXPECT_EQ(utf8_complete_prefix("ab\xE4\xB8"), 2u);
  EXPECT_EQ(utf8_complete_prefix("ab\xE4\xB8\xAD"), 5u);
  EXPECT_EQ(utf8_complete_prefix("\xF0\x9F\x98"), 0u);
  EXPECT_EQ(utf8_complete_prefix("a\xFF"), 2u);  // invalid is not "incomplete"
}

}  // namespace
}  // namespace marketlm
