// A trained recommender on disk, and the calls the front doors use: train,
// load, recommend top-k (with explanations).
//
// Model directory layout (written into a temporary directory, then renamed
// over the target, so a crash never leaves half a model):
//   config.json        {"format": "marketlm-recsys", "format_version": 1,
//                       "model_type", "n_users", "n_items", "trained_on":
//                       "train-split" | "all", "data", "config": {...}}
//   items.txt          external item ids, one per line, in index order
//   users.txt          external user ids, one per line, in index order
//   model.safetensors  the model's tensors plus "data.history_offsets" (I64,
//                      n_users + 1) and "data.history_items" (I32): every
//                      known user's full history, for `recommend --user`.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "marketlm/apps/recsys/data.h"
#include "marketlm/apps/recsys/recommender.h"

namespace marketlm::recsys {

struct RecModel {
  RecConfig config;
  IdMap users, items;
  std::vector<std::vector<int32_t>> histories;  // per user, oldest first
  std::unique_ptr<SequentialRecommender> model;
  std::string trained_on = "train-split";
  std::string data_source;
};

// Fits config.model_type on `data`: on the leave-one-out training part (so
// `recommend eval` on the same data is honest) or, with use_all, on every
// action (for deployment; evaluating that model on the same data leaks).
Result<RecModel> train_model(const SequenceData& data, const RecConfig& config, bool use_all,
                             const std::string& data_source, const Context& ctx);

Status save_model_dir(const RecModel& m, const std::string& dir);
Result<RecModel> load_model_dir(const std::string& dir);

struct Recommendation {
  int32_t item = -1;
  float score = 0;
  std::vector<Contribution> because;  // filled when explaining
};

struct RecommendOptions {
  int k = 10;
  bool include_seen = false;  // allow items already in the history
  bool explain = false;
};

// The k best items for `query`, best first (ties: lower item index first).
std::vector<Recommendation> recommend_top_k(const SequentialRecommender& model, const UserQuery& query,
                                            const RecommendOptions& options);

}  // namespace marketlm::recsys
