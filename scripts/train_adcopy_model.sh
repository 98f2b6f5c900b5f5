#!/usr/bin/env bash
# `make model` (build directory as $1): rebuilds the shipped ad-copy model
# models/adcopy-zh from ../shared/data with marketlm's own commands, one stage
# at a time. Every stage is resumable: run it again after an interruption and
# it continues where it stopped (finished stages return at once).
#   1. prepare-data: ADGEN pairs (held-out split fixed by seed), review pairs, review corpus -> data/adcopy/
#   2. tokenizer:    an 8000-token byte-level BPE learnt from the corpus + ADGEN train pairs
#   3. pretrain:     continued pretraining on the review corpus   (configs/adcopy-pretrain.json)
#  3b. more:         3000 more pretraining steps, bf16, the learning rate warmed up again to 5e-4
#                    (configs/adcopy-pretrain-more.json): the validation loss was still falling at the
#                    end of stage 3
#   4. finetune:     brief -> copy pairs, loss on the copy only     (configs/adcopy-finetune.json)
#   5. export:       the fine-tuned weights + tokenizer + generation defaults -> models/adcopy-zh
# Then the English model, models/adcopy-en, the same way:
#   6. tokenizer:    a 4000-token byte-level BPE learnt from Jane Austen's novels + the English pairs
#   7. pretrain:     Austen + English clothing reviews (configs/adcopy-en-pretrain.json, bf16)
#   8. finetune:     English brief -> copy pairs (configs/adcopy-en-finetune.json, bf16)
#   9. export        -> models/adcopy-en
# The held-out ADGEN pairs (data/adcopy/adgen_eval.jsonl) are never trained on.
set -euo pipefail
BUILD_DIR=${1:-build}
cd "$(dirname "$0")/.."
ML="$BUILD_DIR/src/cli/marketlm"
[ -x "$ML" ] || { echo "marketlm is not built at $ML (run: make build)" >&2; exit 1; }
OUT=${MODEL_OUT:-models/adcopy-zh}
OUT_EN=${MODEL_OUT_EN:-models/adcopy-en}
TOK=runs/adcopy-tokenizer
TOK_EN=runs/adcopy-en-tokenizer

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

step "3b. More pretraining on the review corpus (configs/adcopy-pretrain-more.json)"
run_stage train configs/adcopy-pretrain-more.json

step "4. Fine-tuning on brief -> copy pairs (configs/adcopy-finetune.json)"
run_stage train configs/adcopy-finetune.json

# export_model RUN_DIR OUT: the run's latest checkpoint + generation defaults
# -> OUT, swapped in whole (a failed export leaves the old model in place).
export_model() {
  local run=$1 out=$2 ckpt tmp
  ckpt=$run/checkpoints/$(cat "$run/checkpoints/latest")
  tmp="$out.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  cp "$ckpt"/config.json "$ckpt"/model.safetensors "$ckpt"/tokenizer.json "$ckpt"/vocab.json "$ckpt"/merges.txt "$tmp"/
  cp configs/adcopy-generation.json "$tmp"/generation_config.json
  if [ -f "$out/README.md" ]; then cp "$out/README.md" "$tmp"/; fi
  sync
  rm -rf "$out.old"
  if [ -d "$out" ]; then mv "$out" "$out.old"; fi
  mv "$tmp" "$out"
  rm -rf "$out.old"
  ls -la "$out"
  echo "model: $out (from $ckpt)"
}

step "5. Export to $OUT"
export_model runs/adcopy-finetune "$OUT"

step "6. English tokenizer (marketlm tokenizer train, 4000 tokens)"
if [ -f "$TOK_EN/tokenizer.json" ]; then
  echo "$TOK_EN exists: reusing it"
else
  "$ML" tokenizer train --data ../shared/data/janeaustenr/*.txt data/adcopy/english_pairs.jsonl \
    --out "$TOK_EN" --vocab-size 4000 --min-frequency 2
fi

step "7. English pretraining on Austen + English reviews (configs/adcopy-en-pretrain.json)"
run_stage train configs/adcopy-en-pretrain.json

step "8. English fine-tuning on brief -> copy pairs (configs/adcopy-en-finetune.json)"
run_stage train configs/adcopy-en-finetune.json

step "9. Export to $OUT_EN"
export_model runs/adcopy-en-finetune "$OUT_EN"
echo "try it: $ML adcopy --target \"提供高质量的办公用品\" --features \"低价格、高质量、多样化\" -n 3"
echo "        $ML adcopy --product \"running shoes\" --features \"light, breathable\" --lang en -n 3"
