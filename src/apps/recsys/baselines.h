// The baseline recommenders (internal; users reach them via make_recommender).
#pragma once

#include <vector>

#include "marketlm/apps/recsys/recommender.h"

namespace marketlm::recsys {

// Sparse item -> item weights in CSR form (row i lists (col, weight) pairs).
struct SparseRows {
  std::vector<int64_t> offsets;  // n_rows + 1
  std::vector<int32_t> cols;
  std::vector<float> weights;

  Status load(const TensorFile& in, const std::string& prefix, int32_t n_rows, int32_t n_cols);
  void save(TensorFile* out, const std::string& prefix) const;
};

// Item counts in the training sequences divided by the largest count.
std::vector<float> train_popularity(const TrainData& train);

// Adds, for each of the last cfg.history_len history items (weight
// decay^steps_ago), that item's row of `rows` scaled by the weight.
void add_recent_rows(const SparseRows& rows, std::span<const int32_t> history, int history_len,
                     float decay, std::span<float> scores);
// Per-history-item contributions of add_recent_rows to `item`'s score.
std::vector<Contribution> recent_row_contributions(const SparseRows& rows, std::span<const int32_t> history,
                                                   int history_len, float decay, int32_t item);

class PopularityRecommender final : public SequentialRecommender {
 public:
  std::string_view type() const override { return "pop"; }
  Status fit(const TrainData& train, const RecConfig& config, const Context& ctx) override;
  int32_t n_items() const override { return static_cast<int32_t>(counts_.size()); }
  void score(const UserQuery& query, std::span<float> scores) const override;
  void save(TensorFile* out) const override;
  Status load(const TensorFile& in, const RecConfig& config, int32_t n_items, int32_t n_users) override;

 private:
  std::vector<float> counts_;
};

// First-order Markov chain: P(next = j | current = i) from consecutive pairs
// in the training sequences, summed over the last few history items with a
// recency decay, plus a tiny popularity term that orders otherwise tied items.
class MarkovRecommender final : public SequentialRecommender {
 public:
  std::string_view type() const override { return "markov"; }
  std::string_view explain_kind() const override {
    return "P(item | past item) x recency weight (decay^steps_ago)";
  }
  Status fit(const TrainData& train, const RecConfig& config, const Context& ctx) override;
  int32_t n_items() const override { return static_cast<int32_t>(pop_.size()); }
  void score(const UserQuery& query, std::span<float> scores) const override;
  std::vector<Contribution> explain(const UserQuery& query, int32_t item) const override;
  bool can_explain() const override { return true; }
  void save(TensorFile* out) const override;
  Status load(const TensorFile& in, const RecConfig& config, int32_t n_items, int32_t n_users) override;

 private:
  RecConfig cfg_;
  SparseRows trans_;       // row-normalised transition probabilities
  std::vector<float> pop_; // popularity / max popularity, in [0, 1]
};

// Item-kNN: cosine similarity of items over training sequences (co-occurrence
// within knn_window positions, counted once per user), top knn_neighbors per
// item; scores sum the neighbours of the last few history items.
class ItemKnnRecommender final : public SequentialRecommender {
 public:
  std::string_view type() const override { return "itemknn"; }
  std::string_view explain_kind() const override {
    return "cosine similarity(past item, item) x recency weight (decay^steps_ago)";
  }
  Status fit(const TrainData& train, const RecConfig& config, const Context& ctx) override;
  int32_t n_items() const override { return static_cast<int32_t>(pop_.size()); }
  void score(const UserQuery& query, std::span<float> scores) const override;
  std::vector<Contribution> explain(const UserQuery& query, int32_t item) const override;
  bool can_explain() const override { return true; }
  void save(TensorFile* out) const override;
  Status load(const TensorFile& in, const RecConfig& config, int32_t n_items, int32_t n_users) override;

 private:
  RecConfig cfg_;
  SparseRows sim_;
  std::vector<float> pop_;
};

// BPR matrix factorisation (Rendle et al. 2009), plain SGD over sampled
// (user, seen item, unseen item) triples, single-threaded so a seed fixes the
// result. Unknown users are folded in: a user vector is fitted to the given
// history with the item factors frozen.
class BprRecommender final : public SequentialRecommender {
 public:
  std::string_view type() const override { return "bpr"; }
  Status fit(const TrainData& train, const RecConfig& config, const Context& ctx) override;
  int32_t n_items() const override { return n_items_; }
  void score(const UserQuery& query, std::span<float> scores) const override;
  void save(TensorFile* out) const override;
  Status load(const TensorFile& in, const RecConfig& config, int32_t n_items, int32_t n_users) override;

 private:
  std::vector<float> fold_in(std::span<const int32_t> history) const;
  RecConfig cfg_;
  int32_t n_items_ = 0, n_users_ = 0, d_ = 0;
  std::vector<float> user_f_, item_f_, item_b_;
};

// SASRec over the shared transformer (apps/recsys/sasrec.cpp).
std::unique_ptr<SequentialRecommender> make_sasrec_recommender();

}  // namespace marketlm::recsys
