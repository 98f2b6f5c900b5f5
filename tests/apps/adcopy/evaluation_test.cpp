// evaluate_adcopy's fluency measures on hand-made predictions: the stutter
// rate, the buyer-voice rate and the English word rate against a small word
// list.
#include "marketlm/apps/adcopy/evaluation.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "marketlm/core/file_io.h"

namespace marketlm::adcopy {
namespace {

AdPair ref(const std::string& copy) {
  AdPair p;
  p.brief.product = "shoes";
  p.brief.features = {"light"};
  p.completion = copy;
  return p;
}

TEST(AdcopyEvaluation, EnglishWordRateAndStutterRate) {
  auto seg = JiebaSegmenter::from_text("鞋 10\n", "dict.txt");
  ASSERT_TRUE(seg.is_ok()) << seg.status().to_string();
  const std::unordered_set<std::string> words{"light", "shoes", "it's", "run"};
  const std::vector<AdPair> refs{ref("Light shoes."), ref("Light shoes."), ref("轻便的鞋")};
  // 6 English words, of which "Light", "shoes", "It's" and "run's" (possessive
  // of a listed word) are known; "shoez" and "breathabl" are not.
  const std::vector<std::string> preds{"Light shoez. It's breathabl", "shoes run's", "多样多样的鞋"};
  auto m = evaluate_adcopy(refs, preds, *seg, &words);
  ASSERT_TRUE(m.is_ok()) << m.status().to_string();
  EXPECT_DOUBLE_EQ(m->english_word_rate, 4.0 / 6.0);
  EXPECT_DOUBLE_EQ(m->stutter_rate, 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(m->buyer_voice_rate, 0.0);
  auto none = evaluate_adcopy(refs, preds, *seg);  // no word list: n/a
  ASSERT_TRUE(none.is_ok());
  EXPECT_EQ(none->english_word_rate, -1.0);
  EXPECT_NE(none->to_json().find("\"english_word_rate\": null"), std::string::npos);
}

TEST(AdcopyEvaluation, BuyerVoiceRate) {
  auto seg = JiebaSegmenter::from_text("鞋 10\n", "dict.txt");
  ASSERT_TRUE(seg.is_ok()) << seg.status().to_string();
  const std::vector<AdPair> refs{ref("轻便的鞋"), ref("轻便的鞋"), ref("轻便的鞋"), ref("Light shoes.")};
  const std::vector<std::string> preds{"轻便的鞋，让我们走得更远", "收到了，鞋很轻便", "轻便透气", "I love these"};
  auto m = evaluate_adcopy(refs, preds, *seg);
  ASSERT_TRUE(m.is_ok()) << m.status().to_string();
  EXPECT_DOUBLE_EQ(m->buyer_voice_rate, 2.0 / 4.0);
  EXPECT_NE(m->to_json().find("\"buyer_voice_rate\": 0.5"), std::string::npos);
}

TEST(AdcopyEvaluation, WordListLowerCasedAndErrors) {
  const std::string path = (std::filesystem::temp_directory_path() / "marketlm_words_test.txt").string();
  ASSERT_TRUE(write_file_atomic(path, "Apple\nrun\r\n\nzebra's\n").is_ok());
  auto w = load_word_list(path);
  ASSERT_TRUE(w.is_ok()) << w.status().to_string();
  EXPECT_EQ(*w, (std::unordered_set<std::string>{"apple", "run", "zebra's"}));
  ASSERT_TRUE(write_file_atomic(path, "\n\n").is_ok());
  auto empty = load_word_list(path);
  ASSERT_FALSE(empty.is_ok());
  EXPECT_NE(empty.status().message().find("no words"), std::string::npos);
  std::remove(path.c_str());
  EXPECT_FALSE(load_word_list(path).is_ok());
}

}  // namespace
}  // namespace marketlm::adcopy
