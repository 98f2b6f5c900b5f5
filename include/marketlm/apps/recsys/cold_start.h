// Content-based recommendation for cold-start items (items nobody has
// interacted with yet), through item text embeddings.
//
// TextEmbedder is the hook: today TfidfEmbedder (bag of words over titles);
// later a marketlm language model's pooled hidden state plugs in the same
// way. ContentScorer turns any item embedding table into scores: a user
// profile is the recency-weighted mean of the history items' embeddings, and
// an item scores its cosine similarity to the profile.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "marketlm/apps/recsys/data.h"
#include "marketlm/core/status.h"

namespace marketlm::recsys {

class TextEmbedder {
 public:
  virtual ~TextEmbedder() = default;
  // Learns whatever it needs from the item texts (vocabulary, idf).
  virtual Status fit(std::span<const std::string> texts) = 0;
  virtual int dim() const = 0;
  // Writes an L2-normalised embedding of `text` into out (size dim()).
  virtual void embed(std::string_view text, std::span<float> out) const = 0;
};

// TF-IDF over lower-cased alphanumeric words: tf = count, idf =
// ln((1 + N) / (1 + df)) + 1, L2-normalised. Words in fewer than min_df
// texts are dropped.
class TfidfEmbedder final : public TextEmbedder {
 public:
  explicit TfidfEmbedder(int min_df = 1) : min_df_(min_df) {}
  Status fit(std::span<const std::string> texts) override;
  int dim() const override { return static_cast<int>(idf_.size()); }
  void embed(std::string_view text, std::span<float> out) const override;

 private:
  int min_df_;
  std::unordered_map<std::string, int> vocab_;
  std::vector<float> idf_;
};

// Lower-cased alphanumeric words of `text` (ASCII; other bytes split words).
std::vector<std::string> text_words(std::string_view text);

// Item embeddings, one row of `dim` floats per item.
struct ItemEmbeddings {
  int dim = 0;
  std::vector<float> rows;  // n_items * dim
};
Result<ItemEmbeddings> embed_items(TextEmbedder& embedder, std::span<const std::string> texts);

// Cosine of each candidate with the history profile (last history_len items,
// weight decay^steps_ago). Items without text have zero rows and score 0.
void content_scores(const ItemEmbeddings& emb, std::span<const int32_t> history, int history_len, float decay,
                    std::span<const int32_t> candidates, std::span<float> out);

// MovieLens 100K readers: u.data ("user<TAB>item<TAB>rating<TAB>time") to
// time-ordered sequences; u.item ("id|title|date|video|url|19 genre flags")
// to one text per item of `items` (titles, plus genre names when
// with_genres). Errors name the file and line.
Result<SequenceData> load_movielens_ratings(const std::string& path);
Result<std::vector<std::string>> load_movielens_item_texts(const std::string& item_path, const std::string& genre_path,
                                                           const IdMap& items, bool with_genres);

struct ColdStartOptions {
  double cold_fraction = 0.2;  // share of items held out as cold
  uint64_t seed = 42;
  int k = 10;
  int history_len = 50;
  float decay = 1.0f;
};

struct ColdStartResult {
  int64_t n_cold_items = 0, n_users = 0;
  double hr = 0, ndcg = 0;            // content model
  double random_hr = 0, random_ndcg = 0;  // expected values of a random ranking
  double oracle_pop_hr = 0, oracle_pop_ndcg = 0;  // popularity measured on the held-out data (unfair upper reference)
  std::string description;
};

// Holds out a random cold_fraction of items (all their interactions). For
// each user with a cold item, the target is the user's last cold item; the
// history is every item before it; candidates are the cold items not in the
// history. Ranks them by content score, and by the two references.
Result<ColdStartResult> evaluate_cold_start(const SequenceData& data, const ItemEmbeddings& emb,
                                            const ColdStartOptions& options);

}  // namespace marketlm::recsys
