// Reads the golden files written by scripts/node/golden_corpus.js (MLGOLD1).
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "marketlm/core/file_io.h"

namespace marketlm {

struct GoldenCase {
  std::string name;
  std::string text;
  bool allow_special = false;
  std::vector<int32_t> ids;
};

inline std::vector<GoldenCase> read_golden(const std::string& path) {
  auto data = read_file(path);
  EXPECT_TRUE(data.is_ok()) << data.status().to_string()
                            << " (run ctest: a fixture writes it)";
  std::vector<GoldenCase> cases;
  if (!data.is_ok()) return cases;
  const std::string& s = *data;
  size_t pos = 0;
  auto need = [&](size_t n) {
    if (pos + n > s.size()) throw std::runtime_error("golden file truncated: " + path);
  };
  auto u32 = [&] {
    need(4);
    uint32_t v;
    std::memcpy(&v, s.data() + pos, 4);
    pos += 4;
    return v;
  };
  need(8);
  EXPECT_EQ(s.substr(0, 8), "MLGOLD1\n");
  pos = 8;
  uint32_t n = u32();
  for (uint32_t c = 0; c < n; ++c) {
    GoldenCase g;
    need(1);
    g.allow_special = s[pos++] != 0;
    uint32_t name_len = u32();
    need(name_len);
    g.name = s.substr(pos, name_len);
    pos += name_len;
    uint32_t text_len = u32();
    need(text_len);
    g.text = s.substr(pos, text_len);
    pos += text_len;
    uint32_t n_ids = u32();
    need(size_t{n_ids} * 4);
    g.ids.resize(n_ids);
    std::memcpy(g.ids.data(), s.data() + pos, size_t{n_ids} * 4);
    pos += size_t{n_ids} * 4;
    cases.push_back(std::move(g));
  }
  EXPECT_EQ(pos, s.size());
  return cases;
}

// Index of the first difference, or -1.
inline int64_t first_mismatch(const std::vector<int32_t>& a, const std::vector<int32_t>& b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i)
    if (a[i] != b[i]) return static_cast<int64_t>(i);
  return a.size() == b.size() ? -1 : static_cast<int64_t>(n);
}

}  // namespace marketlm
