// Sampled and full-ranking leave-one-out evaluation (see evaluate.h).
#include "marketlm/apps/recsys/evaluate.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "marketlm/apps/recsys/metrics.h"

namespace marketlm::recsys {

const char* protocol_name(Protocol p) { return p == Protocol::kSampled ? "sampled" : "full"; }
const char* target_name(EvalTarget t) { return t == EvalTarget::kTest ? "test" : "valid"; }

std::string EvalResult::protocol_description() const {
  char buf[256];
  if (options.protocol == Protocol::kSampled) {
    std::snprintf(buf, sizeof buf, "sampled: target vs %d uniform never-seen negatives, %lld users, %s target",
                  options.n_negatives, static_cast<long long>(n_users), target_name(options.target));
  } else {
    std::snprintf(buf, sizeof buf, "full ranking: target vs all %lld items minus the history, %lld users, %s target",
                  static_cast<long long>(n_candidates), static_cast<long long>(n_users),
                  target_name(options.target));
  }
  return buf;
}

namespace {
uint64_t mix(uint64_t seed, uint64_t user) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ull * (user + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
}  // namespace

Result<EvalResult> evaluate(const SequentialRecommender& model, const LeaveOneOutSplit& split,
                            const EvalOptions& opt, const Context& ctx, std::span<const int32_t> user_map) {
  if (split.n_items != model.n_items()) {
    return invalid_argument("evaluation data has " + std::to_string(split.n_items) + " items but the model has " +
                            std::to_string(model.n_items()));
  }
  if (opt.k < 1) return invalid_argument("k = " + std::to_string(opt.k) + ", expected >= 1");
  if (opt.protocol == Protocol::kSampled && opt.n_negatives < 1) {
    return invalid_argument("n_negatives = " + std::to_string(opt.n_negatives) + ", expected >= 1");
  }
  if (!user_map.empty() && static_cast<int32_t>(user_map.size()) != split.n_users()) {
    return internal_error("user_map size differs from the split's user count");
  }
  std::vector<int32_t> users;
  for (int32_t u = 0; u < split.n_users(); ++u) {
    const int32_t target = opt.target == EvalTarget::kTest ? split.test[static_cast<size_t>(u)]
                                                           : split.valid[static_cast<size_t>(u)];
    if (target != kNoItem && !split.train[static_cast<size_t>(u)].empty()) users.push_back(u);
  }
  if (users.empty()) {
    return invalid_argument("no user has at least 3 actions, so the leave-one-out split has nothing to evaluate");
  }
  if (opt.max_users > 0 && static_cast<int64_t>(users.size()) > opt.max_users) {
    Rng rng(opt.seed);
    for (size_t i = 0; i < static_cast<size_t>(opt.max_users); ++i) {
      std::swap(users[i], users[i + rng.below(users.size() - i)]);
    }
    users.resize(static_cast<size_t>(opt.max_users));
    std::sort(users.begin(), users.end());
  }

  const int64_t n = static_cast<int64_t>(users.size());
  const int32_t n_items = split.n_items;
  std::vector<double> hr(static_cast<size_t>(n)), ndcg(static_cast<size_t>(n));
  std::vector<Status> errors(static_cast<size_t>(n));
  std::vector<char> skipped(static_cast<size_t>(n), 0);
  std::atomic<int64_t> done{0};
  const auto t0 = std::chrono::steady_clock::now();
  // Users per score_batch call, capped so one thread's score rows stay under
  // 2^23 floats (32 MiB) whatever the catalogue size.
  const int64_t max_sb = std::max<int64_t>(1, (int64_t{1} << 23) / std::max<int64_t>(1, n_items));
  const int64_t sb = std::clamp<int64_t>(opt.score_batch, 1, max_sb);
  auto work = [&](int64_t begin, int64_t end, int thread) {
    std::vector<float> scores(static_cast<size_t>(std::min<int64_t>(sb, end - begin)) * static_cast<size_t>(n_items));
    std::vector<float> others;
    std::vector<int32_t> seen, negatives;
    std::vector<std::vector<int32_t>> histories;
    std::vector<UserQuery> queries;
    for (int64_t b0 = begin; b0 < end; b0 += sb) {
      const int64_t b1 = std::min(end, b0 + sb);
      histories.clear();
      queries.clear();
      for (int64_t i = b0; i < b1; ++i) {
        const int32_t u = users[static_cast<size_t>(i)];
        histories.push_back(eval_history(split, u, opt.target));
      }
      for (int64_t i = b0; i < b1; ++i) {
        const int32_t u = users[static_cast<size_t>(i)];
        const int32_t model_user = user_map.empty() ? u : user_map[static_cast<size_t>(u)];
        queries.push_back(UserQuery{model_user, histories[static_cast<size_t>(i - b0)]});
      }
      model.score_batch(queries, std::span(scores).first(queries.size() * static_cast<size_t>(n_items)));
      for (int64_t i = b0; i < b1; ++i) {
        const int32_t u = users[static_cast<size_t>(i)];
        const int32_t target = opt.target == EvalTarget::kTest ? split.test[static_cast<size_t>(u)]
                                                               : split.valid[static_cast<size_t>(u)];
        const std::vector<int32_t>& history = histories[static_cast<size_t>(i - b0)];
        const std::span<const float> row(scores.data() + static_cast<size_t>(i - b0) * static_cast<size_t>(n_items),
                                         static_cast<size_t>(n_items));
        RankCounts rc;
        if (opt.protocol == Protocol::kSampled) {
          seen = split.train[static_cast<size_t>(u)];
          for (int32_t x : {split.valid[static_cast<size_t>(u)], split.test[static_cast<size_t>(u)]}) {
            if (x != kNoItem) seen.push_back(x);
          }
          std::sort(seen.begin(), seen.end());
          seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
          Rng rng(mix(opt.seed, static_cast<uint64_t>(u)));
          if (static_cast<int64_t>(n_items) - static_cast<int64_t>(seen.size()) < opt.n_negatives) {
            skipped[static_cast<size_t>(i)] = 1;  // has seen nearly every item
            continue;
          }
          Status s = sample_negatives(n_items, seen, opt.n_negatives, rng, &negatives);
          if (!s.is_ok()) {
            errors[static_cast<size_t>(i)] = s.with_context("user " + std::to_string(u));
            continue;
          }
          others.clear();
          for (int32_t j : negatives) others.push_back(row[static_cast<size_t>(j)]);
          rc = count_rank(row[static_cast<size_t>(target)], others);
        } else {
          // One pass over all items, then take the history (minus the target)
          // back out: same counts as count_rank over the candidates, no copy.
          seen = history;
          std::sort(seen.begin(), seen.end());
          seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
          const float ts = row[static_cast<size_t>(target)];
          if (std::isnan(ts)) {
            const bool target_in_history = std::binary_search(seen.begin(), seen.end(), target);
            rc.greater = n_items - static_cast<int64_t>(seen.size()) - (target_in_history ? 0 : 1);
          } else {
            for (int32_t j = 0; j < n_items; ++j) {
              const float sj = row[static_cast<size_t>(j)];
              rc.greater += sj > ts ? 1 : 0;
              rc.ties += sj == ts ? 1 : 0;
            }
            rc.ties -= 1;  // the target itself
            for (int32_t h : seen) {
              if (h == target) continue;
              const float sh = row[static_cast<size_t>(h)];
              if (sh > ts) --rc.greater;
              else if (sh == ts) --rc.ties;
            }
          }
        }
        hr[static_cast<size_t>(i)] = hit_rate_at_k(rc, opt.k);
        ndcg[static_cast<size_t>(i)] = ndcg_at_k(rc, opt.k);
        const int64_t d = ++done;
        if (thread == 0 && (d % 256 == 0)) ctx.report({"evaluate", d, n, protocol_name(opt.protocol), false});
      }
    }
  };
  if (ctx.pool) ctx.pool->parallel_for(n, work, 64);
  else work(0, n, 0);
  ctx.report({"evaluate", n, n, protocol_name(opt.protocol), true});
  for (const Status& s : errors) {
    if (!s.is_ok()) return s;
  }
  EvalResult r;
  r.options = opt;
  r.n_candidates = opt.protocol == Protocol::kSampled ? 1 + opt.n_negatives : n_items;
  double sh = 0, sn = 0;  // summed in user order: independent of the thread count
  for (int64_t i = 0; i < n; ++i) {
    if (skipped[static_cast<size_t>(i)]) {
      ++r.n_skipped;
      continue;
    }
    sh += hr[static_cast<size_t>(i)];
    sn += ndcg[static_cast<size_t>(i)];
  }
  r.n_users = n - r.n_skipped;
  if (r.n_users == 0) {
    return invalid_argument("every evaluated user has seen all but fewer than " + std::to_string(opt.n_negatives) +
                            " items; lower the number of negatives");
  }
  if (r.n_skipped > 0) {
    ctx.logger.warn(std::to_string(r.n_skipped) + " user(s) skipped: fewer than " +
                    std::to_string(opt.n_negatives) + " items they never interacted with");
  }
  r.hr = sh / static_cast<double>(r.n_users);
  r.ndcg = sn / static_cast<double>(r.n_users);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace marketlm::recsys
