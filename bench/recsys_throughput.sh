#!/usr/bin/env bash
# Full-ranking scoring throughput of the recsys baselines on Games (SASRec's
# Video.txt): users per second for `marketlm recommend eval --protocol full`
# (score every item for a user, then rank the target against all items not in
# the history), at 1 thread and at all cores, as a ratio to popularity.
# The PyTorch SASRec reference joins this table once SASRec is in C++.
# Usage: bash bench/recsys_throughput.sh [build-dir] [out-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-build}/src/cli/marketlm
OUT=${2:-runs/recsys-bench}
DATA=../shared/data/sasrec/Video.txt
NT=$(nproc)
mkdir -p "$OUT"
for m in pop itemknn bpr markov; do
  [ -f "$OUT/$m/config.json" ] || "$BIN" recommend train --data "$DATA" --model-type $m --out "$OUT/$m" --json > /dev/null
  for t in 1 "$NT"; do
    "$BIN" recommend eval --model "$OUT/$m" --protocol full --threads "$t" --json > "$OUT/$m.t$t.json" 2>/dev/null
  done
done
/usr/bin/python3 - "$OUT" "$NT" <<'PY'
import json, sys
out, nt = sys.argv[1], sys.argv[2]
def ups(m, t):
    return json.load(open(f"{out}/{m}.t{t}.json"))["results"][0]["users_per_second"]
base = ups("pop", 1)
print(f"| model | users/s, 1 thread | ratio to pop | users/s, {nt} threads | speed-up |")
print("|---|---|---|---|---|")
for m in ["pop", "itemknn", "bpr", "markov"]:
    a, b = ups(m, 1), ups(m, nt)
    print(f"| {m} | {a:.0f} | {a / base:.2f} | {b:.0f} | {b / a:.2f}x |")
PY
