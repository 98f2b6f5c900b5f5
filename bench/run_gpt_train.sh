#!/usr/bin/env bash
# Runs marketlm's GPT training step (fp32 and bf16 mixed precision) and
# PyTorch's (fp32 and bf16 autocast) on the same model and batch, one after the
# other in one run, and prints the ratios.
#   bash bench/run_gpt_train.sh [small|tiny] [steps]
# Needs a Release build with the bench target:
#   cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build -j2 --target gpt_train_bench
set -euo pipefail
cd "$(dirname "$0")/.."
CONFIG="${1:-small}"
STEPS="${2:-3}"
BIN=build/bench/gpt_train_bench
[[ -x "$BIN" ]] || { echo "build $BIN first (see the header of this script)" >&2; exit 1; }
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
OURS=$("$BIN" --config "$CONFIG" --steps "$STEPS" --threads 2 --breakdown)
echo "$OURS"
OURS_BF16=$("$BIN" --config "$CONFIG" --steps "$STEPS" --threads 2 --precision bf16 --breakdown)
echo "$OURS_BF16"
THEIRS=$(/usr/bin/python3 bench/gpt_train_bench.py --config "$CONFIG" --steps "$STEPS" --threads 2)
echo "$THEIRS"
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
ours=$(grep -o 'marketlm_ms_per_step=[0-9.]*' <<<"$OURS" | cut -d= -f2)
fp32=$(grep -o 'pytorch_fp32_ms_per_step=[0-9.]*' <<<"$THEIRS" | cut -d= -f2)
bf16=$(grep -o 'pytorch_bf16_ms_per_step=[0-9.]*' <<<"$THEIRS" | cut -d= -f2)
ours_cpu=$(grep -o 'marketlm_cpu_ms_per_step=[0-9.]*' <<<"$OURS" | cut -d= -f2)
obf=$(grep -o 'marketlm_ms_per_step=[0-9.]*' <<<"$OURS_BF16" | cut -d= -f2)
obf_cpu=$(grep -o 'marketlm_cpu_ms_per_step=[0-9.]*' <<<"$OURS_BF16" | cut -d= -f2)
fp32_cpu=$(grep -o 'pytorch_fp32_cpu_ms_per_step=[0-9.]*' <<<"$THEIRS" | cut -d= -f2)
bf16_cpu=$(grep -o 'pytorch_bf16_cpu_ms_per_step=[0-9.]*' <<<"$THEIRS" | cut -d= -f2)
awk -v o="$ours" -v f="$fp32" -v b="$bf16" -v c="$CONFIG" 'BEGIN {
  printf "== %s wall: marketlm fp32 %.0f ms/step | PyTorch fp32 %.0f ms (%.2fx marketlm speed-up) | PyTorch bf16 autocast %.0f ms (%.2fx)\n",
         c, o, f, f / o, b, b / o }'
awk -v o="$obf" -v f="$fp32" -v b="$bf16" -v c="$CONFIG" 'BEGIN {
  printf "== %s wall: marketlm bf16 %.0f ms/step | PyTorch fp32 %.0f ms (%.2fx marketlm bf16 speed-up) | PyTorch bf16 autocast %.0f ms (%.2fx)\n",
         c, o, f, f / o, b, b / o }'
awk -v o="$ours_cpu" -v f="$fp32_cpu" -v b="$bf16_cpu" -v c="$CONFIG" 'BEGIN {
  printf "== %s CPU time (all threads): marketlm %.0f ms/step | PyTorch fp32 %.0f ms (%.2fx) | PyTorch bf16 %.0f ms (%.2fx)\n",
         c, o, f, f / o, b, b / o }'
awk -v o="$obf_cpu" -v f="$fp32_cpu" -v b="$bf16_cpu" -v c="$CONFIG" 'BEGIN {
  printf "== %s CPU time (all threads): marketlm bf16 %.0f ms/step | PyTorch fp32 %.0f ms (%.2fx) | PyTorch bf16 %.0f ms (%.2fx)\n",
         c, o, f, f / o, b, b / o }'
