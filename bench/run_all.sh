#!/usr/bin/env bash
# Runs every benchmark, each side by side with its alternative:
#   bash bench/run_all.sh BUILD_DIR      (what `make bench` does)
# Results print as tables and ratios; docs/benchmarks.md records measured runs.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${1:-build}
echo "== tokenizer: marketlm vs tiktoken vs js-tiktoken =="
bash bench/tokenizer_bench.sh "$BUILD_DIR"
echo "== GPT training step: marketlm vs PyTorch (fp32, bf16 autocast) =="
bash bench/run_gpt_train.sh small 3
bash bench/run_gpt_train.sh tiny 3
echo "== AdamW step: marketlm vs torch.optim.AdamW =="
bash bench/train/run_adamw_bench.sh "$BUILD_DIR"
echo "== campaign: off-policy evaluation and policy updates vs numpy =="
bash bench/campaign/run_campaign_bench.sh "$BUILD_DIR" 1
echo "== recommendation: full-ranking scoring throughput =="
bash bench/recsys_throughput.sh "$BUILD_DIR"
echo "== GPT inference (marketlm f32/bf16/int8 vs PyTorch f32/bf16) =="
sh bench/run_gpt_infer.sh "$BUILD_DIR" 2
