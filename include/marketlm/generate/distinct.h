// Near-duplicate measures for the distinct_variants option.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace marketlm {

// Jaccard similarity |A∩B| / |A∪B| of the sets of character n-grams (n code
// points, ASCII letters folded to lower case) of two texts. A text shorter
// than n characters counts as one gram (itself). Two empty texts give 1.
double char_ngram_jaccard(std::string_view a, std::string_view b, int n);
// The same on token id n-grams (used when no text decoder is available).
double token_ngram_jaccard(std::span<const int32_t> a, std::span<const int32_t> b, int n);

}  // namespace marketlm
