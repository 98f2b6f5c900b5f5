// Evaluation of generated ad copy against reference copy, and the two
// baselines every model must beat: retrieval (the copy of the most similar
// training brief) and a fill-in template.
#pragma once

#include <string>
#include <unordered_set>
#include <vector>

#include "marketlm/apps/adcopy/dataset.h"
#include "marketlm/apps/adcopy/segmenter.h"
#include "marketlm/core/status.h"

namespace marketlm::adcopy {

struct AdcopyMetrics {
  size_t n = 0;
  // BLEU/ROUGE are reported x100, like the published ADGEN figures.
  double bleu4_corpus = 0;      // corpus BLEU-4 on jieba words, no smoothing
  double bleu4_chars = 0;       // mean sentence BLEU-4 on characters, NLTK method3 (ChatGLM's)
  double rouge1 = 0, rouge2 = 0, rouge_l = 0;  // mean F1 on jieba words
  double distinct1 = 0, distinct2 = 0;         // over all predictions, jieba words
  double feature_coverage = 0;                 // mean fraction of brief features in the copy
  double constraint_pass_rate = 0;             // fraction passing every rule of the brief's channel
  double mean_chars = 0;                       // mean prediction length in characters
  double stutter_rate = 0;                     // share of predictions with a stutter (has_stutter)
  double buyer_voice_rate = 0;                 // share of predictions in a buyer's voice (speaks_as_buyer)
  // Share of the predictions' English words (english_words) that the word
  // list knows: misspelt or invented words lower it. -1 = no list given or
  // no English word in the predictions.
  double english_word_rate = -1;
  double tokens_per_second = -1;               // filled by the caller that timed generation; -1 = n/a
  std::string to_json(int indent = 2) const;
};

// Scores predictions[i] against refs[i].completion; refs[i].brief gives the
// features and channel. Sizes must match.
// `words`: a lower-cased word list for english_word_rate (nullptr: n/a).
Result<AdcopyMetrics> evaluate_adcopy(const std::vector<AdPair>& refs,
                                      const std::vector<std::string>& predictions,
                                      const JiebaSegmenter& seg,
                                      const std::unordered_set<std::string>* words = nullptr);

// A word list, one word per line (Debian's wamerican: /usr/share/dict/words),
// lower-cased. Errors: missing file, no words.
Result<std::unordered_set<std::string>> load_word_list(const std::string& path);

// Predictions file: JSONL with one of "prediction", "copy", "text" or
// "completion" per line (and optional "id", checked against the data), or
// plain text with one prediction per line.
Result<std::vector<std::string>> load_predictions(const std::string& path);

// Baseline 1: the completion of the training pair whose brief attributes
// (product and features) have the highest Jaccard overlap with `query`'s;
// ties go to the earlier pair. Empty when `train` is empty.
std::string retrieval_baseline(const std::vector<AdPair>& train, const Brief& query);
// Baseline 2: "这款{product}，{f1}、{f2}、…，{target}。" (English: "{Product}: f1, f2, ... {target}.").
std::string template_baseline(const Brief& b);

}  // namespace marketlm::adcopy
