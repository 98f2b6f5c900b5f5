#!/usr/bin/env bash
# SASRec speed, marketlm vs the PyTorch reference, same config, same run.
# usage: bash bench/sasrec/run_sasrec.sh [DATA] [batches] [score_users] [threads] [loss: bce|softmax]
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA=${1:-../shared/data/sasrec/Video.txt}
BATCHES=${2:-40}
USERS=${3:-2048}
THREADS=${4:-1}
LOSS=${5:-bce}
BIN=${SASREC_BENCH:-build/bench/sasrec/sasrec_bench}
ours=$($BIN "$DATA" "$BATCHES" "$USERS" "$THREADS" "$LOSS")
ref=$(/usr/bin/python3 bench/sasrec/sasrec_bench.py "$DATA" "$BATCHES" "$USERS" "$THREADS" "$LOSS")
echo "$ours"
echo "$ref"
/usr/bin/python3 - "$ours" "$ref" <<'PY'
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"| {a['loss']}, {a['threads']} threads | marketlm (packed / last row) | marketlm padded | PyTorch | ratio (ours / padded) |")
print("|---|---|---|---|---|")
print(f"| training, s per epoch | {a['epoch_s']:.1f} | {a['epoch_s_padded']:.1f} | {b['epoch_s']:.1f} | "
      f"{b['epoch_s'] / a['epoch_s']:.2f}x / {b['epoch_s'] / a['epoch_s_padded']:.2f}x faster |")
print(f"| full-ranking scoring, users/s | {a['score_users_per_s']:.0f} | {a['score_users_per_s_padded']:.0f} | "
      f"{b['score_users_per_s']:.0f} | {a['score_users_per_s'] / b['score_users_per_s']:.2f}x / "
      f"{a['score_users_per_s_padded'] / b['score_users_per_s']:.2f}x |")
PY
