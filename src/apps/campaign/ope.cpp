// Off-policy estimators and their bootstrap intervals.
#include "marketlm/apps/campaign/ope.h"

#include <algorithm>
#include <cmath>

#include "marketlm/core/rng.h"

namespace marketlm::campaign {

const char* estimator_name(Estimator e) {
  switch (e) {
    case Estimator::kReplay: return "replay";
    case Estimator::kIps: return "ips";
    case Estimator::kSnips: return "snips";
    case Estimator::kDm: return "dm";
    case Estimator::kDr: return "dr";
  }
  return "?";
}

Result<Estimator> parse_estimator(const std::string& name) {
  for (Estimator e : {Estimator::kReplay, Estimator::kIps, Estimator::kSnips, Estimator::kDm,
                      Estimator::kDr})
    if (name == estimator_name(e)) return e;
  return invalid_argument("unknown estimator '" + name + "'; expected replay, ips, snips, dm or dr");
}

namespace {

__extension__ typedef unsigned __int128 u128;

// Every estimator is a ratio of sums over rows; one pass fills them all.
struct Sums {
  double n = 0, match = 0, match_r = 0, w = 0, wr = 0, qp = 0, dr = 0, w_pos = 0;
  void add(const OpeInputs& in, size_t i, bool has_q, bool has_match) {
    n += 1;
    const double w_i = in.weight[i], r = in.reward[i];
    w += w_i;
    wr += w_i * r;
    w_pos += w_i > 0 ? 1.0 : 0.0;
    if (has_match && in.match[i]) {
      match += 1;
      match_r += r;
    }
    if (has_q) {
      qp += in.q_policy[i];
      dr += in.q_policy[i] + w_i * (r - in.q_logged[i]);
    }
  }
  double value(Estimator e) const {
    switch (e) {
      case Estimator::kReplay: return match > 0 ? match_r / match : std::nan("");
      case Estimator::kIps: return n > 0 ? wr / n : std::nan("");
      case Estimator::kSnips: return w > 0 ? wr / w : std::nan("");
      case Estimator::kDm: return n > 0 ? qp / n : std::nan("");
      case Estimator::kDr: return n > 0 ? dr / n : std::nan("");
    }
    return std::nan("");
  }
  double used(Estimator e) const {
    if (e == Estimator::kReplay) return match;
    if (e == Estimator::kIps || e == Estimator::kSnips) return w_pos;
    return n;
  }
};

Sums sum_rows(const OpeInputs& in, const uint32_t* idx, size_t n) {
  Sums s;
  const bool has_q = !in.q_policy.empty(), has_match = !in.match.empty();
  for (size_t t = 0; t < n; ++t) s.add(in, idx ? idx[t] : t, has_q, has_match);
  return s;
}

double quantile(std::vector<double> v, double q) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return std::isnan(x); }), v.end());
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  double pos = q * (v.size() - 1);
  size_t lo = static_cast<size_t>(pos);
  size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (pos - lo) * (v[hi] - v[lo]);
}

double stddev(const std::vector<double>& v) {
  double m = 0, k = 0;
  for (double x : v)
    if (!std::isnan(x)) m += x, k += 1;
  if (k < 2) return std::nan("");
  m /= k;
  double ss = 0;
  for (double x : v)
    if (!std::isnan(x)) ss += (x - m) * (x - m);
  return std::sqrt(ss / (k - 1));
}

uint64_t mix(uint64_t seed, uint64_t b) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ull * (b + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// DM and DR of one replicate with the reward table refitted on it. Both only
// need per-cell sums: with q the refitted table, DM = sum_j N_j qpol_j / N and
// DR = DM + sum_cell (sum c w r - q_cell sum c w) / N.
void refit_model_terms(const OpeInputs& in, const std::vector<uint16_t>& count, Sums& s) {
  const int K = in.n_actions, P = in.n_slots;
  const size_t cells = static_cast<size_t>(K) * P;
  std::vector<double> cnt(cells, 0.0), sr(cells, 0.0), sw(cells, 0.0), swr(cells, 0.0);
  for (size_t i = 0; i < count.size(); ++i) {
    const double c = count[i];
    if (c == 0) continue;
    const size_t cell = static_cast<size_t>(in.cell[i]);
    cnt[cell] += c;
    sr[cell] += c * in.reward[i];
    sw[cell] += c * in.weight[i];
    swr[cell] += c * in.weight[i] * in.reward[i];
  }
  double qp = 0, corr = 0;
  for (int j = 0; j < P; ++j) {
    double nj = 0, rj = 0;
    for (int a = 0; a < K; ++a) nj += cnt[static_cast<size_t>(j) * K + a], rj += sr[static_cast<size_t>(j) * K + a];
    const double prior = nj > 0 ? rj / nj : 0.0;
    double qpol = 0;
    for (int a = 0; a < K; ++a) {
      const size_t cell = static_cast<size_t>(j) * K + a;
      const double q = (sr[cell] + in.refit_prior * prior) / (cnt[cell] + in.refit_prior);
      qpol += in.dist[cell] * q;
      corr += swr[cell] - q * sw[cell];
    }
    qp += nj * qpol;
  }
  s.qp = qp;
  s.dr = qp + corr;
}

}  // namespace

double point_estimate(Estimator e, const OpeInputs& in, const uint32_t* idx, size_t n) {
  return sum_rows(in, idx, n).value(e);
}

Result<std::vector<Estimate>> evaluate(const OpeInputs& in, const OpeOptions& opt, ThreadPool* pool) {
  const size_t n = in.size();
  if (n == 0) return invalid_argument("off-policy evaluation needs at least one logged row");
  if (in.weight.size() != n) return invalid_argument("weight has a different length than reward");
  const bool has_q = !in.q_policy.empty();
  if (has_q && (in.q_policy.size() != n || in.q_logged.size() != n))
    return invalid_argument("q_policy/q_logged must have one value per row");
  if (!in.match.empty() && in.match.size() != n)
    return invalid_argument("match must have one value per row");
  if (opt.n_bootstrap < 0) return invalid_argument("n_bootstrap must be >= 0");
  if (!(opt.confidence > 0 && opt.confidence < 1))
    return invalid_argument("confidence must be in (0, 1), got " + std::to_string(opt.confidence));
  for (Estimator e : opt.estimators) {
    if ((e == Estimator::kDm || e == Estimator::kDr) && !has_q)
      return invalid_argument(std::string(estimator_name(e)) + " needs a reward model (q values)");
    if (e == Estimator::kReplay && in.match.empty())
      return invalid_argument("replay needs the policy's draws (match flags)");
  }
  const int B = opt.n_bootstrap;
  std::vector<Sums> reps(B);
  // Each replicate draws n row indices into a count per row (a small array
  // that stays in cache), then sums the rows once in order with those counts:
  // the same resample as drawing indices, without random reads of the data.
  const bool has_match = !in.match.empty();
  const bool refit = has_q && in.refit_prior >= 0 && in.cell.size() == n;
  auto run = [&](int64_t begin, int64_t end, int) {
    std::vector<uint16_t> count(n);
    for (int64_t b = begin; b < end; ++b) {
      Rng rng(mix(opt.seed, static_cast<uint64_t>(b)));
      std::fill(count.begin(), count.end(), 0);
      for (size_t t = 0; t < n; ++t) {
        // Lemire's multiply-shift range reduction (bias < n / 2^64).
        const uint64_t i = static_cast<uint64_t>((static_cast<u128>(rng.next_u64()) * n) >> 64);
        ++count[i];
      }
      Sums s;
      for (size_t i = 0; i < n; ++i) {
        const double c = count[i];
        if (c == 0) continue;
        const double w_i = in.weight[i], r = in.reward[i];
        s.n += c;
        s.w += c * w_i;
        s.wr += c * w_i * r;
        s.w_pos += w_i > 0 ? c : 0.0;
        if (has_match && in.match[i]) s.match += c, s.match_r += c * r;
        if (has_q) {
          s.qp += c * in.q_policy[i];
          s.dr += c * (in.q_policy[i] + w_i * (r - in.q_logged[i]));
        }
      }
      if (refit) refit_model_terms(in, count, s);
      reps[b] = s;
    }
  };
  if (pool && B > 1) pool->parallel_for(B, run, 1);
  else run(0, B, 0);

  Sums full = sum_rows(in, nullptr, n);
  std::vector<Estimate> out;
  const double lo_q = (1.0 - opt.confidence) / 2, hi_q = 1.0 - lo_q;
  for (Estimator e : opt.estimators) {
    Estimate est;
    est.estimator = e;
    est.value = full.value(e);
    est.n_used = full.used(e);
    std::vector<double> v(B);
    for (int b = 0; b < B; ++b) v[b] = reps[b].value(e);
    est.ci_low = B > 0 ? quantile(v, lo_q) : est.value;
    est.ci_high = B > 0 ? quantile(v, hi_q) : est.value;
    est.std_error = B > 1 ? stddev(v) : 0.0;
    out.push_back(est);
  }
  return out;
}

Estimate mean_with_interval(const std::vector<double>& x, int n_bootstrap, double confidence,
                            uint64_t seed) {
  OpeInputs in;
  in.reward = x;
  in.weight.assign(x.size(), 1.0);
  OpeOptions opt;
  opt.estimators = {Estimator::kIps};
  opt.n_bootstrap = n_bootstrap;
  opt.confidence = confidence;
  opt.seed = seed;
  auto r = evaluate(in, opt, nullptr);
  if (!r.is_ok()) return Estimate{Estimator::kIps, std::nan(""), std::nan(""), std::nan(""), 0, 0};
  return r->front();
}

}  // namespace marketlm::campaign
