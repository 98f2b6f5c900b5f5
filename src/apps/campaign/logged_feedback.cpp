// Reading logged-feedback CSVs and turning a policy plus a reward model into
// the per-row inputs of the off-policy estimators.
#include <algorithm>
#include <cmath>

#include "marketlm/apps/campaign/csv.h"
#include "marketlm/apps/campaign/ope.h"
#include "marketlm/core/rng.h"

namespace marketlm::campaign {

Result<LoggedFeedback> read_logged_feedback(const std::string& path, const LogColumns& cols) {
  std::vector<std::string> need = {cols.action, cols.reward, cols.propensity};
  if (!cols.position.empty()) need.push_back(cols.position);
  for (const auto& f : cols.features) need.push_back(f);
  ML_ASSIGN_OR_RETURN(CsvTable t, read_csv(path, need));
  if (t.n_rows() == 0) return data_error(path + ": no data rows after the header");
  LoggedFeedback lf;
  lf.source = path;
  const int ca = t.column(cols.action), cr = t.column(cols.reward), cp = t.column(cols.propensity);
  const int cpos = cols.position.empty() ? -1 : t.column(cols.position);
  std::vector<int> cf;
  for (const auto& f : cols.features) cf.push_back(t.column(f));
  lf.n_features = static_cast<int>(cf.size());
  int max_a = -1, max_p = 0;
  for (size_t r = 0; r < t.n_rows(); ++r) {
    ML_ASSIGN_OR_RETURN(long long a, t.integer(r, ca));
    if (a < 0 || a > 1000000)
      return data_error(t.where(r, ca) + ": action " + std::to_string(a) +
                        " out of range, expected an item index in [0, 1000000]");
    long long pos = cols.position_base;
    if (cpos >= 0) {
      ML_ASSIGN_OR_RETURN(pos, t.integer(r, cpos));
      if (pos < cols.position_base || pos > cols.position_base + 100)
        return data_error(t.where(r, cpos) + ": position " + std::to_string(pos) +
                          " out of range, expected a slot number starting at " +
                          std::to_string(cols.position_base));
    }
    ML_ASSIGN_OR_RETURN(double rew, t.number(r, cr));
    ML_ASSIGN_OR_RETURN(double p, t.number(r, cp));
    if (!(p > 0.0 && p <= 1.0))
      return data_error(t.where(r, cp) + ": propensity " + t.rows[r][cp] +
                        " must be in (0, 1] (the logging policy's probability of this action)");
    lf.action.push_back(static_cast<int32_t>(a));
    lf.position.push_back(static_cast<int32_t>(pos - cols.position_base));
    lf.reward.push_back(rew);
    lf.propensity.push_back(p);
    for (int c : cf) {
      ML_ASSIGN_OR_RETURN(double v, t.number(r, c));
      lf.features.push_back(v);
    }
    max_a = std::max<int>(max_a, static_cast<int>(a));
    max_p = std::max<int>(max_p, static_cast<int>(pos - cols.position_base));
  }
  lf.n_actions = max_a + 1;
  lf.n_positions = max_p + 1;
  return lf;
}

std::vector<double> fit_reward_table(const LoggedFeedback& logs, double prior_strength) {
  const int K = logs.n_actions, P = logs.n_positions;
  std::vector<double> sum(static_cast<size_t>(K) * P, 0.0), cnt(sum.size(), 0.0), slot_sum(P, 0.0),
      slot_cnt(P, 0.0);
  for (size_t i = 0; i < logs.size(); ++i) {
    size_t cell = static_cast<size_t>(logs.position[i]) * K + logs.action[i];
    sum[cell] += logs.reward[i];
    cnt[cell] += 1;
    slot_sum[logs.position[i]] += logs.reward[i];
    slot_cnt[logs.position[i]] += 1;
  }
  std::vector<double> q(sum.size());
  for (int j = 0; j < P; ++j) {
    const double prior = slot_cnt[j] > 0 ? slot_sum[j] / slot_cnt[j] : 0.0;
    for (int a = 0; a < K; ++a) {
      size_t cell = static_cast<size_t>(j) * K + a;
      q[cell] = (sum[cell] + prior_strength * prior) / (cnt[cell] + prior_strength);
    }
  }
  return q;
}

Result<OpeInputs> make_ope_inputs(const LoggedFeedback& logs, const std::vector<double>& dist,
                                  const std::vector<double>& q_table, uint64_t seed,
                                  double refit_prior) {
  const int K = logs.n_actions, P = logs.n_positions;
  const size_t cells = static_cast<size_t>(K) * P;
  if (dist.size() != cells)
    return invalid_argument("evaluation policy has " + std::to_string(dist.size()) +
                            " slot probabilities, expected positions x actions = " +
                            std::to_string(cells));
  if (!q_table.empty() && q_table.size() != cells)
    return invalid_argument("reward table has " + std::to_string(q_table.size()) +
                            " cells, expected " + std::to_string(cells));
  for (int j = 0; j < P; ++j) {
    double s = 0;
    for (int a = 0; a < K; ++a) {
      double p = dist[static_cast<size_t>(j) * K + a];
      if (!(p >= 0 && p <= 1)) return invalid_argument("evaluation probabilities must be in [0, 1]");
      s += p;
    }
    if (std::fabs(s - 1.0) > 1e-6)
      return invalid_argument("evaluation probabilities of slot " + std::to_string(j + 1) +
                              " sum to " + std::to_string(s) + ", expected 1");
  }
  // Per-slot cumulative distributions for replay's draws, and DM's sums.
  std::vector<double> cdf(cells), dm(P, 0.0);
  for (int j = 0; j < P; ++j) {
    double c = 0;
    for (int a = 0; a < K; ++a) {
      size_t cell = static_cast<size_t>(j) * K + a;
      c += dist[cell];
      cdf[cell] = c;
      if (!q_table.empty()) dm[j] += dist[cell] * q_table[cell];
    }
  }
  OpeInputs in;
  const size_t n = logs.size();
  in.reward = logs.reward;
  in.weight.resize(n);
  in.match.resize(n);
  if (!q_table.empty()) {
    in.q_logged.resize(n);
    in.q_policy.resize(n);
  }
  if (refit_prior >= 0 && !q_table.empty()) {
    in.refit_prior = refit_prior;
    in.n_actions = K;
    in.n_slots = P;
    in.dist = dist;
    in.cell.resize(n);
  }
  Rng rng(seed);
  for (size_t i = 0; i < n; ++i) {
    const int j = logs.position[i], a = logs.action[i];
    const size_t cell = static_cast<size_t>(j) * K + a;
    if (!in.cell.empty()) in.cell[i] = static_cast<int32_t>(cell);
    in.weight[i] = dist[cell] / logs.propensity[i];
    const double u = rng.uniform_f64();
    const double* c = &cdf[static_cast<size_t>(j) * K];
    int drawn = static_cast<int>(std::upper_bound(c, c + K, u * c[K - 1]) - c);
    in.match[i] = drawn == a ? 1 : 0;
    if (!q_table.empty()) {
      in.q_logged[i] = q_table[cell];
      in.q_policy[i] = dm[j];
    }
  }
  return in;
}

}  // namespace marketlm::campaign
