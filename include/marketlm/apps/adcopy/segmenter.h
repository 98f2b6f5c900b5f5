// Chinese word segmentation: jieba's dictionary algorithm (the "accurate"
// mode with HMM off, i.e. jieba.lcut(s, HMM=False)) in C++, loading the
// dictionary that Debian's python3-jieba ships.
//
// The algorithm: the dictionary becomes a prefix table (every word with its
// frequency, and each proper prefix of a word with frequency 0). A sentence
// is split into runs of Han/alphanumeric characters and the rest. In a run,
// each position k gets the list of end positions j such that s[k..j] is a
// word (a DAG); dynamic programming from the right picks the route that
// maximises the sum of log(freq(word) / total), unknown single characters
// counting freq 1; equal scores prefer the longer word. Consecutive single
// ASCII letters/digits on the route join into one token. Outside runs,
// whitespace is kept as tokens and every other character is its own token.
//
// With enable_hmm() the segmenter follows jieba.lcut(s) (HMM=True) instead:
// runs of single characters on the route that do not form a dictionary word
// go through jieba's HMM (JiebaHmm), which can join unknown words.
//
// Thread safety: a loaded JiebaSegmenter is immutable; cut() may be called
// from many threads at once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "marketlm/apps/adcopy/jieba_hmm.h"
#include "marketlm/core/status.h"

namespace marketlm::adcopy {

// Where Debian's python3-jieba installs its dictionary.
inline constexpr const char* kDebianJiebaDict = "/usr/lib/python3/dist-packages/jieba/dict.txt";

class JiebaSegmenter {
 public:
  // Loads "word freq [tag]" lines. Errors name the path and line.
  static Result<JiebaSegmenter> load(const std::string& dict_path = kDebianJiebaDict);
  // Builds from text already in memory (tests); `source` names it in errors.
  static Result<JiebaSegmenter> from_text(std::string_view dict_text, std::string_view source);

  // Loads jieba's HMM (finalseg) so that cut() matches jieba.lcut(s, HMM=True).
  Status enable_hmm(const std::string& dir = kDebianJiebaHmmDir);
  bool has_hmm() const { return hmm_.has_value(); }

  // Words of `text`, in order; concatenated they give back `text`.
  std::vector<std::string> cut(std::string_view text) const;
  // cut() without whitespace tokens.
  std::vector<std::string> cut_words(std::string_view text) const;

  size_t dictionary_size() const { return n_words_; }
  // Frequency of a dictionary word (0 for a prefix or an unknown string).
  int64_t frequency(std::string_view word) const;

 private:
  void cut_han_block(const std::vector<std::string>& chars, size_t begin, size_t end,
                     std::vector<std::string>& out) const;

  void flush_single_chars(std::string& buf, size_t buf_chars, std::vector<std::string>& out) const;

  std::optional<JiebaHmm> hmm_;
  std::unordered_map<std::string, int64_t> freq_;  // words and their prefixes (freq 0)
  int64_t total_ = 0;
  double log_total_ = 0.0;
  size_t n_words_ = 0;
};

}  // namespace marketlm::adcopy
