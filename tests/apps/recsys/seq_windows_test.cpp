// SASRec training / inference windows.
#include <gtest/gtest.h>

#include "marketlm/apps/recsys/seq_windows.h"

using namespace marketlm;
using namespace marketlm::recsys;

TEST(RecsysSeqWindows, LeftPaddedShiftedNextItems) {
  std::vector<std::vector<int32_t>> seqs{{4, 7, 2}, {9}, {0, 1, 2, 3, 4, 5}};
  std::vector<int32_t> users{0, 1, 2};
  Rng rng(5);
  SeqWindows w;
  ASSERT_TRUE(make_training_windows(seqs, users, 12, 4, rng, &w).is_ok());
  ASSERT_EQ(w.batch, 2);  // user 1 has a single item: skipped
  EXPECT_EQ(w.user, (std::vector<int32_t>{0, 2}));
  // User 0: inputs 4,7 -> next 7,2; shifted by one, left-padded to 4.
  EXPECT_EQ(std::vector<int32_t>(w.input.begin(), w.input.begin() + 4), (std::vector<int32_t>{0, 0, 5, 8}));
  EXPECT_EQ(std::vector<int32_t>(w.pos.begin(), w.pos.begin() + 4), (std::vector<int32_t>{0, 0, 8, 3}));
  // User 2: the last 4 steps of 0..5: inputs 1..4, next 2..5 (shifted).
  EXPECT_EQ(std::vector<int32_t>(w.input.begin() + 4, w.input.end()), (std::vector<int32_t>{2, 3, 4, 5}));
  EXPECT_EQ(std::vector<int32_t>(w.pos.begin() + 4, w.pos.end()), (std::vector<int32_t>{3, 4, 5, 6}));
  for (size_t i = 0; i < w.neg.size(); ++i) {
    if (w.pos[i] == 0) {
      EXPECT_EQ(w.neg[i], 0);
      continue;
    }
    const auto& s = seqs[static_cast<size_t>(w.user[i / 4])];
    EXPECT_EQ(std::count(s.begin(), s.end(), w.neg[i] - 1), 0) << "negative " << w.neg[i] - 1 << " was seen";
    EXPECT_GE(w.neg[i], 1);
    EXPECT_LE(w.neg[i], 12);
  }
  EXPECT_FALSE(make_training_windows(seqs, std::vector<int32_t>{3}, 12, 4, rng, &w).is_ok());
}

TEST(RecsysSeqWindows, InferenceWindow) {
  std::vector<int32_t> h{10, 11, 12};
  EXPECT_EQ(make_inference_window(h, 5), (std::vector<int32_t>{0, 0, 11, 12, 13}));
  EXPECT_EQ(make_inference_window(h, 2), (std::vector<int32_t>{12, 13}));
}
