// Parsers for the three interaction formats (see data.h).
#include "marketlm/apps/recsys/data.h"

#include <algorithm>
#include <charconv>
#include <numeric>

#include "marketlm/core/lines.h"
#include "marketlm/core/file_io.h"

namespace marketlm::recsys {

int32_t IdMap::add(std::string_view id) {
  auto it = index_.find(std::string(id));
  if (it != index_.end()) return it->second;
  const int32_t idx = static_cast<int32_t>(names_.size());
  names_.emplace_back(id);
  index_.emplace(names_.back(), idx);
  return idx;
}

int32_t IdMap::find(std::string_view id) const {
  auto it = index_.find(std::string(id));
  return it == index_.end() ? -1 : it->second;
}

int64_t SequenceData::n_actions() const {
  int64_t n = 0;
  for (const auto& s : seqs) n += static_cast<int64_t>(s.size());
  return n;
}

Result<DataFormat> parse_data_format(std::string_view name) {
  if (name == "auto") return DataFormat::kAuto;
  if (name == "seq") return DataFormat::kSequenceLines;
  if (name == "pairs") return DataFormat::kPairLines;
  if (name == "csv") return DataFormat::kCsv;
  return invalid_argument("unknown data format '" + std::string(name) +
                          "', expected one of auto, seq, pairs, csv");
}

const char* data_format_name(DataFormat f) {
  switch (f) {
    case DataFormat::kAuto: return "auto";
    case DataFormat::kSequenceLines: return "seq";
    case DataFormat::kPairLines: return "pairs";
    case DataFormat::kCsv: return "csv";
  }
  return "?";
}

std::vector<std::string_view> split_whitespace(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; };
  while (i < s.size()) {
    while (i < s.size() && is_space(s[i])) ++i;
    size_t j = i;
    while (j < s.size() && !is_space(s[j])) ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

namespace {

// Calls fn(line, line_number) for each line that is not blank or a comment.
template <typename Fn>
Status for_each_data_line(std::string_view text, Fn&& fn) {
  return for_each_line(text, [&](std::string_view line, size_t line_no) -> Status {
    if (line[line.find_first_not_of(" \t")] == '#') return Status::ok();
    return fn(line, static_cast<int64_t>(line_no));
  });
}

std::string where(const std::string& source, int64_t line_no) {
  return source + ":" + std::to_string(line_no);
}

std::string clip(std::string_view s) {
  return s.size() <= 80 ? std::string(s) : std::string(s.substr(0, 77)) + "...";
}

void warn_empty(const SequenceData& d, const std::string& source, const Logger& logger) {
  int64_t empty = 0;
  for (const auto& s : d.seqs) empty += s.empty() ? 1 : 0;
  if (empty > 0) {
    logger.warn(source + ": " + std::to_string(empty) +
                " user(s) have no items; they are kept but cannot be trained on or evaluated");
  }
}

}  // namespace

Result<SequenceData> parse_sequence_lines(std::string_view text, const std::string& source,
                                          const Logger& logger) {
  SequenceData d;
  ML_RETURN_IF_ERROR(for_each_data_line(text, [&](std::string_view line, int64_t no) -> Status {
    auto f = split_whitespace(line);
    if (f[0].find(',') != std::string_view::npos) {
      return data_error(where(source, no) + ": found a comma in '" + clip(line) +
                        "'; expected whitespace-separated 'user item item ...' (use --data-format csv "
                        "for comma-separated user,item,timestamp rows)");
    }
    if (d.users.find(f[0]) >= 0) {
      return data_error(where(source, no) + ": user '" + std::string(f[0]) +
                        "' already had a line; expected one line per user in 'user item item ...' "
                        "format (for one 'user item' action per line use --data-format pairs)");
    }
    d.users.add(f[0]);
    std::vector<int32_t> seq;
    seq.reserve(f.size() - 1);
    for (size_t i = 1; i < f.size(); ++i) seq.push_back(d.items.add(f[i]));
    d.seqs.push_back(std::move(seq));
    return Status::ok();
  }));
  if (d.n_users() == 0) return data_error(source + ": no data lines found; expected 'user item item ...' lines");
  warn_empty(d, source, logger);
  return d;
}

Result<SequenceData> parse_pair_lines(std::string_view text, const std::string& source,
                                      const Logger& logger) {
  SequenceData d;
  ML_RETURN_IF_ERROR(for_each_data_line(text, [&](std::string_view line, int64_t no) -> Status {
    auto f = split_whitespace(line);
    if (f.size() != 2) {
      return data_error(where(source, no) + ": expected 2 fields 'user item', got " +
                        std::to_string(f.size()) + " in '" + clip(line) + "'");
    }
    const int32_t u = d.users.add(f[0]);
    if (u == static_cast<int32_t>(d.seqs.size())) d.seqs.emplace_back();
    d.seqs[static_cast<size_t>(u)].push_back(d.items.add(f[1]));
    return Status::ok();
  }));
  if (d.n_users() == 0) return data_error(source + ": no data lines found; expected 'user item' lines");
  warn_empty(d, source, logger);
  return d;
}

namespace {

std::vector<std::string_view> split_csv(std::string_view line) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t c = line.find(',', start);
    std::string_view f = line.substr(start, c == std::string_view::npos ? std::string_view::npos : c - start);
    while (!f.empty() && (f.front() == ' ' || f.front() == '\t' || f.front() == '"')) f.remove_prefix(1);
    while (!f.empty() && (f.back() == ' ' || f.back() == '\t' || f.back() == '"')) f.remove_suffix(1);
    out.push_back(f);
    if (c == std::string_view::npos) break;
    start = c + 1;
  }
  return out;
}

bool parse_number(std::string_view s, double* out) {
  if (s.empty()) return false;
  const char* b = s.data();
  const char* e = s.data() + s.size();
  if (*b == '+') ++b;
  auto r = std::from_chars(b, e, *out);
  return r.ec == std::errc() && r.ptr == e;
}

}  // namespace

Result<SequenceData> parse_interactions_csv(std::string_view text, const std::string& source,
                                            const Logger& logger) {
  struct Row {
    int32_t user, item;
    double time;
  };
  std::vector<Row> rows;
  SequenceData d;
  bool first = true;
  ML_RETURN_IF_ERROR(for_each_data_line(text, [&](std::string_view line, int64_t no) -> Status {
    auto f = split_csv(line);
    double t = 0;
    if (first) {
      first = false;
      if (f.size() >= 3 && !parse_number(f[2], &t)) return Status::ok();  // header row
    }
    if (f.size() != 3) {
      return data_error(where(source, no) + ": expected 3 comma-separated fields 'user,item,timestamp', got " +
                        std::to_string(f.size()) + " in '" + clip(line) + "'");
    }
    if (f[0].empty()) return data_error(where(source, no) + ": empty user field in '" + clip(line) + "'");
    if (f[1].empty()) return data_error(where(source, no) + ": empty item field in '" + clip(line) + "'");
    if (!parse_number(f[2], &t)) {
      return data_error(where(source, no) + ": timestamp '" + std::string(f[2]) +
                        "' is not a number; expected a numeric time (e.g. unix seconds)");
    }
    rows.push_back({d.users.add(f[0]), d.items.add(f[1]), t});
    return Status::ok();
  }));
  if (rows.empty()) return data_error(source + ": no data rows found; expected 'user,item,timestamp' rows");
  std::vector<size_t> order(rows.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (rows[a].user != rows[b].user) return rows[a].user < rows[b].user;
    return rows[a].time < rows[b].time;
  });
  d.seqs.assign(static_cast<size_t>(d.n_users()), {});
  for (size_t i : order) d.seqs[static_cast<size_t>(rows[i].user)].push_back(rows[i].item);
  warn_empty(d, source, logger);
  return d;
}

DataFormat detect_text_format(std::string_view text) {
  bool all_two = true, repeated_user = false, any = false;
  std::unordered_map<std::string, int> seen;
  (void)for_each_data_line(text, [&](std::string_view line, int64_t) -> Status {
    auto f = split_whitespace(line);
    any = true;
    if (f.size() != 2) {
      all_two = false;
      return data_error("stop");
    }
    if (++seen[std::string(f[0])] > 1) repeated_user = true;
    return Status::ok();
  });
  return (any && all_two && repeated_user) ? DataFormat::kPairLines : DataFormat::kSequenceLines;
}

Result<SequenceData> load_sequences(const std::string& path, DataFormat format, const Logger& logger) {
  ML_ASSIGN_OR_RETURN(std::string text, read_file(path));
  if (format == DataFormat::kAuto) {
    const bool csv_name = path.size() >= 4 && path.compare(path.size() - 4, 4, ".csv") == 0;
    std::string_view first_line;
    (void)for_each_data_line(text, [&](std::string_view line, int64_t) -> Status {
      first_line = line;
      return data_error("stop");  // only the first data line matters
    });
    if (csv_name || first_line.find(',') != std::string_view::npos) format = DataFormat::kCsv;
    else format = detect_text_format(text);
  }
  switch (format) {
    case DataFormat::kSequenceLines: return parse_sequence_lines(text, path, logger);
    case DataFormat::kPairLines: return parse_pair_lines(text, path, logger);
    case DataFormat::kCsv: return parse_interactions_csv(text, path, logger);
    case DataFormat::kAuto: break;
  }
  return internal_error("unreachable data format");
}

std::vector<int32_t> map_items(const IdMap& items, std::span<const std::string> ids,
                               std::vector<std::string>* unknown) {
  std::vector<int32_t> out;
  out.reserve(ids.size());
  for (const auto& id : ids) {
    int32_t i = items.find(id);
    if (i >= 0) out.push_back(i);
    else if (unknown) unknown->push_back(id);
  }
  return out;
}

}  // namespace marketlm::recsys
