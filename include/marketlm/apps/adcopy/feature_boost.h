// Feature-guided decoding: while a brief feature is missing from the text,
// the tokens that would start it get a logit bonus, and the tokens that
// continue it where the text ends with its first bytes a larger one; once it
// appears it gets none. Starts are helped a limited number of times: when the
// feature's head (its first character; its first 3 letters for ASCII) is
// already in the text max_starts times, the model had its chances, and more
// pushes only make it stutter (高高高...).
//
// "Appears" is feature_coverage's rule (metrics.h): the feature's bytes occur
// in the text, ASCII case-insensitive. Matching is on bytes, not on one
// tokenization, because the ad-copy tokenizer splits runs of Han characters
// every 16 characters before BPE: the same feature can be written with
// different tokens depending on what precedes it. A token counts when its
// bytes are a prefix of the feature's unwritten rest, or the rest is a
// prefix of them, in the feature's case except for its first letter; at
// the feature's start, leading spaces of the token are skipped (" light"
// and "Light" start "light"). Whether a feature has been written, or has
// been begun at the end of the text, is judged case-insensitively. This covers every
// tokenization of every feature, as the trainer would tokenize it in text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace marketlm::adcopy {

class FeatureBooster {
 public:
  // token_bytes[id]: the raw bytes of token id; ids in `skip` (EOS,
  // special tokens) and empty tokens are never boosted.
  FeatureBooster(const std::vector<std::string>& features, const std::vector<std::string>& token_bytes,
                 const std::vector<int32_t>& skip, float start_boost, float continue_boost, int max_starts = 2);

  // (token, bias) for the next token after `text`: start_boost for each
  // token that starts a feature not yet in `text` (while its head occurs
  // fewer than max_starts times), continue_boost for each token that
  // continues one. A token that serves several features gets the largest.
  // A feature that starts with an ASCII letter starts only where a word can:
  // after a non-letter (or at the text's start), or with a token that begins
  // with a space; a boost inside a word wrote "lbrunbreathable". Likewise
  // it is continued only where it began at a word boundary ("slow" does not
  // begin "low price"). Once begun with its head, an English feature is
  // finished (bias +100 on its continuation), and once finished its word
  // ends (bias -100 on tokens that begin with a letter).
  // While the text ends mid-feature (with at least the head of an unwritten
  // feature), no start is helped, only that feature's continuation.
  std::vector<std::pair<int32_t, float>> biases(std::string_view text) const;

  // The tokens boosted when the feature's first `written` bytes end the text.
  const std::vector<int32_t>& tokens_at(size_t feature, size_t written) const {
    return features_[feature].at[written];
  }
  size_t num_features() const { return features_.size(); }

 private:
  struct Feature {
    std::string lower;                    // ASCII-lower-cased feature
    std::string head;                     // its first character (ASCII: up to 3 bytes)
    std::vector<std::vector<int32_t>> at;  // at[k]: tokens that go on after k written bytes
    std::vector<int32_t> spaced_starts;   // the tokens of at[0] that begin with a space
    bool word = false;                    // starts with an ASCII letter: starts only at a word boundary
  };
  std::vector<Feature> features_;
  std::vector<int32_t> letter_tokens_;  // tokens that begin with an ASCII letter (when a feature is a word)
  float start_boost_, continue_boost_;
  int max_starts_;
};

}  // namespace marketlm::adcopy
