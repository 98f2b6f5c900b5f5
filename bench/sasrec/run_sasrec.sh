#!/usr/bin/env bash
# SASRec speed, marketlm vs the PyTorch reference, same config, same run.
# usage: bash bench/sasrec/run_sasrec.sh [DATA] [batches] [score_users] [threads]
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA=${1:-../shared/data/sasrec/Video.txt}
BATCHES=${2:-40}
USERS=${3:-2048}
THREADS=${4:-1}
BIN=${SASREC_BENCH:-build/bench/sasrec/sasrec_bench}
ours=$($BIN "$DATA" "$BATCHES" "$USERS" "$THREADS")
ref=$(/usr/bin/python3 bench/sasrec/sasrec_bench.py "$DATA" "$BATCHES" "$USERS" "$THREADS")
echo "$ours"
echo "$ref"
/usr/bin/python3 - "$ours" "$ref" <<'PY'
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"epoch time      marketlm {a['epoch_s']:.1f} s   pytorch {b['epoch_s']:.1f} s   "
      f"speedup x{b['epoch_s'] / a['epoch_s']:.2f}")
print(f"full scoring    marketlm {a['score_users_per_s']:.0f} users/s   pytorch {b['score_users_per_s']:.0f} users/s   "
      f"ratio x{a['score_users_per_s'] / b['score_users_per_s']:.2f}")
PY
