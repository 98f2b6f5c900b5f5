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
  return Status::ok();
}

std::string RecConfig::to_json() const {
  nlohmann::json j = {{"model_type", model_type},   {"seed", seed},
                      {"history_len", history_len}, {"recency_decay", recency_decay},
                      {"knn_neighbors", knn_neighbors}, {"knn_window", knn_window},
                      {"pop_weight", pop_weight},   {"bpr_factors", bpr_factors},
                      {"bpr_epochs", bpr_epochs},   {"bpr_lr", bpr_lr},
                      {"bpr_reg", bpr_reg},         {"bpr_fold_in_epochs", bpr_fold_in_epochs}};
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
  } catch (const std::exception& e) {
    return data_error(source + ": bad recommender config: " + e.what());
  }
  Status s = c.validate();
  if (!s.is_ok()) return s.with_context(source);
  return c;
}

}  // namespace marketlm::recsys
