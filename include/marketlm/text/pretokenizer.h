// Byte-level pre-tokenizer: GPT-2's regex
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// implemented by hand over UTF-8 with generated Unicode tables (\s is Unicode
// White_Space, as in tiktoken). A byte that is not part of valid UTF-8 counts as
// one character that is neither letter, number nor space.
//
// Optional CJK chunking (cjk_chunk = N > 0): before the regex, every run of
// Han characters is cut into pieces of at most N characters, each its own
// pre-token (Hugging Face: Split(\p{Han}{1,N}, Isolated) then ByteLevel).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace marketlm {

struct PreTokenizerConfig {
  int cjk_chunk = 0;  // 0 = plain GPT-2 pre-tokenization
  bool operator==(const PreTokenizerConfig&) const = default;
};

// The end offset of the pre-token that starts at `pos` (< text.size()).
// Walking pos = pre_token_end(text, pos, cfg) from 0 tiles the whole text.
size_t pre_token_end(std::string_view text, size_t pos, const PreTokenizerConfig& cfg);

// Returns the pre-token boundaries (end offsets) of text; for tests and tools.
std::vector<size_t> pre_token_ends(std::string_view text, const PreTokenizerConfig& cfg);

// A cut position p in [from, to] such that pre-tokenizing text[0,p) and
// text[p,end) separately gives the same pieces as the whole text; returns
// std::string_view::npos when none exists in that range.
size_t find_safe_cut(std::string_view text, size_t from, size_t to);

}  // namespace marketlm
