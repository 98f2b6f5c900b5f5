// RecConfig validation and JSON (de)serialisation.
#include <nlohmann/json.hpp>

#include "marketlm/apps/recsys/recommender.h"

namespace marketlm::recsys {

Status RecConfig::validate() const {
  auto bad = [](const std::string& field, const std::string& value, const std::string& expected) {
    return invalid_argument("config field '" + field + "' = " + value + ", expected " + expected);
  };
  if (history_len < 1) return bad("history_len", std::to_string(history_len), ">= 1");
  if (!(recency_decay >= 0 && recency_decay <= 1)) return bad("recency_decay", std::to_string(recency_decay), "in [0, 1]");
  if (knn_neighbors < 1) return bad("knn_neighbors", std::to_string(knn_neighbors), ">= 1");
  if (knn_window < 0) return bad("knn_window", std::to_string(knn_window), ">= 0 (0 = whole sequence)");
  if (!(pop_weight >= 0)) return bad("pop_weight", std::to_string(pop_weight), ">= 0");
  if (bpr_factors < 1 || bpr_factors > 4096) return bad("bpr_factors", std::to_string(bpr_factors), "in [1, 4096]");
  if (bpr_epochs < 0) return bad("bpr_epochs", std::to_string(bpr_epochs), ">= 0");
  if (!(bpr_lr > 0)) return bad("bpr_lr", std::to_string(bpr_lr), "> 0");
  if (!(bpr_reg >= 0)) return bad("bpr_reg", std::to_string(bpr_reg), ">= 0");
  if (bpr_fold_in_epochs < 0) return bad("bpr_fold_in_epochs", std::to_string(bpr_fold_in_epochs), ">= 0");
  if (sasrec_maxlen < 1 || sasrec_maxlen > 4096) return bad("sasrec_maxlen", std::to_string(sasrec_maxlen), "in [1, 4096]");
  if (sasrec_dim < 1 || sasrec_dim > 4096) return bad("sasrec_dim", std::to_string(sasrec_dim), "in [1, 4096]");
  if (sasrec_blocks < 1 || sasrec_blocks > 64) return bad("sasrec_blocks", std::to_string(sasrec_blocks), "in [1, 64]");
  if (sasrec_heads < 1 || sasrec_dim % sasrec_heads != 0) {
    return bad("sasrec_heads", std::to_string(sasrec_heads), ">= 1 and dividing sasrec_dim");
  }
  if (!(sasrec_dropout >= 0 && sasrec_dropout < 1)) return bad("sasrec_dropout", std::to_string(sasrec_dropout), "in [0, 1)");
  if (sasrec_epochs < 0) return bad("sasrec_epochs", std::to_string(sasrec_epochs), ">= 0");
  if (!(sasrec_lr > 0)) return bad("sasrec_lr", std::to_string(sasrec_lr), "> 0");
  if (sasrec_batch < 1) return bad("sasrec_batch", std::to_string(sasrec_batch), ">= 1");
  if (sasrec_loss != "bce" && sasrec_loss != "sampled-softmax" && sasrec_loss != "softmax") {
    return bad("sasrec_loss", "'" + sasrec_loss + "'", "bce, sampled-softmax or softmax");
  }
  if (sasrec_negatives < 1) return bad("sasrec_negatives", std::to_string(sasrec_negatives), ">= 1");
  return Status::ok();
}

std::string RecConfig::to_json() const {
  nlohmann::json j = {{"model_type", model_type},   {"seed", seed},
                      {"history_len", history_len}, {"recency_decay", recency_decay},
                      {"knn_neighbors", knn_neighbors}, {"knn_window", knn_window},
                      {"pop_weight", pop_weight},   {"bpr_factors", bpr_factors},
                      {"bpr_epochs", bpr_epochs},   {"bpr_lr", bpr_lr},
                      {"bpr_reg", bpr_reg},         {"bpr_fold_in_epochs", bpr_fold_in_epochs},
                      {"sasrec_maxlen", sasrec_maxlen}, {"sasrec_dim", sasrec_dim},
                      {"sasrec_blocks", sasrec_blocks}, {"sasrec_heads", sasrec_heads},
                      {"sasrec_dropout", sasrec_dropout}, {"sasrec_epochs", sasrec_epochs},
                      {"sasrec_lr", sasrec_lr},     {"sasrec_batch", sasrec_batch},
                      {"sasrec_loss", sasrec_loss}, {"sasrec_negatives", sasrec_negatives}};
  return j.dump(2);
}

Result<RecConfig> RecConfig::from_json(std::string_view text, const std::string& source) {
  RecConfig c;
  try {
    auto j = nlohmann::json::parse(text);
    auto get = [&](const char* key, auto& field) {
      if (j.contains(key)) field = j.at(key).get<std::remove_reference_t<decltype(field)>>();
    };
    get("model_type", c.model_type);
    get("seed", c.seed);
    get("history_len", c.history_len);
    get("recency_decay", c.recency_decay);
    get("knn_neighbors", c.knn_neighbors);
    get("knn_window", c.knn_window);
    get("pop_weight", c.pop_weight);
    get("bpr_factors", c.bpr_factors);
    get("bpr_epochs", c.bpr_epochs);
    get("bpr_lr", c.bpr_lr);
    get("bpr_reg", c.bpr_reg);
    get("bpr_fold_in_epochs", c.bpr_fold_in_epochs);
    get("sasrec_maxlen", c.sasrec_maxlen);
    get("sasrec_dim", c.sasrec_dim);
    get("sasrec_blocks", c.sasrec_blocks);
    get("sasrec_heads", c.sasrec_heads);
    get("sasrec_dropout", c.sasrec_dropout);
    get("sasrec_epochs", c.sasrec_epochs);
    get("sasrec_lr", c.sasrec_lr);
    get("sasrec_batch", c.sasrec_batch);
    get("sasrec_loss", c.sasrec_loss);
    get("sasrec_negatives", c.sasrec_negatives);
  } catch (const std::exception& e) {
    return data_error(source + ": bad recommender config: " + e.what());
  }
  Status s = c.validate();
  if (!s.is_ok()) return s.with_context(source);
  return c;
}

}  // namespace marketlm::recsys
