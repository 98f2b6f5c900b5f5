// Uplift modelling on a randomised test (Hillstrom's MineThatData e-mail
// experiment): whom to contact. Two learners estimate the effect of each
// e-mail on each customer's chance to visit:
//   two-model:        P(y | x, treated) - P(y | x, control), two classifiers
//   class-transform:  Z = y*t + (1-y)*(1-t) with the arms balanced by weights;
//                     uplift = 2 P(Z = 1 | x) - 1 (Jaskowski & Jaroszewicz 2012)
// Evaluated on held-out customers with Qini curves, AUUC and uplift in the
// top 30%, against random targeting; then a rule picks the men's e-mail, the
// women's e-mail or none per customer, valued by inverse propensity weighting
// on the held-out randomised arms.
#pragma once

#include <string>
#include <vector>

#include "marketlm/apps/campaign/tabular.h"

namespace marketlm::campaign {

struct UpliftOptions {
  std::string data = "../shared/data/hillstrom/hillstrom.csv";
  std::string arm_column = "segment", outcome = "visit";
  std::string control = "No E-Mail";
  std::vector<std::string> treatments = {"Mens E-Mail", "Womens E-Mail"};
  std::string learner = "logreg";      // base classifier: logreg or gbt
  double test_fraction = 0.5;
  double min_uplift = 0.0;             // contact only when predicted uplift exceeds this
  int n_bootstrap = 200;
  uint64_t seed = 0;
};

struct UpliftCurve {
  std::vector<double> fraction;        // share of the held-out customers targeted, 0..1
  std::vector<double> qini;            // incremental responders: R_t - R_c * N_t / N_c
  std::vector<double> uplift;          // (R_t/N_t - R_c/N_c) * (N_t + N_c)
};

struct UpliftModelResult {
  std::string treatment, model;
  double auuc = 0;              // area under the uplift curve / N (x in [0, 1])
  double auuc_random = 0;       // same for random targeting
  double qini_coefficient = 0;  // area between Qini curve and random line / N
  double uplift_at_30 = 0;      // visit rate treated - control among the top 30%
  double ate = 0;               // visit rate treated - control over everyone (random targeting)
  UpliftCurve curve;
};

struct RuleValue {
  std::string policy;           // "rule", "all mens", "all womens", "no e-mail"
  double visit_rate = 0, ci_low = 0, ci_high = 0;
};

struct UpliftReport {
  size_t train_rows = 0, test_rows = 0;
  std::vector<double> arm_visit_rate;  // control, treatments... (whole file)
  std::vector<UpliftModelResult> models;
  std::vector<double> rule_share;      // share of held-out customers given: none, treatments...
  std::vector<RuleValue> values;       // IPS values on the held-out customers
  double gain_vs_none_per_1000 = 0, gain_vs_best_single_per_1000 = 0;
  double gain_vs_best_ci_low = 0, gain_vs_best_ci_high = 0;
  std::string rule_model;              // which learner the rule uses
};

Result<UpliftReport> run_uplift(const UpliftOptions& opt, ThreadPool* pool);

// Qini / uplift curve of scores on customers with treatment flags t and outcomes y.
UpliftCurve uplift_curve(const std::vector<double>& score, const std::vector<int>& t,
                         const std::vector<double>& y, int points = 100);

}  // namespace marketlm::campaign
