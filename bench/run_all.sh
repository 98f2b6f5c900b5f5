#!/usr/bin/env bash
# Runs every benchmark: bash bench/run_all.sh BUILD_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${1:-build}
echo "== tokenizer (marketlm vs tiktoken vs js-tiktoken) =="
bash bench/tokenizer_bench.sh "$BUILD_DIR"
echo "== GPT inference (marketlm f32/bf16/int8 vs PyTorch f32/bf16) =="
sh bench/run_gpt_infer.sh "$BUILD_DIR" 2
