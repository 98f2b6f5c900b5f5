// Parsers, format detection, id remapping and the leave-one-out split.
#include <gtest/gtest.h>

#include "marketlm/apps/recsys/data.h"
#include "marketlm/apps/recsys/split.h"

using namespace marketlm;
using namespace marketlm::recsys;

namespace {
std::vector<std::string> names(const SequenceData& d, size_t u) {
  std::vector<std::string> out;
  for (int32_t i : d.seqs[u]) out.push_back(d.items.name(i));
  return out;
}
}  // namespace

TEST(RecsysData, SequenceLinesRemapInFirstAppearanceOrder) {
  auto d = parse_sequence_lines("# comment\nu1 10 20 30\n\nu2 20 40\r\n", "s.txt");
  ASSERT_TRUE(d.is_ok()) << d.status().to_string();
  EXPECT_EQ(d->n_users(), 2);
  EXPECT_EQ(d->n_items(), 4);
  EXPECT_EQ(d->n_actions(), 5);
  EXPECT_EQ(d->seqs[0], (std::vector<int32_t>{0, 1, 2}));
  EXPECT_EQ(d->seqs[1], (std::vector<int32_t>{1, 3}));
  EXPECT_EQ(d->items.name(3), "40");
  EXPECT_EQ(d->users.find("u2"), 1);
  EXPECT_EQ(d->users.find("u9"), -1);
}

TEST(RecsysData, SequenceLinesDuplicateUserNamesLine) {
  auto d = parse_sequence_lines("a 1 2\nb 3\na 4\n", "s.txt");
  ASSERT_FALSE(d.is_ok());
  EXPECT_NE(d.status().message().find("s.txt:3"), std::string::npos) << d.status().message();
  EXPECT_NE(d.status().message().find("'a'"), std::string::npos);
}

TEST(RecsysData, EmptyHistoryIsKeptAndWarned) {
  std::string warned;
  Logger log([&](LogLevel, std::string_view m) { warned = std::string(m); });
  auto d = parse_sequence_lines("a 1 2\nlonely\n", "s.txt", log);
  ASSERT_TRUE(d.is_ok());
  EXPECT_EQ(d->n_users(), 2);
  EXPECT_TRUE(d->seqs[1].empty());
  EXPECT_NE(warned.find("1 user(s) have no items"), std::string::npos) << warned;
}

TEST(RecsysData, PairLinesKeepFileOrderPerUser) {
  auto d = parse_pair_lines("1 5\n2 7\n1 6\n1 5\n", "p.txt");
  ASSERT_TRUE(d.is_ok());
  EXPECT_EQ(names(*d, 0), (std::vector<std::string>{"5", "6", "5"}));
  EXPECT_EQ(names(*d, 1), (std::vector<std::string>{"7"}));
}

TEST(RecsysData, PairLinesBadFieldCountNamesLine) {
  auto d = parse_pair_lines("1 5\n1 6 7\n", "p.txt");
  ASSERT_FALSE(d.is_ok());
  EXPECT_EQ(d.status().code(), StatusCode::kDataError);
  EXPECT_NE(d.status().message().find("p.txt:2"), std::string::npos) << d.status().message();
  EXPECT_NE(d.status().message().find("got 3"), std::string::npos);
}

TEST(RecsysData, CsvSortsByTimeStablyAndSkipsHeader) {
  auto d = parse_interactions_csv("user,item,ts\nu1,b,20\nu1,a,10\nu2,c,5\nu1,c,20\n", "i.csv");
  ASSERT_TRUE(d.is_ok()) << d.status().to_string();
  EXPECT_EQ(names(*d, 0), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(names(*d, 1), (std::vector<std::string>{"c"}));
}

TEST(RecsysData, CsvBadTimestampNamesLineAndValue) {
  auto d = parse_interactions_csv("u1,a,10\nu1,b,yesterday\n", "i.csv");
  ASSERT_FALSE(d.is_ok());
  EXPECT_NE(d.status().message().find("i.csv:2"), std::string::npos) << d.status().message();
  EXPECT_NE(d.status().message().find("'yesterday'"), std::string::npos);
}

TEST(RecsysData, CsvWrongFieldCountAndEmptyFields) {
  auto a = parse_interactions_csv("u1,a,10\nu1,b\n", "i.csv");
  ASSERT_FALSE(a.is_ok());
  EXPECT_NE(a.status().message().find("i.csv:2"), std::string::npos);
  auto b = parse_interactions_csv("u1,a,10\n,b,3\n", "i.csv");
  ASSERT_FALSE(b.is_ok());
  EXPECT_NE(b.status().message().find("empty user"), std::string::npos);
}

TEST(RecsysData, EmptyFileIsAnError) {
  EXPECT_FALSE(parse_sequence_lines("\n# only a comment\n", "e.txt").is_ok());
  EXPECT_FALSE(parse_pair_lines("", "e.txt").is_ok());
  EXPECT_FALSE(parse_interactions_csv("user,item,time\n", "e.csv").is_ok());
}

TEST(RecsysData, DetectFormat) {
  EXPECT_EQ(detect_text_format("1 5\n1 6\n2 7\n"), DataFormat::kPairLines);
  EXPECT_EQ(detect_text_format("1 5 6\n2 7\n"), DataFormat::kSequenceLines);
  // Two fields but every user once: one-item sequences, not pairs.
  EXPECT_EQ(detect_text_format("1 5\n2 6\n"), DataFormat::kSequenceLines);
  EXPECT_FALSE(parse_data_format("parquet").is_ok());
  EXPECT_EQ(*parse_data_format("csv"), DataFormat::kCsv);
}

TEST(RecsysData, AutoFormatIgnoresCommentsWithCommas) {
  auto d = load_sequences(MARKETLM_SOURCE_DIR "/tests/apps/recsys/fixtures/tiny_seqs.txt");
  ASSERT_TRUE(d.is_ok()) << d.status().to_string();
  EXPECT_EQ(d->n_users(), 8);
  EXPECT_EQ(d->seqs[0].size(), 5u);
}

TEST(RecsysData, LoadMissingFileIsNotFound) {
  auto d = load_sequences("/nonexistent/seqs.txt");
  ASSERT_FALSE(d.is_ok());
  EXPECT_EQ(d.status().code(), StatusCode::kNotFound);
}

TEST(RecsysData, MapItemsSkipsUnknown) {
  IdMap items;
  items.add("a");
  items.add("b");
  std::vector<std::string> unknown;
  std::vector<std::string> ids{"b", "zz", "a"};
  EXPECT_EQ(map_items(items, ids, &unknown), (std::vector<int32_t>{1, 0}));
  EXPECT_EQ(unknown, (std::vector<std::string>{"zz"}));
}

TEST(RecsysSplit, LeaveOneOutAsInThePaper) {
  SequenceData d;
  d.seqs = {{0, 1, 2, 3, 4}, {5, 6}, {7, 8, 9}, {}};
  for (int i = 0; i < 10; ++i) d.items.add(std::to_string(i));
  for (const char* u : {"u0", "u1", "u2", "u3"}) d.users.add(u);
  auto s = leave_one_out(d);
  EXPECT_EQ(s.train[0], (std::vector<int32_t>{0, 1, 2}));
  EXPECT_EQ(s.valid[0], 3);
  EXPECT_EQ(s.test[0], 4);
  EXPECT_EQ(s.train[1], (std::vector<int32_t>{5, 6}));  // too short: all train
  EXPECT_EQ(s.valid[1], kNoItem);
  EXPECT_EQ(s.test[1], kNoItem);
  EXPECT_EQ(s.train[2], (std::vector<int32_t>{7}));
  EXPECT_EQ(s.test[2], 9);
  EXPECT_EQ(s.eval_users(), (std::vector<int32_t>{0, 2}));
  EXPECT_EQ(eval_history(s, 0, EvalTarget::kValid), (std::vector<int32_t>{0, 1, 2}));
  EXPECT_EQ(eval_history(s, 0, EvalTarget::kTest), (std::vector<int32_t>{0, 1, 2, 3}));
}
