"""The alternative a user would pick: IPS / SNIPS / DM / DR and their bootstrap
in vectorised numpy, on the arrays campaign_bench --dump wrote. Also a
Bernoulli-TS select+update loop in numpy. Run by run_campaign_bench.sh."""
import json
import sys
import time

import numpy as np

d = sys.argv[1]
boot = int(sys.argv[2])
events = int(sys.argv[3])
K, P = 34, 3
action = np.fromfile(d + "/action.i32", dtype=np.int32)
position = np.fromfile(d + "/position.i32", dtype=np.int32)
reward = np.fromfile(d + "/reward.f64")
prop = np.fromfile(d + "/propensity.f64")
dist = np.fromfile(d + "/dist.f64").reshape(P, K)
n = len(reward)

t0 = time.perf_counter()
cnt = np.zeros((P, K)); sm = np.zeros((P, K))
np.add.at(cnt, (position, action), 1.0)
np.add.at(sm, (position, action), reward)
slot_mean = sm.sum(1) / np.maximum(cnt.sum(1), 1)
q = (sm + 20.0 * slot_mean[:, None]) / (cnt + 20.0)
w = dist[position, action] / prop
q_log = q[position, action]
q_pol = (dist * q).sum(1)[position]
ips = np.mean(w * reward)
snips = np.sum(w * reward) / np.sum(w)
dm = np.mean(q_pol)
dr_terms = q_pol + w * (reward - q_log)
dr = np.mean(dr_terms)
t_point = time.perf_counter() - t0
print(json.dumps({"bench": "numpy_ope_point", "rows": n, "seconds": round(t_point, 4),
                  "rows_per_s": round(n / t_point), "ips": round(ips, 6), "dr": round(dr, 6)}))

rng = np.random.default_rng(0)
wr = w * reward
t0 = time.perf_counter()
for _ in range(boot):
    idx = rng.integers(0, n, size=n)
    _ = (wr[idx].mean(), wr[idx].sum() / w[idx].sum(), q_pol[idx].mean(), dr_terms[idx].mean())
t_boot = time.perf_counter() - t0
print(json.dumps({"bench": "numpy_ope_bootstrap", "rows": n, "bootstrap": boot, "seconds": round(t_boot, 4),
                  "row_resamples_per_s": round(n * boot / t_boot)}))

# Bernoulli TS loop (no propensity simulation): select top-3 by a Beta draw, update counts.
ctr = 0.002 + 0.01 * rng.random((P, K))
a = np.ones(K); b = np.ones(K)
t0 = time.perf_counter()
for _ in range(events):
    theta = rng.beta(a, b)
    top = np.argpartition(-theta, 3)[:3]
    top = top[np.argsort(-theta[top])]
    clicks = rng.random(3) < ctr[np.arange(3), top]
    a[top] += clicks
    b[top] += 1 - clicks
t_loop = time.perf_counter() - t0
print(json.dumps({"bench": "numpy_bts_loop", "events": events, "seconds": round(t_loop, 4),
                  "events_per_s": round(events / t_loop)}))
