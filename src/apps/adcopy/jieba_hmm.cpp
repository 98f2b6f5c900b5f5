#include "marketlm/apps/adcopy/jieba_hmm.h"

#include <cstdlib>

#include "marketlm/apps/adcopy/text_width.h"
#include "marketlm/core/file_io.h"

namespace marketlm::adcopy {
namespace {

constexpr double kMinFloat = -3.14e100;  // jieba's MIN_FLOAT for unseen events

int state_index(const std::string& s) {
  if (s == "B") return 0;
  if (s == "E") return 1;
  if (s == "M") return 2;
  if (s == "S") return 3;
  return -1;
}

bool is_han(char32_t c) { return c >= 0x4E00 && c <= 0x9FD5; }
bool is_alnum(char32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
bool is_dig(char32_t c) { return c >= '0' && c <= '9'; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Result<std::vector<std::pair<std::vector<std::string>, double>>> parse_python_dict(
    std::string_view text, std::string_view source) {
  std::vector<std::pair<std::vector<std::string>, double>> out;
  std::vector<std::string> stack;  // keys of the dicts we are inside
  std::string pending_key;
  bool have_key = false;
  size_t i = text.find('{');
  if (i == std::string_view::npos) return data_error(std::string(source) + ": no dict literal found");
  auto err = [&](const std::string& what) {
    return data_error(std::string(source) + ": byte " + std::to_string(i) + ": " + what);
  };
  int depth = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '{') {
      if (depth > 0) {
        if (!have_key) return err("nested dict without a key");
        stack.push_back(pending_key);
        have_key = false;
      }
      ++depth;
      ++i;
    } else if (c == '}') {
      --depth;
      if (depth < 0) return err("unbalanced '}'");
      if (!stack.empty() && depth > 0) stack.pop_back();
      ++i;
      if (depth == 0) break;
    } else if (c == '\'' || c == '"') {
      char q = c;
      std::string s;
      ++i;
      while (i < text.size() && text[i] != q) {
        if (text[i] == '\\' && i + 1 < text.size()) {
          char e = text[i + 1];
          int n = e == 'u' ? 4 : e == 'U' ? 8 : e == 'x' ? 2 : 0;
          if (n > 0) {
            char32_t cp = 0;
            for (int k = 0; k < n; ++k) {
              int h = i + 2 + k < text.size() ? hex_value(text[i + 2 + k]) : -1;
              if (h < 0) return err("bad \\" + std::string(1, e) + " escape");
              cp = cp * 16 + static_cast<char32_t>(h);
            }
            append_utf8(s, cp);
            i += 2 + n;
          } else {
            s += e;  // \\ \' \"
            i += 2;
          }
        } else {
          s += text[i++];
        }
      }
      if (i >= text.size()) return err("unterminated string");
      ++i;
      pending_key = std::move(s);
      have_key = true;
    } else if (c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9')) {
      if (!have_key) return err("number without a key");
      std::string num;
      while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '-' ||
                                 text[i] == '+' || text[i] == '.' || text[i] == 'e' || text[i] == 'E'))
        num += text[i++];
      char* end = nullptr;
      double v = std::strtod(num.c_str(), &end);
      if (end != num.c_str() + num.size()) return err("bad number '" + num + "'");
      std::vector<std::string> keys = stack;
      keys.push_back(pending_key);
      out.emplace_back(std::move(keys), v);
      have_key = false;
    } else {
      ++i;  // ':' ',' whitespace newlines
    }
  }
  if (depth != 0) return data_error(std::string(source) + ": dict literal is not closed");
  return out;
}

Result<JiebaHmm> JiebaHmm::from_text(std::string_view start_py, std::string_view trans_py,
                                     std::string_view emit_py, std::string_view source) {
  JiebaHmm h;
  h.start_.fill(kMinFloat);
  for (auto& row : h.trans_) row.fill(kMinFloat);
  const std::string src(source);
  ML_ASSIGN_OR_RETURN(auto start, parse_python_dict(start_py, src + "/prob_start.py"));
  for (const auto& [keys, v] : start) {
    int s = keys.size() == 1 ? state_index(keys[0]) : -1;
    if (s < 0) return data_error(src + "/prob_start.py: unexpected key, want B/E/M/S");
    h.start_[s] = v;
  }
  ML_ASSIGN_OR_RETURN(auto trans, parse_python_dict(trans_py, src + "/prob_trans.py"));
  for (const auto& [keys, v] : trans) {
    int a = keys.size() == 2 ? state_index(keys[0]) : -1, b = keys.size() == 2 ? state_index(keys[1]) : -1;
    if (a < 0 || b < 0) return data_error(src + "/prob_trans.py: unexpected key, want {state: {state: p}}");
    h.trans_[a][b] = v;
  }
  ML_ASSIGN_OR_RETURN(auto emit, parse_python_dict(emit_py, src + "/prob_emit.py"));
  for (const auto& [keys, v] : emit) {
    int s = keys.size() == 2 ? state_index(keys[0]) : -1;
    std::u32string cp = keys.size() == 2 ? decode_utf8(keys[1]) : std::u32string();
    if (s < 0 || cp.size() != 1)
      return data_error(src + "/prob_emit.py: unexpected key, want {state: {character: p}}");
    h.emit_[s][cp[0]] = v;
  }
  if (emit.empty()) return data_error(src + "/prob_emit.py: no emission probabilities");
  return h;
}

Result<JiebaHmm> JiebaHmm::load(const std::string& dir) {
  auto a = read_file(dir + "/prob_start.py");
  auto b = read_file(dir + "/prob_trans.py");
  auto c = read_file(dir + "/prob_emit.py");
  for (const auto* r : {&a, &b, &c})
    if (!r->is_ok())
      return not_found("jieba HMM model in '" + dir + "' could not be read (" + r->status().message() +
                       "); install Debian's python3-jieba");
  return from_text(*a, *b, *c, dir);
}

double JiebaHmm::emit(int state, char32_t c) const {
  auto it = emit_[state].find(c);
  return it == emit_[state].end() ? kMinFloat : it->second;
}

void JiebaHmm::viterbi_cut(std::u32string_view obs, std::vector<std::string>& out) const {
  // Allowed predecessors, in jieba's PrevStatus order.
  static constexpr int kPrev[4][2] = {{kE, kS}, {kB, kM}, {kM, kB}, {kS, kE}};  // B E M S
  static constexpr int kOrder[4] = {kB, kM, kE, kS};                             // 'BMES'
  const size_t n = obs.size();
  std::vector<std::array<double, 4>> v(n);
  std::vector<std::array<int, 4>> back(n);
  for (int y : kOrder) v[0][y] = start_[y] + emit(y, obs[0]);
  for (size_t t = 1; t < n; ++t) {
    for (int y : kOrder) {
      double em = emit(y, obs[t]);
      double best = 0;
      int arg = -1;
      for (int y0 : kPrev[y]) {
        double p = v[t - 1][y0] + trans_[y0][y] + em;
        // max over (prob, state) tuples: equal probabilities go to the later letter.
        if (arg < 0 || p > best || (p == best && y0 > arg)) {
          best = p;
          arg = y0;
        }
      }
      v[t][y] = best;
      back[t][y] = arg;
    }
  }
  int state = (v[n - 1][kS] > v[n - 1][kE] || v[n - 1][kS] == v[n - 1][kE]) ? kS : kE;
  std::vector<int> path(n);
  for (size_t t = n; t-- > 0;) {
    path[t] = state;
    if (t > 0) state = back[t][state];
  }
  size_t begin = 0, next = 0;
  for (size_t i = 0; i < n; ++i) {
    if (path[i] == kB) {
      begin = i;
    } else if (path[i] == kE) {
      out.push_back(encode_utf8(obs.substr(begin, i + 1 - begin)));
      next = i + 1;
    } else if (path[i] == kS) {
      out.push_back(encode_utf8(obs.substr(i, 1)));
      next = i + 1;
    }
  }
  if (next < n) out.push_back(encode_utf8(obs.substr(next)));
}

std::vector<std::string> JiebaHmm::cut(std::u32string_view text) const {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    if (is_han(text[i])) {
      size_t j = i;
      while (j < text.size() && is_han(text[j])) ++j;
      viterbi_cut(text.substr(i, j - i), out);
      i = j;
      continue;
    }
    size_t j = i;
    while (j < text.size() && !is_han(text[j])) ++j;
    // Inside a non-Han stretch: alnum runs (with an optional .digits and %)
    // are tokens, and so is each stretch between them.
    size_t k = i;
    std::u32string between;
    while (k < j) {
      if (is_alnum(text[k])) {
        if (!between.empty()) {
          out.push_back(encode_utf8(between));
          between.clear();
        }
        size_t e = k;
        while (e < j && is_alnum(text[e])) ++e;
        if (e + 1 < j && text[e] == '.' && is_dig(text[e + 1])) {
          e += 1;
          while (e < j && is_dig(text[e])) ++e;
        }
        if (e < j && text[e] == '%') ++e;
        out.push_back(encode_utf8(text.substr(k, e - k)));
        k = e;
      } else {
        between.push_back(text[k++]);
      }
    }
    if (!between.empty()) out.push_back(encode_utf8(between));
    i = j;
  }
  return out;
}

}  // namespace marketlm::adcopy
