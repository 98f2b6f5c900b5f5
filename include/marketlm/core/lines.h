// Line-by-line reading of text already in memory (JSONL, word lists,
// labelled sentences): one loop for every reader that reports a file:line.
#pragma once

#include <cstddef>
#include <string_view>

#include "marketlm/core/status.h"

namespace marketlm {

// Calls fn(line, line_no) for every line that is not blank (spaces and tabs
// only), without its '\n' and a trailing '\r'; line_no counts from 1 and
// counts blank lines too. Stops at and returns the first error fn returns.
template <typename Fn>
Status for_each_line(std::string_view text, Fn fn) {
  size_t pos = 0, line_no = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    ML_RETURN_IF_ERROR(fn(line, line_no));
  }
  return Status::ok();
}

}  // namespace marketlm
