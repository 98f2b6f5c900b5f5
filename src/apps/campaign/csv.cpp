#include "marketlm/apps/campaign/csv.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "marketlm/core/file_io.h"

namespace marketlm::campaign {

int CsvTable::column(std::string_view name) const {
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return static_cast<int>(i);
  return -1;
}

std::string CsvTable::where(size_t r, int c) const {
  std::string s = path + ":" + std::to_string(r < line.size() ? line[r] : 0) + ":" +
                  std::to_string(c + 1);
  if (c >= 0 && c < static_cast<int>(header.size())) s += " '" + header[c] + "'";
  return s;
}

Result<double> CsvTable::number(size_t r, int c) const {
  const std::string& v = rows[r][c];
  if (v.empty()) return data_error(where(r, c) + ": empty field, expected a number");
  errno = 0;
  char* end = nullptr;
  double x = std::strtod(v.c_str(), &end);
  if (end != v.c_str() + v.size() || errno == ERANGE || !std::isfinite(x))
    return data_error(where(r, c) + ": value '" + v + "' is not a finite number");
  return x;
}

Result<long long> CsvTable::integer(size_t r, int c) const {
  const std::string& v = rows[r][c];
  errno = 0;
  char* end = nullptr;
  long long x = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || end != v.c_str() + v.size() || errno == ERANGE)
    return data_error(where(r, c) + ": value '" + v + "' is not an integer");
  return x;
}

Result<int> CsvTable::binary(size_t r, int c) const {
  const std::string& v = rows[r][c];
  if (v == "0" || v == "false" || v == "0.0") return 0;
  if (v == "1" || v == "true" || v == "1.0") return 1;
  return data_error(where(r, c) + ": value '" + v + "' is not 0 or 1");
}

namespace {

// Splits one record starting at text[pos]; advances pos past the record's
// line end and line counter past any newlines inside quotes.
Status next_record(std::string_view text, size_t& pos, int& line_no, const std::string& path,
                   std::vector<std::string>& out) {
  out.clear();
  std::string field;
  bool in_quotes = false, quoted = false;
  const int start_line = line_no;
  while (pos < text.size()) {
    char ch = text[pos];
    if (in_quotes) {
      if (ch == '"') {
        if (pos + 1 < text.size() && text[pos + 1] == '"') {
          field.push_back('"');
          pos += 2;
          continue;
        }
        in_quotes = false;
        ++pos;
        continue;
      }
      if (ch == '\n') ++line_no;
      field.push_back(ch);
      ++pos;
      continue;
    }
    if (ch == '"') {
      if (!field.empty() || quoted)
        return data_error(path + ":" + std::to_string(line_no) + ":" +
                          std::to_string(out.size() + 1) +
                          ": stray '\"' inside an unquoted field (quote the whole field)");
      in_quotes = quoted = true;
      ++pos;
      continue;
    }
    if (ch == ',') {
      out.push_back(std::move(field));
      field.clear();
      quoted = false;
      ++pos;
      continue;
    }
    if (ch == '\r' || ch == '\n') {
      if (ch == '\r' && pos + 1 < text.size() && text[pos + 1] == '\n') ++pos;
      ++pos;
      ++line_no;
      out.push_back(std::move(field));
      return Status::ok();
    }
    if (quoted)
      return data_error(path + ":" + std::to_string(line_no) + ":" + std::to_string(out.size() + 1) +
                        ": text after a closing quote");
    field.push_back(ch);
    ++pos;
  }
  if (in_quotes)
    return data_error(path + ":" + std::to_string(start_line) +
                      ": quoted field never closed (missing '\"' before end of file)");
  out.push_back(std::move(field));
  ++line_no;
  return Status::ok();
}

}  // namespace

Result<CsvTable> parse_csv(std::string_view text, const std::string& path,
                           const std::vector<std::string>& required_columns) {
  CsvTable t;
  t.path = path;
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // BOM
  size_t pos = 0;
  int line_no = 1;
  std::vector<std::string> rec;
  if (text.empty()) return data_error(path + ": empty file, expected a header row");
  ML_RETURN_IF_ERROR(next_record(text, pos, line_no, path, rec));
  t.header = rec;
  for (size_t i = 0; i < t.header.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (!t.header[i].empty() && t.header[i] == t.header[j])
        return data_error(path + ":1:" + std::to_string(i + 1) + ": duplicate column name '" +
                          t.header[i] + "'");
  std::string missing;
  for (const auto& name : required_columns)
    if (t.column(name) < 0) missing += (missing.empty() ? "'" : ", '") + name + "'";
  if (!missing.empty()) {
    std::string have;
    for (size_t i = 0; i < t.header.size() && i < 12; ++i) have += (i ? ", " : "") + t.header[i];
    if (t.header.size() > 12) have += ", ...";
    return data_error(path + ":1: missing required column(s) " + missing + "; header has: " + have);
  }
  while (pos < text.size()) {
    const int start = line_no;
    ML_RETURN_IF_ERROR(next_record(text, pos, line_no, path, rec));
    if (rec.size() == 1 && rec[0].empty()) continue;  // blank line
    if (rec.size() != t.header.size())
      return data_error(path + ":" + std::to_string(start) + ": row has " +
                        std::to_string(rec.size()) + " fields, expected " +
                        std::to_string(t.header.size()) + " (as in the header)");
    t.rows.push_back(rec);
    t.line.push_back(start);
  }
  return t;
}

Result<CsvTable> read_csv(const std::string& path, const std::vector<std::string>& required_columns) {
  auto text = read_file(path);
  if (!text.is_ok()) return text.status();
  return parse_csv(*text, path, required_columns);
}

Result<std::vector<int>> columns_of(const CsvTable& t, const std::vector<std::string>& names) {
  std::vector<int> out;
  for (const auto& n : names) {
    int c = t.column(n);
    if (c < 0) return data_error(t.path + ":1: missing required column '" + n + "'");
    out.push_back(c);
  }
  return out;
}

}  // namespace marketlm::campaign
