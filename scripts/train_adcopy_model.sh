#!/usr/bin/env bash
# `make model` (build directory as $1): rebuilds the shipped ad-copy model
# models/adcopy-zh from ../shared/data with marketlm's own commands, one stage
# at a time. Every stage is resumable: run it again after an interruption and
# it continues where it stopped (finished stages return at once).
#   1. prepare-data: ADGEN pairs (held-out split fixed by seed), review pairs, review corpus -> data/adcopy/
#   2. tokenizer:    an 8000-token byte-level BPE learnt from the corpus + ADGEN train pairs
#   3. pretrain:     continued pretraining on the review corpus   (configs/adcopy-pretrain.json)
#   4. finetune:     brief -> copy pairs, loss on the copy only     (configs/adcopy-finetune.json)
#   5. export:       the fine-tuned weights + tokenizer + generation defaults -> models/adcopy-zh
# The held-out ADGEN pairs (data/adcopy/adgen_eval.jsonl) are never trained on.
set -euo pipefail
BUILD_DIR=${1:-build}
cd "$(dirname "$0")/.."
ML="$BUILD_DIR/src/cli/marketlm"
[ -x "$ML" ] || { echo "marketlm is not built at $ML (run: make build)" >&2; exit 1; }
OUT=${MODEL_OUT:-models/adcopy-zh}
TOK=runs/adcopy-tokenizer

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# Runs `marketlm $cmd --config CONFIG`, resuming when the run directory has a checkpoint.
run_stage() {
  local cmd=$1 config=$2 dir
  dir=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["out_dir"])' "$config")
  if [ -f "$dir/checkpoints/latest" ]; then
    echo "$dir has a checkpoint ($(cat "$dir/checkpoints/latest")): resuming"
    "$ML" "$cmd" --config "$config" --resume
  else
    "$ML" "$cmd" --config "$config"
  fi
}

step "1. Data (marketlm adcopy prepare-data)"
"$ML" adcopy prepare-data --out data/adcopy

step "2. Tokenizer (marketlm tokenizer train, 8000 tokens)"
if [ -f "$TOK/tokenizer.json" ]; then
  echo "$TOK exists: reusing it"
else
  "$ML" tokenizer train --data data/adcopy/reviews_corpus.txt data/adcopy/adgen_train.jsonl \
    --out "$TOK" --vocab-size 8000 --min-frequency 2
fi

step "3. Continued pretraining on Chinese shopping reviews (configs/adcopy-pretrain.json)"
run_stage train configs/adcopy-pretrain.json

step "4. Fine-tuning on brief -> copy pairs (configs/adcopy-finetune.json)"
run_stage train configs/adcopy-finetune.json

step "5. Export to $OUT"
ckpt=runs/adcopy-finetune/checkpoints/$(cat runs/adcopy-finetune/checkpoints/latest)
tmp="$OUT.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp"
cp "$ckpt"/config.json "$ckpt"/model.safetensors "$ckpt"/tokenizer.json "$ckpt"/vocab.json "$ckpt"/merges.txt "$tmp"/
cp configs/adcopy-generation.json "$tmp"/generation_config.json
if [ -f "$OUT/README.md" ]; then cp "$OUT/README.md" "$tmp"/; fi
sync
rm -rf "$OUT.old"
if [ -d "$OUT" ]; then mv "$OUT" "$OUT.old"; fi
mv "$tmp" "$OUT"
rm -rf "$OUT.old"
ls -la "$OUT"
echo "model: $OUT (from $ckpt)"
echo "try it: $ML adcopy --target \"提供高质量的办公用品\" --features \"低价格、高质量、多样化\" -n 3"
