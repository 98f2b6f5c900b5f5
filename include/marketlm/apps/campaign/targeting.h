// Response targeting on the CoIL Challenge 2000 caravan-insurance data: train
// on the 5,822 training rows only, tune by stratified cross-validation on
// those rows, then count the buyers among the model's top N test rows.
#pragma once

#include <string>
#include <vector>

#include "marketlm/apps/campaign/tabular.h"
#include "marketlm/core/logging.h"

namespace marketlm::campaign {

struct TargetingOptions {
  std::string data = "../shared/data/ticdata/ticdata.csv";
  std::string target = "CARAVAN", positive = "insurance", split_column = "split";
  std::vector<std::string> models = {"logreg", "gbt"};  // also "ensemble" (mean rank of both)
  int top = 800;
  int folds = 5;
  bool tune = true;            // cross-validated grid search; false = defaults
  uint64_t seed = 0;
};

struct ModelResult {
  std::string model;
  std::string chosen;          // chosen hyperparameters, as text
  double cv_hits_top20 = 0;    // CV: buyers in the top 20% of each held-out fold, summed
  double cv_auc = 0;
  int test_hits = 0;           // buyers in the top `top` test rows
  double test_auc = 0;
  std::vector<double> gains;   // cumulative buyers found at each 1% of the test list (101 points)
};

struct TargetingReport {
  size_t train_rows = 0, test_rows = 0;
  int train_buyers = 0, test_buyers = 0, top = 0;
  double random_hits = 0;      // expected buyers in a random top-N
  std::vector<ModelResult> models;
};

// progress (may be empty) gets one event per fitted model.
Result<TargetingReport> run_targeting(const TargetingOptions& opt, ThreadPool* pool,
                                      const ProgressSink& progress = {});

}  // namespace marketlm::campaign
