// Interaction data for sequential recommendation: one time-ordered item
// sequence per user, with external ids (strings from the file) remapped to
// dense indices 0..n-1 in order of first appearance.
//
// Accepted inputs (format picked by load_sequences, or forced):
//   kSequenceLines  "user item item item ..."   one user per line (S3-Rec repo)
//   kPairLines      "user item"                 one action per line, already in
//                                               time order (SASRec repo)
//   kCsv            "user,item,timestamp"       one action per row, any order;
//                                               an optional header row is skipped;
//                                               sorted by timestamp per user
//                                               (stable, so ties keep file order)
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "marketlm/core/logging.h"
#include "marketlm/core/status.h"

namespace marketlm::recsys {

// Two-way map between external ids (as written in a file) and dense indices.
class IdMap {
 public:
  // Index of `id`, adding it when new.
  int32_t add(std::string_view id);
  // Index of `id`, or -1 when unknown.
  int32_t find(std::string_view id) const;
  const std::string& name(int32_t index) const { return names_[static_cast<size_t>(index)]; }
  int32_t size() const { return static_cast<int32_t>(names_.size()); }
  const std::vector<std::string>& names() const { return names_; }

 private:
  std::vector<std::string> names_;
  std::unordered_map<std::string, int32_t> index_;
};

// All users' sequences. seqs[u] lists item indices oldest first.
struct SequenceData {
  IdMap users;
  IdMap items;
  std::vector<std::vector<int32_t>> seqs;

  int32_t n_users() const { return users.size(); }
  int32_t n_items() const { return items.size(); }
  int64_t n_actions() const;
};

enum class DataFormat { kAuto, kSequenceLines, kPairLines, kCsv };

// "auto", "seq", "pairs", "csv" -> DataFormat; anything else is an error.
Result<DataFormat> parse_data_format(std::string_view name);
const char* data_format_name(DataFormat f);

// Parse file contents. `source` names the file in error messages, which also
// give the 1-based line number, the offending text and what was expected.
// Blank lines and lines starting with '#' are skipped. A user with no items
// ("u7" alone on a line) is kept with an empty sequence and counted in a
// warning through `logger`.
Result<SequenceData> parse_sequence_lines(std::string_view text, const std::string& source,
                                          const Logger& logger = {});
Result<SequenceData> parse_pair_lines(std::string_view text, const std::string& source,
                                      const Logger& logger = {});
Result<SequenceData> parse_interactions_csv(std::string_view text, const std::string& source,
                                            const Logger& logger = {});

// The format of a whitespace-separated text file: pairs when every data line
// has exactly two fields and some user appears on two lines, else sequences.
DataFormat detect_text_format(std::string_view text);

// Reads `path` and parses it. kAuto picks kCsv for a ".csv" name or a first
// data line containing a comma, otherwise detect_text_format().
Result<SequenceData> load_sequences(const std::string& path, DataFormat format = DataFormat::kAuto,
                                    const Logger& logger = {});

// Maps external item ids to indices of `items`. Unknown ids are skipped and
// collected in *unknown (when given).
std::vector<int32_t> map_items(const IdMap& items, std::span<const std::string> ids,
                               std::vector<std::string>* unknown = nullptr);

// Splits on ASCII whitespace.
std::vector<std::string_view> split_whitespace(std::string_view s);

}  // namespace marketlm::recsys
