// SequentialRecommender: the contract every recommender model implements
// (popularity, item-kNN, BPR-MF, Markov chain today; SASRec next). A model
// is fitted on training sequences, then scores every item for one user's
// history. Scoring is const and thread-safe, so the evaluator can score many
// users in parallel.
//
//   auto model = make_recommender("markov");
//   ML_RETURN_IF_ERROR((*model)->fit({split.train, split.n_items}, config, ctx));
//   std::vector<float> scores(n_items);
//   (*model)->score({.user = u, .history = history}, scores);
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "marketlm/apps/recsys/tensor_file.h"
#include "marketlm/core/context.h"
#include "marketlm/core/status.h"

namespace marketlm::recsys {

// Hyperparameters for every model type; each model reads its own fields.
// Serialised as JSON in the model directory (config.json "config").
struct RecConfig {
  std::string model_type = "markov";  // pop | itemknn | bpr | markov
  uint64_t seed = 42;
  // How many of the most recent history items drive itemknn / markov scores,
  // and the weight decay per step back in time (most recent item weight 1).
  int history_len = 5;
  float recency_decay = 0.5f;
  // itemknn
  int knn_neighbors = 200;  // neighbours kept per item
  int knn_window = 10;      // co-occurrence window in positions, 0 = whole sequence
  // markov: added pop_weight * popularity/max_popularity to break ties
  float pop_weight = 0.01f;
  // bpr
  int bpr_factors = 64;
  int bpr_epochs = 40;
  float bpr_lr = 0.05f;
  float bpr_reg = 0.01f;
  int bpr_fold_in_epochs = 20;  // SGD passes to fit a new user's vector
  // sasrec (defaults: the paper's Games setting; Beauty uses dropout 0.5)
  int sasrec_maxlen = 50;
  int sasrec_dim = 50;
  int sasrec_blocks = 2;
  int sasrec_heads = 1;
  float sasrec_dropout = 0.2f;
  int sasrec_epochs = 20;
  float sasrec_lr = 0.001f;
  int sasrec_batch = 128;
  std::string sasrec_loss = "bce";  // bce | sampled-softmax | softmax
  int sasrec_negatives = 1;         // negatives per position for sampled-softmax
  // Run-time only (not saved): a file the SASRec fit rewrites after every
  // epoch (weights, Adam moments, epoch) and resumes from when it exists;
  // and the kernel path ("" = best for this CPU; the CLI passes MARKETLM_ISA).
  std::string checkpoint;
  std::string isa;

  Status validate() const;
  std::string to_json() const;
  static Result<RecConfig> from_json(std::string_view json, const std::string& source);
};

// Training input: per-user sequences (oldest first) over items [0, n_items).
struct TrainData {
  std::span<const std::vector<int32_t>> seqs;
  int32_t n_items = 0;
};

// Whom to score: a known user index (or -1 for a new user) and the history
// the model sees (oldest first).
struct UserQuery {
  int32_t user = -1;
  std::span<const int32_t> history;
};

// Why an item was recommended: one past item and its share of the score.
// For SASRec the weight will be the last position's attention on that item.
struct Contribution {
  int32_t item = -1;
  int32_t steps_ago = 0;  // 0 = the most recent history item
  float value = 0;        // additive contribution to the item's score
};

class SequentialRecommender {
 public:
  virtual ~SequentialRecommender() = default;
  virtual std::string_view type() const = 0;
  virtual Status fit(const TrainData& train, const RecConfig& config, const Context& ctx) = 0;
  virtual int32_t n_items() const = 0;
  // Writes one score per item into `scores` (size n_items); higher is better.
  virtual void score(const UserQuery& query, std::span<float> scores) const = 0;
  // Scores of several users at once: row q of `scores` (queries.size() rows
  // of n_items) is what score(queries[q]) writes. The default calls score()
  // per query; a model whose scoring is a matrix product (SASRec) overrides
  // it to score the rows together.
  virtual void score_batch(std::span<const UserQuery> queries, std::span<float> scores) const {
    const size_t n = static_cast<size_t>(n_items());
    for (size_t q = 0; q < queries.size(); ++q) score(queries[q], scores.subspan(q * n, n));
  }
  // Past items that drove `item`'s score, largest first; empty when the model
  // cannot say (popularity, BPR).
  virtual std::vector<Contribution> explain(const UserQuery& query, int32_t item) const {
    (void)query;
    (void)item;
    return {};
  }
  virtual bool can_explain() const { return false; }
  // What a Contribution's value means for this model, e.g. "transition
  // probability x recency weight"; SASRec: "attention weight of the last
  // position (last block, mean over heads)".
  virtual std::string_view explain_kind() const { return ""; }
  // Weights in and out of a tensor table (the model directory code adds the
  // config and vocabularies around them). load() checks every size.
  virtual void save(TensorFile* out) const = 0;
  virtual Status load(const TensorFile& in, const RecConfig& config, int32_t n_items, int32_t n_users) = 0;
};

// "pop", "itemknn", "bpr", "markov"; an error lists the known types.
Result<std::unique_ptr<SequentialRecommender>> make_recommender(std::string_view type);
std::vector<std::string> recommender_types();

}  // namespace marketlm::recsys
