#include "marketlm/apps/adcopy/segmenter.h"

#include <charconv>
#include <cmath>

#include "marketlm/apps/adcopy/text_width.h"
#include "marketlm/core/file_io.h"
#include "marketlm/core/lines.h"

namespace marketlm::adcopy {
namespace {

// jieba's re_han_default: [\u4E00-\u9FD5a-zA-Z0-9+#&\._%\-]
bool is_han_block_char(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FD5) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '+' || c == '#' || c == '&' || c == '.' || c == '_' ||
         c == '%' || c == '-';
}

bool is_ascii_alnum(char32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

}  // namespace

Result<JiebaSegmenter> JiebaSegmenter::load(const std::string& dict_path) {
  auto text = read_file(dict_path);
  if (!text)
    return not_found("jieba dictionary '" + dict_path + "' could not be read (" +
                     text.status().message() +
                     "); install Debian's python3-jieba (scripts/setup.sh) or pass its dict.txt");
  return from_text(*text, dict_path);
}

Result<JiebaSegmenter> JiebaSegmenter::from_text(std::string_view dict_text, std::string_view source) {
  JiebaSegmenter seg;
  seg.freq_.reserve(600000);
  if (dict_text.substr(0, 3) == "\xEF\xBB\xBF") dict_text.remove_prefix(3);  // UTF-8 BOM
  ML_RETURN_IF_ERROR(for_each_line(dict_text, [&](std::string_view line, size_t line_no) -> Status {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
      line.remove_suffix(1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty()) return Status::ok();
    size_t sp = line.find(' ');
    if (sp == std::string_view::npos || sp == 0)
      return data_error(std::string(source) + ":" + std::to_string(line_no) +
                        ": expected 'word frequency [tag]', got '" + std::string(line) + "'");
    std::string_view word = line.substr(0, sp);
    std::string_view rest = line.substr(sp + 1);
    size_t sp2 = rest.find(' ');
    std::string_view fstr = rest.substr(0, sp2);
    int64_t f = 0;
    auto [ptr, ec] = std::from_chars(fstr.data(), fstr.data() + fstr.size(), f);
    if (ec != std::errc() || ptr != fstr.data() + fstr.size() || f < 0)
      return data_error(std::string(source) + ":" + std::to_string(line_no) + ": frequency '" +
                        std::string(fstr) + "' of word '" + std::string(word) +
                        "' is not a non-negative integer");
    // Same bookkeeping as jieba's gen_pfdict: the word's frequency, the
    // running total, and every proper prefix registered with frequency 0.
    auto [it, inserted] = seg.freq_.insert_or_assign(std::string(word), f);
    (void)it;
    if (inserted) ++seg.n_words_;
    seg.total_ += f;
    std::u32string cps = decode_utf8(word);
    std::string prefix;
    for (size_t i = 0; i + 1 < cps.size(); ++i) {
      append_utf8(prefix, cps[i]);
      seg.freq_.try_emplace(prefix, 0);
    }
    return Status::ok();
  }));
  if (seg.total_ <= 0)
    return data_error(std::string(source) + ": dictionary has no words with a positive frequency");
  seg.log_total_ = std::log(static_cast<double>(seg.total_));
  return seg;
}

int64_t JiebaSegmenter::frequency(std::string_view word) const {
  auto it = freq_.find(std::string(word));
  return it == freq_.end() ? 0 : it->second;
}

void JiebaSegmenter::cut_han_block(const std::vector<std::string>& chars, size_t begin, size_t end,
                                   std::vector<std::string>& out) const {
  const size_t n = end - begin;
  // DAG: for each start k, the ends j (inclusive) where chars[k..j] is a word.
  std::vector<std::vector<size_t>> dag(n);
  std::string frag;
  for (size_t k = 0; k < n; ++k) {
    size_t i = k;
    frag = chars[begin + k];
    while (i < n) {
      auto it = freq_.find(frag);
      if (it == freq_.end()) break;
      if (it->second > 0) dag[k].push_back(i);
      ++i;
      if (i < n) frag += chars[begin + i];
    }
    if (dag[k].empty()) dag[k].push_back(k);
  }
  // route[k] = best (log probability, end) from k to the end of the block.
  std::vector<double> best(n + 1, 0.0);
  std::vector<size_t> best_end(n + 1, 0);
  for (size_t idx = n; idx-- > 0;) {
    bool first = true;
    std::string word;
    for (size_t x : dag[idx]) {
      word.clear();
      for (size_t t = idx; t <= x; ++t) word += chars[begin + t];
      auto it = freq_.find(word);
      int64_t f = (it == freq_.end() || it->second == 0) ? 1 : it->second;
      double score = std::log(static_cast<double>(f)) - log_total_ + best[x + 1];
      // Python's max over (score, x) tuples: ties go to the larger x.
      if (first || score > best[idx] || (score == best[idx] && x > best_end[idx])) {
        best[idx] = score;
        best_end[idx] = x;
        first = false;
      }
    }
  }
  std::string buf;
  size_t x = 0;
  if (hmm_) {
    // jieba's __cut_DAG: single-character steps collect in buf; a buf of
    // several characters that is not a dictionary word goes to the HMM.
    size_t buf_chars = 0;
    while (x < n) {
      size_t y = best_end[x] + 1;
      if (y - x == 1) {
        buf += chars[begin + x];
        ++buf_chars;
      } else {
        flush_single_chars(buf, buf_chars, out);
        buf_chars = 0;
        std::string word;
        for (size_t t = x; t < y; ++t) word += chars[begin + t];
        out.push_back(std::move(word));
      }
      x = y;
    }
    flush_single_chars(buf, buf_chars, out);
    return;
  }
  while (x < n) {
    size_t y = best_end[x] + 1;
    std::string word;
    for (size_t t = x; t < y; ++t) word += chars[begin + t];
    bool single_alnum = (y - x == 1) && word.size() == 1 && is_ascii_alnum(static_cast<unsigned char>(word[0]));
    if (single_alnum) {
      buf += word;
    } else {
      if (!buf.empty()) {
        out.push_back(std::move(buf));
        buf.clear();
      }
      out.push_back(std::move(word));
    }
    x = y;
  }
  if (!buf.empty()) out.push_back(std::move(buf));
}

void JiebaSegmenter::flush_single_chars(std::string& buf, size_t buf_chars,
                                        std::vector<std::string>& out) const {
  if (buf.empty()) return;
  if (buf_chars == 1) {
    out.push_back(std::move(buf));
  } else if (frequency(buf) == 0) {
    for (auto& w : hmm_->cut(decode_utf8(buf))) out.push_back(std::move(w));
  } else {
    for (char32_t c : decode_utf8(buf)) {
      std::string one;
      append_utf8(one, c);
      out.push_back(std::move(one));
    }
  }
  buf.clear();
}

Status JiebaSegmenter::enable_hmm(const std::string& dir) {
  ML_ASSIGN_OR_RETURN(JiebaHmm h, JiebaHmm::load(dir));
  hmm_ = std::move(h);
  return Status::ok();
}

std::vector<std::string> JiebaSegmenter::cut(std::string_view text) const {
  std::u32string cps = decode_utf8(text);
  std::vector<std::string> chars(cps.size());
  for (size_t i = 0; i < cps.size(); ++i) append_utf8(chars[i], cps[i]);
  std::vector<std::string> out;
  size_t i = 0;
  while (i < cps.size()) {
    if (is_han_block_char(cps[i])) {
      size_t j = i;
      while (j < cps.size() && is_han_block_char(cps[j])) ++j;
      cut_han_block(chars, i, j, out);
      i = j;
    } else if (cps[i] == '\r' && i + 1 < cps.size() && cps[i + 1] == '\n') {
      out.push_back("\r\n");
      i += 2;
    } else {
      out.push_back(chars[i]);  // whitespace or any other character: one token each
      ++i;
    }
  }
  return out;
}

std::vector<std::string> JiebaSegmenter::cut_words(std::string_view text) const {
  std::vector<std::string> all = cut(text), out;
  out.reserve(all.size());
  for (auto& w : all) {
    std::u32string cps = decode_utf8(w);
    bool space = !cps.empty();
    for (char32_t c : cps) space = space && is_space(c);
    if (!space) out.push_back(std::move(w));
  }
  return out;
}

}  // namespace marketlm::adcopy
