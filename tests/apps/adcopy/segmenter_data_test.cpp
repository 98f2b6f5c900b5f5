// The C++ segmenter against Debian's python3-jieba (jieba.lcut(s, HMM=False)
// and, with the HMM loaded, jieba.lcut(s))
// on 3,000 real sentences: ADGEN ad copy and attribute strings, and reviews
// from all ten online-shopping categories. The reference segmentations are
// made at test time by scripts/data/jieba_reference.py.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "marketlm/apps/adcopy/segmenter.h"

namespace marketlm::adcopy {
namespace {

std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

void compare_with_python(bool hmm) {
  const std::string data = MARKETLM_SOURCE_DIR "/../shared/data";
  if (!std::filesystem::exists("/usr/bin/python3") || !std::filesystem::exists(kDebianJiebaDict))
    GTEST_SKIP() << "python3-jieba not installed (scripts/setup.sh installs it)";
  if (!std::filesystem::exists(data + "/advertisegen/dev.json")) GTEST_SKIP() << "no " << data;
  auto seg = JiebaSegmenter::load();
  ASSERT_TRUE(seg.is_ok()) << seg.status().to_string();
  if (hmm) {
    ASSERT_TRUE(seg->enable_hmm().is_ok());
  }
  std::string ref = run("/usr/bin/python3 " MARKETLM_SOURCE_DIR "/scripts/data/jieba_reference.py --n 3000 " +
                        std::string(hmm ? "--hmm " : "") + "--data " + data);
  size_t pos = 0, total = 0, same = 0, words_ref = 0, shown = 0;
  while (pos < ref.size()) {
    size_t nl = ref.find('\n', pos);
    if (nl == std::string::npos) nl = ref.size();
    auto j = nlohmann::json::parse(ref.substr(pos, nl - pos));
    pos = nl + 1;
    std::string text = j["text"];
    std::vector<std::string> want = j["words"];
    std::vector<std::string> got = seg->cut(text);
    ++total;
    words_ref += want.size();
    if (got == want) {
      ++same;
    } else if (shown++ < 5) {
      std::string g, w;
      for (auto& x : got) g += x + "/";
      for (auto& x : want) w += x + "/";
      ADD_FAILURE() << "differs on: " << text << "\n  c++:    " << g << "\n  python: " << w;
    }
  }
  ASSERT_EQ(total, 3000u) << "reference script produced too few sentences";
  std::printf("segmenter agreement with python3-jieba (HMM=%s): %zu/%zu sentences identical, %zu words\n",
              hmm ? "True" : "False", same, total, words_ref);
  ::testing::Test::RecordProperty("identical_sentences", static_cast<int>(same));
  EXPECT_EQ(same, total);
}

TEST(AdcopySegmenterData, AgreesWithPythonJieba) { compare_with_python(false); }
TEST(AdcopySegmenterData, AgreesWithPythonJiebaHmm) { compare_with_python(true); }

}  // namespace
}  // namespace marketlm::adcopy
