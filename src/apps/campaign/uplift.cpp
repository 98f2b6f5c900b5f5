// Uplift learners, Qini/AUUC evaluation and the e-mail assignment rule.
#include "marketlm/apps/campaign/uplift.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "marketlm/core/rng.h"

namespace marketlm::campaign {

UpliftCurve uplift_curve(const std::vector<double>& score, const std::vector<int>& t,
                         const std::vector<double>& y, int points) {
  std::vector<size_t> idx(score.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return score[a] > score[b]; });
  const size_t n = idx.size();
  std::vector<double> nt(n + 1, 0), nc(n + 1, 0), rt(n + 1, 0), rc(n + 1, 0);
  for (size_t i = 0; i < n; ++i) {
    const size_t k = idx[i];
    nt[i + 1] = nt[i] + (t[k] ? 1 : 0);
    nc[i + 1] = nc[i] + (t[k] ? 0 : 1);
    rt[i + 1] = rt[i] + (t[k] ? y[k] : 0);
    rc[i + 1] = rc[i] + (t[k] ? 0 : y[k]);
  }
  UpliftCurve c;
  for (int p = 0; p <= points; ++p) {
    const size_t m = static_cast<size_t>(std::llround(double(p) / points * n));
    c.fraction.push_back(double(m) / std::max<size_t>(n, 1));
    const double q = nc[m] > 0 ? rt[m] - rc[m] * nt[m] / nc[m] : rt[m];
    const double u = (nt[m] > 0 && nc[m] > 0) ? (rt[m] / nt[m] - rc[m] / nc[m]) * (nt[m] + nc[m]) : 0.0;
    c.qini.push_back(q);
    c.uplift.push_back(u);
  }
  return c;
}

namespace {

struct Learner {
  std::string kind;
  LogisticRegression lr;
  GradientBoostedTrees gbt;
  Status fit(const Dataset& d, const std::vector<double>& y, const std::vector<uint32_t>& rows,
             const std::vector<double>& w, uint64_t seed, ThreadPool* pool) {
    if (kind == "logreg") {
      LogRegConfig c;
      c.l2 = 10;
      return lr.fit(d, y, rows, c, w);
    }
    GbtConfig c;
    c.n_trees = 150;
    c.max_depth = 3;
    c.learning_rate = 0.05;
    c.min_child_weight = 20;
    c.seed = seed;
    if (!w.empty()) return invalid_argument("gbt learner: sample weights are not supported");
    return gbt.fit(d, y, rows, c, pool);
  }
  double predict(const float* x) const { return kind == "logreg" ? lr.predict(x) : gbt.predict(x); }
};

double mean_of(const std::vector<double>& v) {
  return v.empty() ? 0.0 : std::accumulate(v.begin(), v.end(), 0.0) / v.size();
}

}  // namespace

Result<UpliftReport> run_uplift(const UpliftOptions& opt, ThreadPool* pool) {
  if (opt.learner != "logreg" && opt.learner != "gbt")
    return invalid_argument("--learner must be logreg or gbt, got '" + opt.learner + "'");
  if (!(opt.test_fraction > 0 && opt.test_fraction < 1))
    return invalid_argument("test_fraction must be in (0, 1)");
  ML_ASSIGN_OR_RETURN(CsvTable t, read_csv(opt.data, {opt.arm_column, opt.outcome}));
  const int ca = t.column(opt.arm_column), cy = t.column(opt.outcome);
  const size_t n = t.n_rows();
  const int n_arms = 1 + static_cast<int>(opt.treatments.size());
  std::vector<int> arm(n);
  std::vector<double> y(n);
  for (size_t r = 0; r < n; ++r) {
    const std::string& a = t.rows[r][ca];
    int k = a == opt.control ? 0 : -1;
    for (size_t j = 0; j < opt.treatments.size() && k < 0; ++j)
      if (a == opt.treatments[j]) k = static_cast<int>(j) + 1;
    if (k < 0) return data_error(t.where(r, ca) + ": arm '" + a + "' is neither the control '" + opt.control + "' nor a treatment");
    arm[r] = k;
    ML_ASSIGN_OR_RETURN(int v, t.binary(r, cy));
    y[r] = v;
  }
  // Everything that is not the arm or an outcome is a feature.
  std::vector<std::string> exclude = {opt.arm_column, opt.outcome};
  for (const char* c : {"visit", "conversion", "spend"}) exclude.push_back(c);
  ML_ASSIGN_OR_RETURN(Dataset d, encode_features(t, exclude));

  UpliftReport rep;
  rep.arm_visit_rate.assign(n_arms, 0.0);
  std::vector<double> arm_n(n_arms, 0.0);
  for (size_t r = 0; r < n; ++r) rep.arm_visit_rate[arm[r]] += y[r], arm_n[arm[r]] += 1;
  for (int k = 0; k < n_arms; ++k) {
    if (arm_n[k] == 0) return data_error(opt.data + ": no rows in arm " + std::to_string(k));
    rep.arm_visit_rate[k] /= arm_n[k];
  }
  // Random split, stratified by arm.
  Rng rng(opt.seed);
  std::vector<uint8_t> is_test(n);
  for (size_t r = 0; r < n; ++r) is_test[r] = rng.uniform_f64() < opt.test_fraction;
  std::vector<uint32_t> test;
  for (size_t r = 0; r < n; ++r)
    if (is_test[r]) test.push_back(static_cast<uint32_t>(r));
  rep.test_rows = test.size();
  rep.train_rows = n - test.size();

  // uplift[j][i]: predicted uplift of treatment j for test row i, by the rule's learner.
  std::vector<std::vector<double>> rule_uplift(opt.treatments.size());
  for (size_t j = 0; j < opt.treatments.size(); ++j) {
    const int tj = static_cast<int>(j) + 1;
    std::vector<uint32_t> tr_t, tr_c, tr_both;
    for (size_t r = 0; r < n; ++r) {
      if (is_test[r]) continue;
      if (arm[r] == tj) tr_t.push_back(static_cast<uint32_t>(r)), tr_both.push_back(static_cast<uint32_t>(r));
      if (arm[r] == 0) tr_c.push_back(static_cast<uint32_t>(r)), tr_both.push_back(static_cast<uint32_t>(r));
    }
    // Held-out customers of this treatment and the control.
    std::vector<uint32_t> ev;
    for (uint32_t r : test)
      if (arm[r] == 0 || arm[r] == tj) ev.push_back(r);
    std::vector<int> ev_t;
    std::vector<double> ev_y;
    for (uint32_t r : ev) ev_t.push_back(arm[r] == tj), ev_y.push_back(y[r]);

    // Two-model learner.
    Learner mt{opt.learner, {}, {}}, mc{opt.learner, {}, {}};
    ML_RETURN_IF_ERROR(mt.fit(d, y, tr_t, {}, opt.seed + 1, pool));
    ML_RETURN_IF_ERROR(mc.fit(d, y, tr_c, {}, opt.seed + 2, pool));
    // Class-transformation learner: Z with arms balanced (weights for logreg, resampling for gbt).
    std::vector<double> z(n, 0.0), w;
    for (uint32_t r : tr_both) z[r] = (arm[r] == tj) == (y[r] > 0.5) ? 1.0 : 0.0;
    const double pt = double(tr_t.size()) / tr_both.size();
    std::vector<uint32_t> ct_rows = tr_both;
    if (opt.learner == "logreg") {
      w.assign(n, 0.0);
      for (uint32_t r : tr_both) w[r] = arm[r] == tj ? 0.5 / pt : 0.5 / (1 - pt);
    } else {
      // Balance the arms by dropping surplus rows of the larger arm.
      const auto& big = tr_t.size() > tr_c.size() ? tr_t : tr_c;
      const auto& small = tr_t.size() > tr_c.size() ? tr_c : tr_t;
      ct_rows = small;
      for (size_t i = 0; i < big.size(); ++i)
        if (rng.uniform_f64() < double(small.size()) / big.size()) ct_rows.push_back(big[i]);
    }
    Learner mz{opt.learner, {}, {}};
    ML_RETURN_IF_ERROR(mz.fit(d, z, ct_rows, w, opt.seed + 3, pool));

    std::vector<double> s_two, s_ct;
    for (uint32_t r : ev) {
      s_two.push_back(mt.predict(d.row(r)) - mc.predict(d.row(r)));
      s_ct.push_back(2.0 * mz.predict(d.row(r)) - 1.0);
    }
    for (int which = 0; which < 2; ++which) {
      const auto& s = which == 0 ? s_two : s_ct;
      UpliftModelResult res;
      res.treatment = opt.treatments[j];
      res.model = which == 0 ? "two-model" : "class-transform";
      res.curve = uplift_curve(s, ev_t, ev_y, 100);
      const double N = static_cast<double>(ev.size());
      const auto& c = res.curve;
      for (size_t p = 1; p < c.fraction.size(); ++p) {
        const double dx = c.fraction[p] - c.fraction[p - 1];
        res.auuc += 0.5 * (c.uplift[p] + c.uplift[p - 1]) / N * dx;
        const double rnd_q0 = c.qini.back() * c.fraction[p - 1], rnd_q1 = c.qini.back() * c.fraction[p];
        res.qini_coefficient += 0.5 * ((c.qini[p] - rnd_q1) + (c.qini[p - 1] - rnd_q0)) / N * dx;
      }
      res.auuc_random = 0.5 * c.uplift.back() / N;
      // Top 30%: rates among the highest-scored 30%.
      std::vector<size_t> idx(s.size());
      std::iota(idx.begin(), idx.end(), 0);
      std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return s[a] > s[b]; });
      double nt = 0, nc = 0, rt = 0, rc = 0, at = 0, ac = 0, yt = 0, yc = 0;
      for (size_t i = 0; i < idx.size(); ++i) {
        const size_t k = idx[i];
        if (ev_t[k]) at += 1, yt += ev_y[k];
        else ac += 1, yc += ev_y[k];
        if (i < static_cast<size_t>(std::llround(0.3 * idx.size()))) {
          if (ev_t[k]) nt += 1, rt += ev_y[k];
          else nc += 1, rc += ev_y[k];
        }
      }
      res.uplift_at_30 = (nt > 0 && nc > 0) ? rt / nt - rc / nc : std::nan("");
      res.ate = yt / at - yc / ac;
      rep.models.push_back(res);
    }
    // The rule uses the two-model learner's predictions on every held-out customer.
    rule_uplift[j].resize(test.size());
    for (size_t i = 0; i < test.size(); ++i)
      rule_uplift[j][i] = mt.predict(d.row(test[i])) - mc.predict(d.row(test[i]));
  }
  rep.rule_model = "two-model (" + opt.learner + ")";

  // Assignment rule and its IPS value on the held-out, randomised customers.
  std::vector<int> choice(test.size(), 0);
  rep.rule_share.assign(n_arms, 0.0);
  for (size_t i = 0; i < test.size(); ++i) {
    double best = opt.min_uplift;
    for (size_t j = 0; j < opt.treatments.size(); ++j)
      if (rule_uplift[j][i] > best) best = rule_uplift[j][i], choice[i] = static_cast<int>(j) + 1;
    rep.rule_share[choice[i]] += 1.0 / test.size();
  }
  std::vector<double> test_arm_share(n_arms, 0.0);
  for (uint32_t r : test) test_arm_share[arm[r]] += 1.0 / test.size();
  // Per-customer IPS contributions for each policy: the rule, and each fixed arm.
  const int n_pol = 1 + n_arms;
  std::vector<std::vector<double>> contrib(n_pol, std::vector<double>(test.size()));
  for (size_t i = 0; i < test.size(); ++i) {
    const uint32_t r = test[i];
    contrib[0][i] = arm[r] == choice[i] ? y[r] / test_arm_share[arm[r]] : 0.0;
    for (int k = 0; k < n_arms; ++k) contrib[1 + k][i] = arm[r] == k ? y[r] / test_arm_share[k] : 0.0;
  }
  std::vector<std::string> names = {"rule", "no e-mail"};
  for (const auto& tname : opt.treatments) names.push_back("all " + tname);
  int best_single = 1;
  for (int k = 1; k < n_arms; ++k)
    if (mean_of(contrib[1 + k]) > mean_of(contrib[best_single])) best_single = 1 + k;
  // Bootstrap: value of each policy and the rule's gain over the best single arm.
  const int B = opt.n_bootstrap;
  std::vector<std::vector<double>> boot(n_pol, std::vector<double>(B));
  std::vector<double> gain(B);
  Rng brng(opt.seed + 99);
  for (int b = 0; b < B; ++b) {
    std::vector<double> s(n_pol, 0.0);
    for (size_t i = 0; i < test.size(); ++i) {
      const size_t k = brng.below(test.size());
      for (int p = 0; p < n_pol; ++p) s[p] += contrib[p][k];
    }
    for (int p = 0; p < n_pol; ++p) boot[p][b] = s[p] / test.size();
    gain[b] = boot[0][b] - boot[best_single][b];
  }
  auto q = [](std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    return v.empty() ? std::nan("") : v[static_cast<size_t>(p * (v.size() - 1))];
  };
  for (int p = 0; p < n_pol; ++p)
    rep.values.push_back({names[p], mean_of(contrib[p]), q(boot[p], 0.025), q(boot[p], 0.975)});
  rep.gain_vs_none_per_1000 = 1000.0 * (mean_of(contrib[0]) - mean_of(contrib[1]));
  rep.gain_vs_best_single_per_1000 = 1000.0 * (mean_of(contrib[0]) - mean_of(contrib[best_single]));
  rep.gain_vs_best_ci_low = 1000.0 * q(gain, 0.025);
  rep.gain_vs_best_ci_high = 1000.0 * q(gain, 0.975);
  return rep;
}

}  // namespace marketlm::campaign
