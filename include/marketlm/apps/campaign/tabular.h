// Tabular response models for targeting and uplift: a feature encoder for
// CSV tables, L2-regularised logistic regression (Newton / IRLS) and
// gradient-boosted trees (histogram splits, logistic loss), plus the metrics
// the campaign reports use.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "marketlm/apps/campaign/csv.h"
#include "marketlm/core/status.h"
#include "marketlm/core/thread_pool.h"

namespace marketlm::campaign {

// Dense row-major features.
struct Dataset {
  int n_features = 0;
  std::vector<std::string> feature_names;
  std::vector<float> x;  // n_rows * n_features
  size_t n_rows() const { return n_features ? x.size() / n_features : 0; }
  const float* row(size_t i) const { return x.data() + i * n_features; }
};

// Turns CSV columns into numbers: numeric columns stay as they are; labels
// that start with a number ("1 - 10%", "f 1000-4999", "2) $100 - $200") become
// ordinal codes (the CoIL percentage and contribution ladders keep their
// original codes 0-9, other labels their rank); any other text column is
// one-hot encoded. Columns in `exclude` are skipped.
Result<Dataset> encode_features(const CsvTable& t, const std::vector<std::string>& exclude);

struct LogRegConfig {
  double l2 = 1.0;      // penalty on the standardised weights (not the intercept)
  int max_iter = 50;
  double tol = 1e-8;
};

class LogisticRegression {
 public:
  // rows: which rows of d to fit on (empty = all); y in {0, 1}; sample weights optional.
  Status fit(const Dataset& d, const std::vector<double>& y, const std::vector<uint32_t>& rows,
             const LogRegConfig& cfg, const std::vector<double>& weight = {});
  double predict(const float* row) const;  // P(y = 1)
  std::vector<double> predict_all(const Dataset& d, const std::vector<uint32_t>& rows) const;
  const std::vector<double>& weights() const { return w_; }  // on standardised features

 private:
  std::vector<double> mean_, scale_, w_;
  double b_ = 0;
};

struct GbtConfig {
  int n_trees = 200;
  int max_depth = 3;
  double learning_rate = 0.05;
  double lambda = 1.0;            // L2 on leaf values
  double min_child_weight = 5.0;  // minimum hessian sum in a leaf
  double subsample = 0.8;         // rows per tree
  double colsample = 0.8;         // features per tree
  int max_bins = 32;
  uint64_t seed = 0;
};

class GradientBoostedTrees {
 public:
  Status fit(const Dataset& d, const std::vector<double>& y, const std::vector<uint32_t>& rows,
             const GbtConfig& cfg, ThreadPool* pool = nullptr);
  double predict(const float* row) const;  // P(y = 1)
  std::vector<double> predict_all(const Dataset& d, const std::vector<uint32_t>& rows) const;
  size_t n_trees() const { return trees_.size(); }

 private:
  struct Node {
    int feature = -1;  // -1: leaf
    float threshold = 0;  // go left when x <= threshold
    int left = -1, right = -1;
    double value = 0;
  };
  std::vector<std::vector<Node>> trees_;
  double base_ = 0, lr_ = 0.1;
};

// Area under the ROC curve (ties counted half).
double auc(const std::vector<double>& score, const std::vector<double>& y);
// Positives among the top n by score (ties broken by row order).
int hits_at_top(const std::vector<double>& score, const std::vector<double>& y, size_t n);
// Stratified k-fold assignment: fold[i] in [0, k).
std::vector<int> stratified_folds(const std::vector<double>& y, int k, uint64_t seed);

}  // namespace marketlm::campaign
