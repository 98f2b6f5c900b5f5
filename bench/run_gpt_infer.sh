#!/bin/sh
# GPT inference speed, marketlm (f32 / bf16 / int8) and PyTorch (f32 / bf16)
# side by side in one run. Usage: bench/run_gpt_infer.sh [build dir] [threads]
set -e
BUILD=${1:-build}
THREADS=${2:-2}
cmake --build "$BUILD" -j2 --target gpt_infer_bench
for cfg in tiny 124m; do
  "$BUILD/bench/gpt_infer_bench" $cfg "$THREADS" 128 32
  /usr/bin/python3 "$(dirname "$0")/gpt_infer_torch.py" $cfg "$THREADS" 128 32
done
