#!/bin/sh
# Speed of MLP-neuron pruning (the smaller n_inner `marketlm prune --method
# neurons` writes): prompt and decode tokens/s with all, 70 % and 50 % of the
# MLP neurons kept, in one run, per weight format.
# Usage: bench/run_prune_bench.sh [build dir] [threads] [tiny|124m]
set -e
BUILD=${1:-build}
THREADS=${2:-2}
CFG=${3:-124m}
cmake --build "$BUILD" -j2 --target gpt_infer_bench
for keep in 1 0.7 0.5; do
  "$BUILD/bench/gpt_infer_bench" "$CFG" "$THREADS" 512 112 $keep
done
