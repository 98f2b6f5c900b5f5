// campaign_bench: times off-policy evaluation over N logged rows and the
// select+update loop of every bandit policy over N events. With --dump DIR it
// also writes the synthetic log as raw little-endian arrays for the numpy
// side of bench/campaign/run_campaign_bench.sh.
//   campaign_bench [--rows N] [--events N] [--bootstrap B] [--threads T] [--dump DIR]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "marketlm/apps/campaign/bandit.h"
#include "marketlm/apps/campaign/ope.h"
#include "marketlm/core/rng.h"

using namespace marketlm;
using namespace marketlm::campaign;

namespace {
double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
template <typename T>
void dump(const std::string& path, const std::vector<T>& v) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return;
  std::fwrite(v.data(), sizeof(T), v.size(), f);
  std::fclose(f);
}
}  // namespace

int main(int argc, char** argv) {
  long rows = 1000000, events = 1000000;
  int bootstrap = 100, threads = 1;
  std::string dump_dir;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--rows")) rows = std::atol(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--events")) events = std::atol(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--bootstrap")) bootstrap = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--threads")) threads = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--dump")) dump_dir = argv[i + 1];
  }
  const int K = 34, P = 3;
  // A synthetic uniform-random log like OBD's: 34 items, 3 slots.
  Rng rng(1);
  std::vector<double> ctr(static_cast<size_t>(K) * P);
  for (auto& c : ctr) c = 0.002 + 0.01 * rng.uniform_f64();
  LoggedFeedback lf;
  lf.n_actions = K;
  lf.n_positions = P;
  for (long i = 0; i < rows; ++i) {
    int a = static_cast<int>(rng.below(K)), j = static_cast<int>(rng.below(P));
    lf.action.push_back(a);
    lf.position.push_back(j);
    lf.propensity.push_back(1.0 / K);
    lf.reward.push_back(rng.uniform_f64() < ctr[j * K + a] ? 1.0 : 0.0);
  }
  std::vector<double> dist(static_cast<size_t>(K) * P);
  for (int j = 0; j < P; ++j) {
    double s = 0;
    for (int a = 0; a < K; ++a) s += dist[j * K + a] = 1.0 + a % 7;
    for (int a = 0; a < K; ++a) dist[j * K + a] /= s;
  }
  if (!dump_dir.empty()) {
    dump(dump_dir + "/action.i32", lf.action);
    dump(dump_dir + "/position.i32", lf.position);
    dump(dump_dir + "/reward.f64", lf.reward);
    dump(dump_dir + "/propensity.f64", lf.propensity);
    dump(dump_dir + "/dist.f64", dist);
  }
  ThreadPool pool(threads);
  auto t0 = std::chrono::steady_clock::now();
  auto q = fit_reward_table(lf, 20.0);
  auto in = make_ope_inputs(lf, dist, q, 3, 20.0);
  if (!in.is_ok()) return 1;
  OpeOptions point;
  point.n_bootstrap = 0;
  auto est = evaluate(*in, point, &pool);
  const double t_point = seconds_since(t0);
  t0 = std::chrono::steady_clock::now();
  OpeOptions boot;
  boot.n_bootstrap = bootstrap;
  auto est_b = evaluate(*in, boot, &pool);
  const double t_boot = seconds_since(t0);
  if (!est.is_ok() || !est_b.is_ok()) return 1;
  std::printf("{\"bench\": \"ope_point\", \"rows\": %ld, \"seconds\": %.4f, \"rows_per_s\": %.0f, \"ips\": %.6f, \"dr\": %.6f}\n",
              rows, t_point, rows / t_point, (*est)[1].value, (*est)[4].value);
  std::printf("{\"bench\": \"ope_bootstrap\", \"rows\": %ld, \"bootstrap\": %d, \"threads\": %d, \"seconds\": %.4f, \"row_resamples_per_s\": %.0f}\n",
              rows, bootstrap, threads, t_boot, double(rows) * bootstrap / t_boot);

  // Policy loop: select a 3-item slate, feed back a click for each slot.
  struct Run { const char* name; int sims; };
  for (Run run : {Run{"egreedy", 16}, Run{"ucb1", 16}, Run{"bts", 16}, Run{"bts", 1}, Run{"linucb", 16},
                  Run{"lints", 16}}) {
    const char* name = run.name;
    PolicyConfig c;
    c.n_actions = K;
    c.dim = 8;
    c.propensity_sims = run.sims;
    auto p = make_policy(name, c);
    if (!p.is_ok()) return 1;
    Rng r(7);
    std::vector<double> x(8);
    long n_ev = events;
    if (!std::strcmp(name, "linucb") || !std::strcmp(name, "lints") || !std::strcmp(name, "bts")) n_ev = events / 10;
    t0 = std::chrono::steady_clock::now();
    double clicks = 0;
    for (long e = 0; e < n_ev; ++e) {
      for (auto& v : x) v = r.uniform_f64();
      auto s = (*p)->select(x, 3, r);
      if (!s.is_ok()) return 1;
      for (int j = 0; j < 3; ++j) {
        double rew = r.uniform_f64() < ctr[j * K + s->items[j]] ? 1.0 : 0.0;
        clicks += rew;
        if (!(*p)->update(x, s->items[j], rew).is_ok()) return 1;
      }
    }
    const double t = seconds_since(t0);
    std::printf("{\"bench\": \"policy_loop\", \"policy\": \"%s\", \"propensity_sims\": %d, \"events\": %ld, \"seconds\": %.4f, \"events_per_s\": %.0f, \"ctr\": %.5f}\n",
                name, run.sims, n_ev, t, n_ev / t, clicks / (3.0 * n_ev));
  }
  return 0;
}
