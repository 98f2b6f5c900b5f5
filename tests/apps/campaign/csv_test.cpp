#include "marketlm/apps/campaign/csv.h"

#include <gtest/gtest.h>

using namespace marketlm;
using namespace marketlm::campaign;

TEST(CampaignCsv, QuotedFieldsCommasNewlinesAndCrlf) {
  auto t = parse_csv("a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\r\n2,\"two\nlines\",\r\n", "t.csv");
  ASSERT_TRUE(t.is_ok()) << t.status().to_string();
  ASSERT_EQ(t->n_rows(), 2u);
  EXPECT_EQ(t->rows[0][1], "x, y");
  EXPECT_EQ(t->rows[0][2], "say \"hi\"");
  EXPECT_EQ(t->rows[1][1], "two\nlines");
  EXPECT_EQ(t->rows[1][2], "");
  EXPECT_EQ(t->line[0], 2);
  EXPECT_EQ(t->line[1], 3);
  EXPECT_EQ(t->column("c"), 2);
  EXPECT_EQ(t->column("zz"), -1);
}

TEST(CampaignCsv, MissingColumnsAreNamed) {
  auto t = parse_csv("a,b\n1,2\n", "log.csv", {"a", "click", "propensity_score"});
  ASSERT_FALSE(t.is_ok());
  const std::string m = t.status().message();
  EXPECT_NE(m.find("log.csv:1"), std::string::npos) << m;
  EXPECT_NE(m.find("'click'"), std::string::npos) << m;
  EXPECT_NE(m.find("'propensity_score'"), std::string::npos) << m;
}

TEST(CampaignCsv, WrongFieldCountNamesLine) {
  auto t = parse_csv("a,b\n1,2\n3\n", "f.csv");
  ASSERT_FALSE(t.is_ok());
  EXPECT_NE(t.status().message().find("f.csv:3"), std::string::npos) << t.status().message();
}

TEST(CampaignCsv, UnclosedQuoteAndStrayQuote) {
  EXPECT_FALSE(parse_csv("a\n\"open\n", "f.csv").is_ok());
  EXPECT_FALSE(parse_csv("a,b\nx\"y,2\n", "f.csv").is_ok());
  EXPECT_FALSE(parse_csv("", "f.csv").is_ok());
  EXPECT_FALSE(parse_csv("a,a\n1,2\n", "f.csv").is_ok());
}

TEST(CampaignCsv, TypedAccessErrorsNameFileLineColumnAndValue) {
  auto t = parse_csv("id,click\n1,0\n2,abc\n3,7\n", "f.csv");
  ASSERT_TRUE(t.is_ok());
  EXPECT_EQ(*t->number(0, 1), 0.0);
  auto bad = t->number(1, 1);
  ASSERT_FALSE(bad.is_ok());
  const std::string m = bad.status().message();
  EXPECT_NE(m.find("f.csv:3:2 'click'"), std::string::npos) << m;
  EXPECT_NE(m.find("abc"), std::string::npos) << m;
  EXPECT_FALSE(t->binary(2, 1).is_ok());
  EXPECT_FALSE(t->integer(1, 1).is_ok());
  EXPECT_EQ(*t->integer(2, 0), 3);
}

TEST(CampaignCsv, MissingFileIsAnError) {
  auto t = read_csv("/nonexistent/dir/x.csv");
  ASSERT_FALSE(t.is_ok());
  EXPECT_NE(t.status().message().find("x.csv"), std::string::npos);
}
