#!/usr/bin/env bash
# Trains and evaluates every recsys baseline on Games (SASRec's Video.txt) and
# Beauty (S3-Rec), both protocols, and prints the Markdown table used in
# docs/recsys.md. Usage: bash scripts/recsys_baselines.sh [build-dir] [out-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-build}/src/cli/marketlm
OUT=${2:-runs/recsys}
DATA=../shared/data
mkdir -p "$OUT"
for ds in games beauty; do
  if [ $ds = games ]; then FILE=$DATA/sasrec/Video.txt; NEG=100; MAXU=10000;
  else FILE=$DATA/s3rec/Beauty.txt; NEG=99; MAXU=0; fi
  for m in pop itemknn bpr markov; do
    "$BIN" recommend train --data "$FILE" --model-type $m --out "$OUT/$ds-$m" --json > "$OUT/$ds-$m.train.json"
    "$BIN" recommend eval --model "$OUT/$ds-$m" --protocol both --num-negatives $NEG --max-users $MAXU \
      --json > "$OUT/$ds-$m.eval.json"
  done
done
/usr/bin/python3 - "$OUT" <<'PY'
import json, sys, glob, os
out = sys.argv[1]
print("| data | model | sampled HR@10 | sampled NDCG@10 | full HR@10 | full NDCG@10 | train s | full-ranking users/s |")
print("|---|---|---|---|---|---|---|---|")
for ds in ["games", "beauty"]:
    for m in ["pop", "itemknn", "bpr", "markov"]:
        e = json.load(open(f"{out}/{ds}-{m}.eval.json"))
        t = json.load(open(f"{out}/{ds}-{m}.train.json"))
        s, f = e["results"][0], e["results"][1]
        print(f"| {ds} | {m} | {s['hr@10']:.4f} | {s['ndcg@10']:.4f} | {f['hr@10']:.4f} | {f['ndcg@10']:.4f} "
              f"| {t['train_seconds']:.1f} | {f['users_per_second']:.0f} |")
for ds in ["games", "beauty"]:
    e = json.load(open(f"{out}/{ds}-markov.eval.json"))
    for r in e["results"]:
        print(f"{ds}: {r['description']}")
PY
