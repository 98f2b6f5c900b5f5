// A small CSV reader for the campaign app: RFC 4180 quoting (fields in double
// quotes, "" for a quote, separators and newlines inside quotes), CRLF or LF
// line ends, a header row that is validated against the columns a caller
// needs, and errors that say file:line:column, the column's name and the value.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "marketlm/core/status.h"

namespace marketlm::campaign {

struct CsvTable {
  std::string path;                           // for error messages
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows; // every row has header.size() fields
  std::vector<int> line;                      // 1-based file line where each row starts

  size_t n_rows() const { return rows.size(); }
  // Index of a column, or -1.
  int column(std::string_view name) const;
  // "file:line:column 'name'" for row r (0-based data row) and column c.
  std::string where(size_t r, int c) const;

  // Typed field access with errors naming file, line, column and the value.
  Result<double> number(size_t r, int c) const;
  Result<long long> integer(size_t r, int c) const;
  // A 0/1 field (also accepts "true"/"false").
  Result<int> binary(size_t r, int c) const;
};

// Parses CSV text. `path` is only used in messages. Every required column must
// be in the header (the error lists the missing ones and what the header has).
Result<CsvTable> parse_csv(std::string_view text, const std::string& path,
                           const std::vector<std::string>& required_columns = {});

// Reads and parses a file.
Result<CsvTable> read_csv(const std::string& path,
                          const std::vector<std::string>& required_columns = {});

// Looks up several columns at once; errors name the first missing one.
Result<std::vector<int>> columns_of(const CsvTable& t, const std::vector<std::string>& names);

}  // namespace marketlm::campaign
