// Word constraints: force words (must appear), the bad-word text backstop,
// and a helper that builds a word's tokenisation variants from an encode hook.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "marketlm/generate/logits_processors.h"

namespace marketlm {

using EncodeFn = std::function<std::vector<int32_t>(const std::string&)>;

// The token sequences a word can appear as: the word as given, with a leading
// space, capitalised (first ASCII letter upper-case) and all upper-case, each
// with and without the leading space; duplicates and empty encodings dropped.
// A byte-level BPE tokenises " Sale", "Sale" and "SALE" differently, so
// blocking or forcing a word needs all of them.
std::vector<std::vector<int32_t>> word_variants(const std::string& word, const EncodeFn& encode);
// word_variants of every word, concatenated (the form bad_words_ids takes).
std::vector<std::vector<int32_t>> bad_words_ids_for(const std::vector<std::string>& words,
                                                    const EncodeFn& encode);
// One force_words_ids entry per word (its variants are the alternatives).
std::vector<std::vector<std::vector<int32_t>>> force_words_ids_for(
    const std::vector<std::string>& words, const EncodeFn& encode);

// Force words by phrasal constrained decoding (a processor; see
// docs/generation.md). Among the generated tokens (the prompt does not
// count), a word is met when one of its alternatives appears contiguously.
// While a word is unmet:
//  * EOS is banned;
//  * when the generated tokens end with a proper prefix of an alternative of
//    an unmet word, the next token of that alternative is forced (the model
//    started the word, so it is completed), provided the rest still fits the
//    token budget;
//  * when the tokens left are just enough for the shortest alternatives of
//    the unmet words, the first token of the best-scoring such alternative is
//    forced.
// So every sequence that ends by EOS or by length contains every force word.
// A forced token wins over earlier bans: it gets score 0 if it had -inf.
class ForceWords final : public LogitsProcessor {
 public:
  ForceWords(std::vector<std::vector<std::vector<int32_t>>> words, std::vector<int32_t> eos,
             int max_new_tokens)
      : words_(std::move(words)), eos_(std::move(eos)), max_new_(max_new_tokens) {}
  const char* name() const override { return "force_words"; }
  void apply(std::span<float> scores, const TokenHistory& h) const override;

 private:
  std::vector<std::vector<std::vector<int32_t>>> words_;
  std::vector<int32_t> eos_;
  int max_new_;
};

// True when every force word has an alternative inside `generated`.
bool force_words_met(const std::vector<std::vector<std::vector<int32_t>>>& words,
                     std::span<const int32_t> generated);
// Tokens the shortest alternatives of all words need together.
int force_words_min_tokens(const std::vector<std::vector<std::vector<int32_t>>>& words);

// The bad-word text backstop: true when `text` contains one of `words`,
// compared ASCII-case-insensitively and as a whole word (an ASCII letter or
// digit on either side of the match means no match; the end of the text
// counts as a boundary). Returns the index of the word found or -1.
int find_bad_word(std::string_view text, const std::vector<std::string>& words);

}  // namespace marketlm
