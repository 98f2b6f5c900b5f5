#!/usr/bin/env bash
# `make demo-train` (build directory as $1): the training side of marketlm, end
# to end on a laptop-sized budget (`make demo` runs the shipped ad-copy model):
#   1. the GPT-2 byte-level BPE tokenizer on an English and a Chinese sentence,
#   2. a 2048-token BPE vocabulary learnt from Jane Austen's six novels, and a
#      tiny GPT trained on them with it (2-3 minutes on 2 cores; resumable: run
#      the demo again and it continues or reuses the run),
#   3. its loss curve as an SVG,
#   4. three sampled continuations of a prompt from the trained model.
# Environment: DEMO_RUN (run directory, default runs/demo-austen),
# DEMO_STEPS (training steps, default from configs/tiny-austen.json).
set -euo pipefail
BUILD_DIR=${1:-build}
ML="$BUILD_DIR/src/cli/marketlm"
RUN=${DEMO_RUN:-runs/demo-austen}
TOK=${RUN}-tokenizer
CONFIG=configs/tiny-austen.json
cd "$(dirname "$0")/.."
[ -x "$ML" ] || { echo "marketlm is not built at $ML (run: make build)" >&2; exit 1; }
[ -f third_party/gpt2/encoder.json ] || { echo "third_party/gpt2 is missing (run: make setup)" >&2; exit 1; }
[ -d ../shared/data/janeaustenr ] || { echo "../shared/data/janeaustenr is missing (the demo's training text)" >&2; exit 1; }

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "marketlm $("$ML" version)"

step "1. Tokenize: GPT-2's byte-level BPE (50257 tokens) on English and Chinese"
for text in "We supply high-quality office products at low prices." "提供高质量的办公用品" "低价格、高质量、多样化"; do
  echo "text:   $text"
  "$ML" tokenize --text "$text" --json | /usr/bin/python3 -c '
import json, sys
j = json.load(sys.stdin)
print("ids:   ", j["ids"])
print("tokens:", len(j["ids"]), "for", len(sys.argv[1]), "characters", "|", " | ".join(j.get("pieces", [])))' "$text"
done
echo "(A Chinese character is 3 UTF-8 bytes and GPT-2's English-centred vocabulary spends 2-3 tokens on"
echo " most of them; a piece shown as � is part of a character. 'marketlm tokenizer train' builds a"
echo " vocabulary for other text.)"

step "2a. Learn a 2048-token byte-level BPE vocabulary from the six novels (marketlm tokenizer train)"
echo "(GPT-2's 50257-token vocabulary would make the output layer 25x bigger than this tiny model's"
echo " transformer; a small vocabulary learnt from the training text trains several times faster.)"
if [ -f "$TOK/tokenizer.json" ]; then
  echo "$TOK exists: reusing it"
else
  "$ML" tokenizer train --data ../shared/data/janeaustenr/*.txt --out "$TOK" --vocab-size 2048 --quiet
fi
"$ML" tokenize --tokenizer "$TOK" --text "It is a truth universally acknowledged" --json | /usr/bin/python3 -c '
import json, sys
j = json.load(sys.stdin)
print("It is a truth universally acknowledged ->", len(j["ids"]), "tokens:", " | ".join(j.get("pieces", [])))'

step "2b. Train a tiny GPT (4 layers, 4 heads, 128 wide, n_ctx 128) on the novels (configs/tiny-austen.json)"
echo "run directory: $RUN (progress bar on stderr; interrupt and rerun to resume)"
steps_flag=()
[ -n "${DEMO_STEPS:-}" ] && steps_flag=(--max-steps "$DEMO_STEPS")
if [ -f "$RUN/checkpoints/latest" ]; then
  echo "$RUN already has a checkpoint ($(cat "$RUN/checkpoints/latest")): resuming (returns at once when finished)"
  "$ML" train --config "$CONFIG" --tokenizer "$TOK" --out "$RUN" "${steps_flag[@]}" --resume
else
  "$ML" train --config "$CONFIG" --tokenizer "$TOK" --out "$RUN" "${steps_flag[@]}"
fi
MODEL="$RUN/checkpoints/$(cat "$RUN/checkpoints/latest")"
echo "model directory (Hugging Face layout): $MODEL"
ls "$MODEL"

step "3. Loss curve"
"$ML" plot-loss --log "$RUN/log.jsonl" --out "$RUN/loss.svg" --title "tiny GPT on Jane Austen"
/usr/bin/python3 - "$RUN/log.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
val = [r for r in rows if "val_loss" in r]
print(f"train loss: step {rows[0]['step']} {rows[0]['loss']:.2f} -> step {rows[-1]['step']} {rows[-1]['loss']:.2f}")
if val:
    print(f"validation perplexity: step {val[0]['step']} {val[0]['val_perplexity']:.1f} -> "
          f"step {val[-1]['step']} {val[-1]['val_perplexity']:.1f}")
PY

step "4. Three sampled continuations (top-p 0.9, temperature 0.8, seed 1)"
PROMPT="It is a truth universally acknowledged, that"
echo "\$ marketlm generate --model $MODEL --prompt \"$PROMPT\" --do-sample -n 3 --top-p 0.9 --temperature 0.8 --max-new-tokens 40 --seed 1"
"$ML" generate --model "$MODEL" --prompt "$PROMPT" --do-sample -n 3 --top-p 0.9 --temperature 0.8 \
    --max-new-tokens 40 --seed 1

step "Done"
echo "A model this small trained for a few minutes writes English-looking word salad, not Austen."
echo "Try: $ML generate --model $MODEL --prompt \"Anne\" --stream"
