// Text-generation metrics on token sequences (jieba words or characters):
// BLEU (corpus and smoothed sentence level, as NLTK defines them), ROUGE-N
// and ROUGE-L F1, distinct-n, and brief-feature coverage. Scores are in [0,1].
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace marketlm::adcopy {

using Tokens = std::vector<std::string>;

// Characters of a string as tokens (code points, whitespace dropped): the
// unit of the ChatGLM / ADGEN BLEU-4.
Tokens char_tokens(std::string_view s);

// Corpus BLEU-n (Papineni et al. 2002) as nltk.translate.bleu_score.corpus_bleu
// computes it with one reference per hypothesis and uniform weights: clipped
// n-gram counts summed over the corpus (each sentence's denominator at least
// 1, as NLTK does), geometric mean of the n precisions, brevity penalty
// exp(1 - r/c) when the total hypothesis length c is not above the total
// reference length r. No smoothing: 0 when some order has no match.
double corpus_bleu(const std::vector<Tokens>& hyps, const std::vector<Tokens>& refs, int max_n = 4);

// Sentence BLEU-n with NLTK's SmoothingFunction().method3 (NIST geometric
// sequence smoothing: the k-th order with zero matches gets precision
// 1 / (2^k * its denominator)); 0 when not even a unigram matches. This is
// the BLEU-4 of the ChatGLM ADGEN evaluation (averaged over sentences,
// computed on characters).
double sentence_bleu_smoothed(const Tokens& hyp, const Tokens& ref, int max_n = 4);

struct PrfScore {
  double precision = 0, recall = 0, f1 = 0;
};
// ROUGE-N with clipped n-gram counts; F1 = 2PR/(P+R).
PrfScore rouge_n(const Tokens& hyp, const Tokens& ref, int n);
// ROUGE-L: longest common subsequence, P = LCS/|hyp|, R = LCS/|ref|, F1.
PrfScore rouge_l(const Tokens& hyp, const Tokens& ref);
size_t lcs_length(const Tokens& a, const Tokens& b);

// distinct-n: distinct n-grams / all n-grams over every text (0 when none).
double distinct_n(const std::vector<Tokens>& texts, int n);

// Fraction of `features` that appear verbatim in `text` (ASCII
// case-insensitive); 1 when there are no features.
double feature_coverage(const std::vector<std::string>& features, std::string_view text);
// The features that appear.
std::vector<std::string> covered_features(const std::vector<std::string>& features,
                                          std::string_view text);

// A stutter: a run of at least two Han characters written twice in a row
// (多样多样, 低价低价格). Chinese doubles single characters on purpose
// (慢慢, 常常), rarely a two-character run, so this flags a decoding defect.
bool has_stutter(std::string_view text);

}  // namespace marketlm::adcopy
