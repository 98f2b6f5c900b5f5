#!/usr/bin/env bash
# marketlm AdamW (every ISA path) and torch.optim.AdamW back to back, same n
# and threads:  bash bench/train/run_adamw_bench.sh [BUILD_DIR] [N] [THREADS]
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${1:-build}
N=${2:-16300000}
THREADS=${3:-2}
"$BUILD_DIR/bench/train/adamw_bench" --n "$N" --threads "$THREADS" --reps 5
/usr/bin/python3 bench/train/adamw_torch_bench.py --n "$N" --threads "$THREADS" --reps 5
