#!/usr/bin/env bash
# Full-ranking evaluation speed of a trained recommender with one user per
# scoring call (--score-batch 1, how `recommend eval` worked before) against
# several users per call, on one thread; reports users/s and the ratio. The
# figures (HR@10 / NDCG@10) must agree; the script prints them side by side.
# Usage: bash bench/recsys_score_batch.sh BIN MODEL_DIR [batches...]
#   e.g. bash bench/recsys_score_batch.sh build/src/cli/marketlm runs/snap/ss256-e28 1 8 32 128
set -euo pipefail
BIN=$1 MODEL=$2
shift 2
BATCHES=${*:-1 32}
export OPENBLAS_NUM_THREADS=1
for b in $BATCHES; do
  "$BIN" recommend eval --model "$MODEL" --protocol full --threads 1 --score-batch "$b" --json 2>/dev/null \
    > "$MODEL.score-batch-$b.json"
done
/usr/bin/python3 - "$MODEL" $BATCHES <<'PY'
import json, sys
model, batches = sys.argv[1], sys.argv[2:]
res = {b: json.load(open(f"{model}.score-batch-{b}.json"))["results"][0] for b in batches}
base = res[batches[0]]["users_per_second"]
print(f"| users per call | users/s, 1 thread | ratio to {batches[0]} | full HR@10 | full NDCG@10 |")
print("|---|---|---|---|---|")
for b in batches:
    r = res[b]
    print(f"| {b} | {r['users_per_second']:.0f} | {r['users_per_second'] / base:.2f}x | {r['hr@10']:.4f} | {r['ndcg@10']:.4f} |")
PY
