#!/bin/sh
# GPT inference speed, marketlm (f32 / bf16 / int8) and PyTorch (f32 / bf16)
# side by side in one run. Usage: bench/run_gpt_infer.sh [build dir] [threads]
# A 512-token prompt (llama-bench's pp512), then 112 decode steps after a
# 16-token prompt (positions 16-128, the end of llama-bench's tg128).
set -e
BUILD=${1:-build}
THREADS=${2:-2}
cmake --build "$BUILD" -j2 --target gpt_infer_bench
for cfg in tiny 124m; do
  "$BUILD/bench/gpt_infer_bench" $cfg "$THREADS" 512 112
  /usr/bin/python3 "$(dirname "$0")/gpt_infer_torch.py" $cfg "$THREADS" 512 112
done
