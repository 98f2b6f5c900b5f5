#!/usr/bin/env bash
# Campaign speed, side by side with numpy (Debian's /usr/bin/python3):
#   bash bench/campaign/run_campaign_bench.sh [build_dir] [threads]
# Prints JSON lines and the marketlm/numpy throughput ratios.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
THREADS=${2:-1}
ROWS=1000000
BOOT=100
PY_EVENTS=100000
cmake --build "$BUILD" --target campaign_bench >/dev/null
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
"$BUILD/bench/campaign/campaign_bench" --rows $ROWS --events $ROWS --bootstrap $BOOT --threads "$THREADS" \
  --dump "$TMP" | tee "$TMP/cpp.jsonl"
/usr/bin/python3 bench/campaign/ope_numpy.py "$TMP" $BOOT $PY_EVENTS | tee "$TMP/py.jsonl"
/usr/bin/python3 - "$TMP" <<'PY'
import json, sys
d = sys.argv[1]
c = {(j["bench"], j.get("policy"), j.get("propensity_sims")): j for j in map(json.loads, open(d + "/cpp.jsonl"))}
p = {j["bench"]: j for j in map(json.loads, open(d + "/py.jsonl"))}
print("ratio ope point (marketlm rows/s / numpy rows/s): %.2f" %
      (c[("ope_point", None, None)]["rows_per_s"] / p["numpy_ope_point"]["rows_per_s"]))
print("ratio ope bootstrap (row-resamples/s): %.2f" %
      (c[("ope_bootstrap", None, None)]["row_resamples_per_s"] / p["numpy_ope_bootstrap"]["row_resamples_per_s"]))
for sims in (1, 16):
    print("ratio bts loop (events/s; marketlm also estimates slot propensities with %d extra draws): %.2f" %
          (sims, c[("policy_loop", "bts", sims)]["events_per_s"] / p["numpy_bts_loop"]["events_per_s"]))
PY
