// Ad-copy data: brief -> copy pairs and their JSONL form, ADGEN loading and
// the fixed held-out split, and the readers for the review corpora.
//
// A pair on disk is one JSON object per line:
//   {"id": "adgen-00012", "source": "adgen", "brief": {...brief_to_json...},
//    "prompt": "<|brief|>...<|copy|>", "completion": "the copy"}
// The trainer appends <|endoftext|> to the completion (render_completion).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "marketlm/apps/adcopy/brief.h"
#include "marketlm/core/status.h"

namespace marketlm::adcopy {

struct AdPair {
  std::string id;
  std::string source;  // "adgen", "reviews", "brand"
  Brief brief;
  std::string prompt;      // render_prompt(brief)
  std::string completion;  // the copy
};

std::string pair_to_jsonl(const AdPair& p);  // one line, no newline
// Reads a JSONL file of pairs. A line needs "brief" (object) or "prompt", and
// "completion"; errors name the file, line number and field.
Result<std::vector<AdPair>> parse_pairs_jsonl(std::string_view text, std::string_view source);
Result<std::vector<AdPair>> load_pairs_jsonl(const std::string& path);

// --- ADGEN (AdvertiseGen): {"content": "类型#裤*版型#宽松*...", "summary": copy} ---
struct AdgenRecord {
  std::vector<std::pair<std::string, std::string>> attributes;  // (类型, 裤), (版型, 宽松), ...
  std::string content, summary;
};
Result<std::vector<AdgenRecord>> parse_adgen(std::string_view text, std::string_view source);
Result<std::vector<AdgenRecord>> load_adgen(const std::string& path);
// product = the 类型 values ("裤", "上衣"), features = the other values in
// order without repeats; language zh, channel generic.
Brief brief_from_adgen(const AdgenRecord& r);
AdPair pair_from_adgen(const AdgenRecord& r, size_t index);

// A deterministic split of 0..n-1: a seeded Fisher-Yates shuffle (marketlm's
// xoshiro256** Rng); the first round(n * eval_fraction) shuffled indices are
// held out. Both lists are returned sorted.
struct Split {
  std::vector<size_t> train, eval;
};
Split held_out_split(size_t n, double eval_fraction, uint64_t seed);

// --- reviews ---
struct Review {
  std::string category;  // 书籍, 平板, ... ("" for waimai)
  int label = 0;         // 1 positive, 0 negative
  std::string text;
};
// Parses CSV text (RFC 4180 quoting) into rows of fields.
Result<std::vector<std::vector<std::string>>> parse_csv(std::string_view text, std::string_view source);
// The same, keeping the 1-based line each row starts on (a quoted field may
// span lines), so a malformed row can be reported by its line.
struct CsvRow {
  size_t line = 0;
  std::vector<std::string> fields;
};
Result<std::vector<CsvRow>> parse_csv_rows(std::string_view text, std::string_view source);
// online_shopping_10_cats.csv: header cat,label,review.
Result<std::vector<Review>> parse_shopping_reviews(std::string_view csv, std::string_view source);
// waimai_10k.csv: header label,review.
Result<std::vector<Review>> parse_waimai_reviews(std::string_view csv, std::string_view source);
// Reads one member of a zip archive (libzip). Errors name the archive and member.
Result<std::string> read_zip_member(const std::string& zip_path, const std::string& member);
// Strips a BOM, trims, and collapses runs of whitespace to one space.
std::string clean_text(std::string_view s);

}  // namespace marketlm::adcopy
