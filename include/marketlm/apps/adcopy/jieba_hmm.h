// jieba's "finalseg": a 4-state (B begin, M middle, E end, S single) hidden
// Markov model that groups characters the dictionary does not know into
// words, decoded with Viterbi. The probabilities are read from the Python
// files python3-jieba ships (finalseg/prob_start.py, prob_trans.py,
// prob_emit.py: dict literals of log-probabilities).
//
// Immutable once loaded; cut() is thread-safe.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "marketlm/core/status.h"

namespace marketlm::adcopy {

inline constexpr const char* kDebianJiebaHmmDir = "/usr/lib/python3/dist-packages/jieba/finalseg";

class JiebaHmm {
 public:
  // Reads prob_start.py, prob_trans.py and prob_emit.py from `dir`.
  static Result<JiebaHmm> load(const std::string& dir = kDebianJiebaHmmDir);
  // Builds from the three files' text (tests); `source` names them in errors.
  static Result<JiebaHmm> from_text(std::string_view start_py, std::string_view trans_py,
                                    std::string_view emit_py, std::string_view source);

  // finalseg.cut: runs of U+4E00..U+9FD5 are decoded with Viterbi; in the
  // rest, [a-zA-Z0-9]+(\.\d+)?%? runs and the text between them are tokens.
  std::vector<std::string> cut(std::u32string_view text) const;

 private:
  static constexpr int kB = 0, kE = 1, kM = 2, kS = 3;  // alphabetical, as Python compares them
  void viterbi_cut(std::u32string_view han, std::vector<std::string>& out) const;
  double emit(int state, char32_t c) const;

  std::array<double, 4> start_{};
  std::array<std::array<double, 4>, 4> trans_{};
  std::array<std::unordered_map<char32_t, double>, 4> emit_;
};

// Parses a Python dict literal of the shape jieba uses ({'k': number} or
// {'k': {'k2': number}}) into (keys, value) entries; string escapes \uXXXX,
// \UXXXXXXXX, \xXX, \\ and \' are decoded to UTF-8.
Result<std::vector<std::pair<std::vector<std::string>, double>>> parse_python_dict(
    std::string_view text, std::string_view source);

}  // namespace marketlm::adcopy
