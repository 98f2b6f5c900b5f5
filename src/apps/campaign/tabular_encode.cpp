// CSV columns -> dense numeric features (see tabular.h).
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>

#include "marketlm/apps/campaign/tabular.h"

namespace marketlm::campaign {

namespace {

bool parse_number(const std::string& s, double* out) {
  if (s.empty()) return false;
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || errno == ERANGE || !std::isfinite(v)) return false;
  *out = v;
  return true;
}

// The number a label starts with ("f 1000-4999" -> 1000, "2) $100" -> 2).
bool leading_number(const std::string& s, double* out) {
  size_t i = 0;
  if (s.rfind("f ", 0) == 0) i = 2;
  if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  *out = std::strtod(s.c_str() + i, nullptr);
  return true;
}

// CoIL 2000 codes: percentage bands and contribution bands are both 0-9.
const double kPercentLadder[] = {0, 1, 11, 24, 37, 50, 63, 76, 89, 100};
const double kContributionLadder[] = {0, 1, 50, 100, 200, 500, 1000, 5000, 10000, 20000};

int ladder_code(const double* ladder, double v) {
  for (int i = 0; i < 10; ++i)
    if (ladder[i] == v) return i;
  return -1;
}

}  // namespace

Result<Dataset> encode_features(const CsvTable& t, const std::vector<std::string>& exclude) {
  Dataset d;
  const size_t n = t.n_rows();
  if (n == 0) return data_error(t.path + ": no data rows");
  std::vector<std::vector<float>> cols;
  for (size_t c = 0; c < t.header.size(); ++c) {
    const std::string& name = t.header[c];
    if (name.empty() || std::find(exclude.begin(), exclude.end(), name) != exclude.end()) continue;
    bool numeric = true, leading = true, percent = true, contrib = true;
    std::set<std::string> levels;
    std::set<double> lows;
    for (size_t r = 0; r < n; ++r) {
      const std::string& v = t.rows[r][c];
      double x;
      if (numeric && !parse_number(v, &x)) numeric = false;
      if (leading) {
        if (leading_number(v, &x)) lows.insert(x);
        else leading = false;
      }
      percent = percent && !v.empty() && v.back() == '%';
      contrib = contrib && v.rfind("f ", 0) == 0;
      if (levels.size() <= 100) levels.insert(v);
    }
    if (numeric) {
      std::vector<float> col(n);
      for (size_t r = 0; r < n; ++r) col[r] = static_cast<float>(std::strtod(t.rows[r][c].c_str(), nullptr));
      cols.push_back(std::move(col));
      d.feature_names.push_back(name);
    } else if (leading) {
      const double* ladder = percent ? kPercentLadder : contrib ? kContributionLadder : nullptr;
      std::vector<double> rank(lows.begin(), lows.end());
      std::vector<float> col(n);
      for (size_t r = 0; r < n; ++r) {
        double x = 0;
        leading_number(t.rows[r][c], &x);
        int code = ladder ? ladder_code(ladder, x) : -1;
        if (code < 0) code = static_cast<int>(std::lower_bound(rank.begin(), rank.end(), x) - rank.begin());
        col[r] = static_cast<float>(code);
      }
      cols.push_back(std::move(col));
      d.feature_names.push_back(name);
    } else {
      if (levels.size() > 100)
        return data_error(t.path + ": column '" + name +
                          "' has more than 100 distinct text values; expected a number or a category");
      for (const auto& lv : levels) {
        std::vector<float> col(n);
        for (size_t r = 0; r < n; ++r) col[r] = t.rows[r][c] == lv ? 1.0f : 0.0f;
        cols.push_back(std::move(col));
        d.feature_names.push_back(name + "=" + lv);
      }
    }
  }
  d.n_features = static_cast<int>(cols.size());
  d.x.resize(n * d.n_features);
  for (size_t r = 0; r < n; ++r)
    for (int f = 0; f < d.n_features; ++f) d.x[r * d.n_features + f] = cols[f][r];
  return d;
}

}  // namespace marketlm::campaign
