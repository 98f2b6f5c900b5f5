#include "marketlm/core/lines.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace marketlm {
namespace {

TEST(Lines, SkipsBlankLinesCountsEveryLineStripsCarriageReturn) {
  std::vector<std::pair<std::string, size_t>> seen;
  Status st = for_each_line("a\r\n\n  \t\nb c\nlast", [&](std::string_view line, size_t no) {
    seen.emplace_back(std::string(line), no);
    return Status::ok();
  });
  ASSERT_TRUE(st.is_ok());
  EXPECT_EQ(seen, (std::vector<std::pair<std::string, size_t>>{{"a", 1}, {"b c", 4}, {"last", 5}}));
}

TEST(Lines, StopsAtTheFirstError) {
  int calls = 0;
  Status st = for_each_line("x\ny\nz\n", [&](std::string_view line, size_t no) {
    ++calls;
    return line == "y" ? invalid_argument("line " + std::to_string(no)) : Status::ok();
  });
  EXPECT_FALSE(st.is_ok());
  EXPECT_EQ(st.message(), "line 2");
  EXPECT_EQ(calls, 2);
}

}  // namespace
}  // namespace marketlm
