#include "marketlm/apps/adcopy/dataset.h"

#include <zip.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "marketlm/apps/adcopy/prompt.h"
#include "marketlm/apps/adcopy/text_width.h"
#include "marketlm/core/file_io.h"
#include "marketlm/core/lines.h"
#include "marketlm/core/rng.h"

namespace marketlm::adcopy {
namespace {

using nlohmann::json;

std::string where(std::string_view source, size_t line_no) {
  return std::string(source) + ":" + std::to_string(line_no);
}

}  // namespace

std::string pair_to_jsonl(const AdPair& p) {
  json j;
  j["id"] = p.id;
  j["source"] = p.source;
  j["brief"] = json::parse(brief_to_json(p.brief));
  j["prompt"] = p.prompt;
  j["completion"] = p.completion;
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<std::vector<AdPair>> parse_pairs_jsonl(std::string_view text, std::string_view source) {
  std::vector<AdPair> out;
  Status st = for_each_line(text, [&](std::string_view line, size_t line_no) -> Status {
    json j;
    try {
      j = json::parse(line);
    } catch (const json::exception& e) {
      return data_error(where(source, line_no) + ": malformed JSON: " + e.what());
    }
    if (!j.is_object()) return data_error(where(source, line_no) + ": expected a JSON object");
    AdPair p;
    p.id = "line-" + std::to_string(line_no);
    if (j.contains("id")) {
      if (j["id"].is_string()) p.id = j["id"].get<std::string>();
      else if (j["id"].is_number()) p.id = j["id"].dump();
      else return data_error(where(source, line_no) + ": field 'id' must be a string or a number");
    }
    if (j.contains("source") && j["source"].is_string()) p.source = j["source"].get<std::string>();
    if (j.contains("brief")) {
      if (!j["brief"].is_object())
        return data_error(where(source, line_no) + ": field 'brief' must be an object");
      auto b = parse_brief_json(j["brief"].dump(-1, ' ', false, json::error_handler_t::replace),
                                where(source, line_no) + " field 'brief'");
      if (!b) return b.status();
      p.brief = std::move(b).value();
    }
    if (j.contains("prompt")) {
      if (!j["prompt"].is_string())
        return data_error(where(source, line_no) + ": field 'prompt' must be a string");
      p.prompt = j["prompt"].get<std::string>();
    } else if (j.contains("brief")) {
      p.prompt = render_prompt(p.brief);
    } else {
      return data_error(where(source, line_no) + ": needs a 'brief' object or a 'prompt' string");
    }
    if (!j.contains("completion") || !j["completion"].is_string())
      return data_error(where(source, line_no) + ": field 'completion' (string) is missing");
    p.completion = j["completion"].get<std::string>();
    out.push_back(std::move(p));
    return Status::ok();
  });
  if (!st) return st;
  return out;
}

Result<std::vector<AdPair>> load_pairs_jsonl(const std::string& path) {
  ML_ASSIGN_OR_RETURN(std::string text, read_file(path));
  return parse_pairs_jsonl(text, path);
}

Result<std::vector<AdgenRecord>> parse_adgen(std::string_view text, std::string_view source) {
  std::vector<AdgenRecord> out;
  Status st = for_each_line(text, [&](std::string_view line, size_t line_no) -> Status {
    json j;
    try {
      j = json::parse(line);
    } catch (const json::exception& e) {
      return data_error(where(source, line_no) + ": malformed JSON: " + e.what());
    }
    if (!j.is_object() || !j.contains("content") || !j["content"].is_string() ||
        !j.contains("summary") || !j["summary"].is_string())
      return data_error(where(source, line_no) +
                        ": expected {\"content\": \"key#value*...\", \"summary\": \"...\"}");
    AdgenRecord r;
    r.content = j["content"].get<std::string>();
    r.summary = j["summary"].get<std::string>();
    size_t pos = 0;
    while (pos <= r.content.size()) {
      size_t star = r.content.find('*', pos);
      if (star == std::string::npos) star = r.content.size();
      std::string item = r.content.substr(pos, star - pos);
      pos = star + 1;
      if (item.empty()) continue;
      size_t hash = item.find('#');
      if (hash == std::string::npos || hash == 0 || hash + 1 == item.size())
        return data_error(where(source, line_no) + ": attribute '" + item +
                          "' in 'content' is not key#value");
      r.attributes.emplace_back(item.substr(0, hash), item.substr(hash + 1));
    }
    if (r.attributes.empty())
      return data_error(where(source, line_no) + ": field 'content' has no attributes");
    out.push_back(std::move(r));
    return Status::ok();
  });
  if (!st) return st;
  return out;
}

Result<std::vector<AdgenRecord>> load_adgen(const std::string& path) {
  ML_ASSIGN_OR_RETURN(std::string text, read_file(path));
  return parse_adgen(text, path);
}

Brief brief_from_adgen(const AdgenRecord& r) {
  Brief b;
  b.language = Language::kZh;
  std::vector<std::string> products;
  for (const auto& [k, v] : r.attributes) {
    auto& list = k == "类型" ? products : b.features;
    if (std::find(list.begin(), list.end(), v) == list.end()) list.push_back(v);
  }
  for (size_t i = 0; i < products.size(); ++i) {
    if (i) b.product += "、";
    b.product += products[i];
  }
  // A feature equal to the product adds nothing.
  b.features.erase(std::remove(b.features.begin(), b.features.end(), b.product), b.features.end());
  return b;
}

AdPair pair_from_adgen(const AdgenRecord& r, size_t index) {
  AdPair p;
  char id[32];
  std::snprintf(id, sizeof id, "adgen-%05zu", index);
  p.id = id;
  p.source = "adgen";
  p.brief = brief_from_adgen(r);
  p.prompt = render_prompt(p.brief);
  p.completion = r.summary;
  return p;
}

Split held_out_split(size_t n, double eval_fraction, uint64_t seed) {
  std::vector<size_t> idx(n);
  for (size_t i = 0; i < n; ++i) idx[i] = i;
  Rng rng(seed);
  for (size_t i = n; i > 1; --i) std::swap(idx[i - 1], idx[rng.below(i)]);
  size_t n_eval = static_cast<size_t>(std::llround(static_cast<double>(n) * eval_fraction));
  n_eval = std::min(n_eval, n);
  Split s;
  s.eval.assign(idx.begin(), idx.begin() + n_eval);
  s.train.assign(idx.begin() + n_eval, idx.end());
  std::sort(s.eval.begin(), s.eval.end());
  std::sort(s.train.begin(), s.train.end());
  return s;
}

Result<std::vector<CsvRow>> parse_csv_rows(std::string_view text, std::string_view source) {
  std::vector<CsvRow> rows;
  std::vector<std::string> row;
  std::string field;
  bool in_quotes = false, field_started = false;
  size_t line_no = 1, quote_line = 0, row_line = 1;
  size_t i = 0;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") i = 3;
  auto end_row = [&] {
    row.push_back(std::move(field));
    field.clear();
    if (!(row.size() == 1 && row[0].empty())) rows.push_back(CsvRow{row_line, std::move(row)});
    row.clear();
    field_started = false;
  };
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        if (c == '\n') ++line_no;
        field += c;
      }
      continue;
    }
    if (c == '"' && !field_started && field.empty()) {
      in_quotes = true;
      field_started = true;
      quote_line = line_no;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
      field_started = false;
    } else if (c == '\n') {
      if (!field.empty() && field.back() == '\r') field.pop_back();
      end_row();
      ++line_no;
      row_line = line_no;
    } else {
      field += c;
      field_started = true;
    }
  }
  if (in_quotes)
    return data_error(std::string(source) + ":" + std::to_string(quote_line) +
                      ": quoted field is never closed");
  if (!field.empty() || !row.empty()) end_row();
  return rows;
}

Result<std::vector<std::vector<std::string>>> parse_csv(std::string_view text, std::string_view source) {
  ML_ASSIGN_OR_RETURN(auto rows, parse_csv_rows(text, source));
  std::vector<std::vector<std::string>> out;
  out.reserve(rows.size());
  for (auto& r : rows) out.push_back(std::move(r.fields));
  return out;
}

Result<std::vector<Review>> parse_shopping_reviews(std::string_view csv, std::string_view source) {
  ML_ASSIGN_OR_RETURN(auto rows, parse_csv(csv, source));
  if (rows.empty() || rows[0].size() < 3 || rows[0][0] != "cat" || rows[0][1] != "label")
    return data_error(std::string(source) + ": expected header 'cat,label,review'");
  std::vector<Review> out;
  for (size_t r = 1; r < rows.size(); ++r) {
    auto& row = rows[r];
    if (row.size() < 3 || (row[1] != "0" && row[1] != "1"))
      return data_error(std::string(source) + ": row " + std::to_string(r + 1) +
                        ": expected cat,label(0/1),review");
    Review rv;
    rv.category = row[0];
    rv.label = row[1] == "1" ? 1 : 0;
    // A review with unquoted commas spans several fields: join them back.
    for (size_t k = 2; k < row.size(); ++k) {
      if (k > 2) rv.text += ',';
      rv.text += row[k];
    }
    rv.text = clean_text(rv.text);
    if (!rv.text.empty()) out.push_back(std::move(rv));
  }
  return out;
}

Result<std::vector<Review>> parse_waimai_reviews(std::string_view csv, std::string_view source) {
  ML_ASSIGN_OR_RETURN(auto rows, parse_csv(csv, source));
  if (rows.empty() || rows[0].size() < 2 || rows[0][0] != "label")
    return data_error(std::string(source) + ": expected header 'label,review'");
  std::vector<Review> out;
  for (size_t r = 1; r < rows.size(); ++r) {
    auto& row = rows[r];
    if (row.size() < 2 || (row[0] != "0" && row[0] != "1"))
      return data_error(std::string(source) + ": row " + std::to_string(r + 1) +
                        ": expected label(0/1),review");
    Review rv;
    rv.label = row[0] == "1" ? 1 : 0;
    for (size_t k = 1; k < row.size(); ++k) {
      if (k > 1) rv.text += ',';
      rv.text += row[k];
    }
    rv.text = clean_text(rv.text);
    if (!rv.text.empty()) out.push_back(std::move(rv));
  }
  return out;
}

Result<std::string> read_zip_member(const std::string& zip_path, const std::string& member) {
  int err = 0;
  zip_t* z = zip_open(zip_path.c_str(), ZIP_RDONLY, &err);
  if (!z) {
    zip_error_t ze;
    zip_error_init_with_code(&ze, err);
    std::string msg = zip_error_strerror(&ze);
    zip_error_fini(&ze);
    return not_found("cannot open zip archive '" + zip_path + "': " + msg);
  }
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat(z, member.c_str(), 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE)) {
    zip_close(z);
    return not_found("zip archive '" + zip_path + "' has no member '" + member + "'");
  }
  zip_file_t* f = zip_fopen(z, member.c_str(), 0);
  if (!f) {
    std::string msg = zip_strerror(z);
    zip_close(z);
    return data_error("cannot read '" + member + "' in '" + zip_path + "': " + msg);
  }
  std::string data(st.size, '\0');
  zip_int64_t got = zip_fread(f, data.data(), st.size);
  zip_fclose(f);
  zip_close(z);
  if (got < 0 || static_cast<zip_uint64_t>(got) != st.size)
    return data_error("short read of '" + member + "' in '" + zip_path + "': " +
                      std::to_string(got) + " of " + std::to_string(st.size) + " bytes");
  return data;
}

std::string clean_text(std::string_view s) {
  std::u32string out;
  bool space = false;
  for (char32_t c : decode_utf8(s)) {
    if (c == 0xFEFF) continue;
    if (is_space(c)) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(U' ');
    space = false;
    out.push_back(c);
  }
  return encode_utf8(out);
}

}  // namespace marketlm::adcopy
