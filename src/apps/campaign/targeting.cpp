// CoIL 2000 response targeting: cross-validated model choice on the training
// rows, one look at the test rows at the end.
#include "marketlm/apps/campaign/targeting.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

namespace marketlm::campaign {

namespace {

struct Candidate {
  std::string text;
  LogRegConfig lr;
  GbtConfig gbt;
};

std::vector<Candidate> grid(const std::string& model, bool tune, uint64_t seed) {
  std::vector<Candidate> out;
  if (model == "logreg") {
    std::vector<double> l2s = tune ? std::vector<double>{1, 10, 30, 100, 300, 1000} : std::vector<double>{100};
    for (double l2 : l2s) {
      Candidate c;
      c.lr.l2 = l2;
      c.text = "l2=" + std::to_string(static_cast<int>(l2));
      out.push_back(c);
    }
  } else {
    struct G { int depth, trees; double lr, mcw; };
    std::vector<G> gs = tune ? std::vector<G>{{2, 200, 0.05, 5}, {3, 200, 0.05, 5}, {2, 500, 0.02, 5},
                                              {3, 400, 0.02, 10}, {4, 300, 0.02, 10}, {1, 400, 0.05, 5}}
                             : std::vector<G>{{2, 300, 0.03, 5}};
    for (auto g : gs) {
      Candidate c;
      c.gbt.max_depth = g.depth;
      c.gbt.n_trees = g.trees;
      c.gbt.learning_rate = g.lr;
      c.gbt.min_child_weight = g.mcw;
      c.gbt.seed = seed;
      std::ostringstream o;
      o << "depth=" << g.depth << " trees=" << g.trees << " lr=" << g.lr << " min_child=" << g.mcw;
      c.text = o.str();
      out.push_back(c);
    }
  }
  return out;
}

Result<std::vector<double>> fit_predict(const std::string& model, const Candidate& c, const Dataset& d,
                                        const std::vector<double>& y, const std::vector<uint32_t>& fit_rows,
                                        const std::vector<uint32_t>& pred_rows, ThreadPool* pool) {
  if (model == "logreg") {
    LogisticRegression m;
    ML_RETURN_IF_ERROR(m.fit(d, y, fit_rows, c.lr));
    return m.predict_all(d, pred_rows);
  }
  GradientBoostedTrees m;
  ML_RETURN_IF_ERROR(m.fit(d, y, fit_rows, c.gbt, pool));
  return m.predict_all(d, pred_rows);
}

std::vector<double> ranks01(const std::vector<double>& s) {
  std::vector<size_t> idx(s.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return s[a] < s[b]; });
  std::vector<double> r(s.size());
  for (size_t i = 0; i < idx.size(); ++i) r[idx[i]] = s.size() > 1 ? double(i) / (s.size() - 1) : 0.5;
  return r;
}

std::vector<double> gains_curve(const std::vector<double>& score, const std::vector<double>& y) {
  std::vector<size_t> idx(score.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return score[a] > score[b]; });
  std::vector<double> cum(idx.size() + 1, 0.0);
  for (size_t i = 0; i < idx.size(); ++i) cum[i + 1] = cum[i] + (y[idx[i]] > 0.5);
  std::vector<double> g(101);
  for (int p = 0; p <= 100; ++p) g[p] = cum[static_cast<size_t>(std::llround(p / 100.0 * idx.size()))];
  return g;
}

std::vector<double> pick(const std::vector<double>& v, const std::vector<uint32_t>& rows) {
  std::vector<double> o;
  for (uint32_t r : rows) o.push_back(v[r]);
  return o;
}

}  // namespace

Result<TargetingReport> run_targeting(const TargetingOptions& opt, ThreadPool* pool,
                                      const ProgressSink& progress) {
  if (opt.top <= 0) return invalid_argument("--top must be > 0, got " + std::to_string(opt.top));
  if (opt.folds < 2) return invalid_argument("--folds must be >= 2");
  for (const auto& m : opt.models)
    if (m != "logreg" && m != "gbt" && m != "ensemble")
      return invalid_argument("unknown model '" + m + "'; expected logreg, gbt or ensemble");
  ML_ASSIGN_OR_RETURN(CsvTable t, read_csv(opt.data, {opt.target, opt.split_column}));
  const int ct = t.column(opt.target), cs = t.column(opt.split_column);
  std::vector<double> y(t.n_rows());
  std::vector<uint32_t> train, test;
  for (size_t r = 0; r < t.n_rows(); ++r) {
    const std::string& v = t.rows[r][ct];
    y[r] = (v == opt.positive || v == "1") ? 1.0 : 0.0;
    const std::string& s = t.rows[r][cs];
    if (s == "train") train.push_back(static_cast<uint32_t>(r));
    else if (s == "test") test.push_back(static_cast<uint32_t>(r));
    else return data_error(t.where(r, cs) + ": value '" + s + "', expected 'train' or 'test'");
  }
  if (train.empty() || test.empty()) return data_error(opt.data + ": needs both train and test rows");
  ML_ASSIGN_OR_RETURN(Dataset d, encode_features(t, {opt.target, opt.split_column}));

  TargetingReport rep;
  rep.train_rows = train.size();
  rep.test_rows = test.size();
  rep.top = opt.top;
  for (uint32_t r : train) rep.train_buyers += y[r] > 0.5;
  for (uint32_t r : test) rep.test_buyers += y[r] > 0.5;
  rep.random_hits = double(rep.test_buyers) * std::min<double>(opt.top, test.size()) / test.size();
  const auto ytest = pick(y, test);

  // Cross-validation folds over the training rows only.
  const auto ytrain = pick(y, train);
  const auto fold = stratified_folds(ytrain, opt.folds, opt.seed + 1);
  std::vector<std::vector<double>> test_scores, oof_scores;
  int64_t total_fits = 0, fits = 0;
  for (const auto& model : opt.models)
    if (model != "ensemble") total_fits += static_cast<int64_t>(grid(model, opt.tune, opt.seed).size()) * opt.folds + 1;
  auto tick = [&](const std::string& model) {
    ++fits;
    if (progress) progress({"cross-validation", fits, total_fits, model, fits == total_fits});
  };
  std::vector<std::string> fitted;
  for (const auto& model : opt.models) {
    if (model == "ensemble") continue;
    ModelResult res;
    res.model = model;
    double best = -1;
    Candidate chosen;
    std::vector<double> best_oof;
    for (const auto& cand : grid(model, opt.tune, opt.seed)) {
      double hits = 0;
      std::vector<double> oof(train.size());
      for (int k = 0; k < opt.folds; ++k) {
        std::vector<uint32_t> fit_rows, held;
        std::vector<size_t> held_pos;
        for (size_t i = 0; i < train.size(); ++i) {
          if (fold[i] == k) held.push_back(train[i]), held_pos.push_back(i);
          else fit_rows.push_back(train[i]);
        }
        ML_ASSIGN_OR_RETURN(auto s, fit_predict(model, cand, d, y, fit_rows, held, pool));
        tick(model);
        hits += hits_at_top(s, pick(y, held), static_cast<size_t>(std::llround(0.2 * held.size())));
        for (size_t j = 0; j < held_pos.size(); ++j) oof[held_pos[j]] = s[j];
      }
      const double a = auc(oof, ytrain);
      if (hits + 1e-3 * a > best) {
        best = hits + 1e-3 * a;
        chosen = cand;
        res.cv_hits_top20 = hits;
        res.cv_auc = a;
        best_oof = oof;
      }
    }
    res.chosen = chosen.text;
    ML_ASSIGN_OR_RETURN(auto s, fit_predict(model, chosen, d, y, train, test, pool));
    tick(model);
    res.test_hits = hits_at_top(s, ytest, opt.top);
    res.test_auc = auc(s, ytest);
    res.gains = gains_curve(s, ytest);
    test_scores.push_back(s);
    oof_scores.push_back(best_oof);
    fitted.push_back(model);
    rep.models.push_back(res);
  }
  if (std::find(opt.models.begin(), opt.models.end(), "ensemble") != opt.models.end()) {
    if (test_scores.size() < 2) return invalid_argument("ensemble needs both logreg and gbt");
    std::vector<double> s(test.size(), 0.0);
    for (const auto& ts : test_scores) {
      auto r = ranks01(ts);
      for (size_t i = 0; i < s.size(); ++i) s[i] += r[i] / test_scores.size();
    }
    ModelResult res;
    res.model = "ensemble";
    res.chosen = "mean rank of the tuned models";
    // Its cross-validated score: the same rank average of the out-of-fold predictions, per fold.
    std::vector<double> oof(train.size(), 0.0);
    for (int k = 0; k < opt.folds; ++k) {
      std::vector<size_t> pos;
      for (size_t i = 0; i < train.size(); ++i)
        if (fold[i] == k) pos.push_back(i);
      std::vector<double> yk, sk(pos.size(), 0.0);
      for (size_t i : pos) yk.push_back(ytrain[i]);
      for (const auto& o : oof_scores) {
        std::vector<double> ok;
        for (size_t i : pos) ok.push_back(o[i]);
        auto r = ranks01(ok);
        for (size_t j = 0; j < pos.size(); ++j) sk[j] += r[j] / oof_scores.size();
      }
      for (size_t j = 0; j < pos.size(); ++j) oof[pos[j]] = sk[j];
      res.cv_hits_top20 += hits_at_top(sk, yk, static_cast<size_t>(std::llround(0.2 * pos.size())));
    }
    res.cv_auc = auc(oof, ytrain);
    res.test_hits = hits_at_top(s, ytest, opt.top);
    res.test_auc = auc(s, ytest);
    res.gains = gains_curve(s, ytest);
    rep.models.push_back(res);
  }
  return rep;
}

}  // namespace marketlm::campaign
