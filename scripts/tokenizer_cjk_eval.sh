#!/usr/bin/env bash
# Tokens per character, GPT-2's vocabulary vs tokenizers trained by marketlm
# with different CJK chunk sizes (docs/tokenizer.md).
#   bash scripts/tokenizer_cjk_eval.sh [BUILD_DIR] [DATA_DIR] [VOCAB_SIZE]
# Training text: five Jane Austen novels + the first 4 MB of the Chinese
# e-commerce reviews (online_shopping_10_cats). Held-out evaluation text:
# Pride and Prejudice (English) and the food-delivery reviews waimai_10k
# (Chinese, another domain).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${1:-build}
DATA=${2:-../shared/data}
VOCAB=${3:-16000}
BIN="$BUILD_DIR/src/cli/marketlm"
W="$BUILD_DIR/tok_eval"
mkdir -p "$W"
J="$DATA/janeaustenr"
cat "$J/emma.txt" "$J/mansfieldpark.txt" "$J/northangerabbey.txt" "$J/persuasion.txt" "$J/sensesensibility.txt" > "$W/train_en.txt"
(set +o pipefail; unzip -p "$DATA/chinese_reviews/online_shopping_10_cats.zip" | tail -n +2 | cut -d, -f3- |
  head -c 4000000 > "$W/train_zh.txt")
cp "$J/prideprejudice.txt" "$W/eval_en.txt"
tail -n +2 "$DATA/chinese_reviews/waimai_10k.csv" | cut -d, -f2- > "$W/eval_zh.txt"

tpc() { "$BIN" tokenize --tokenizer "$1" --file "$2" --stats | node -e 'console.log(JSON.parse(require("fs").readFileSync(0)).tokens_per_char.toFixed(3))'; }

echo "| tokenizer | vocab | train CPU s | English tokens/char | Chinese tokens/char |"
echo "|---|---|---|---|---|"
echo "| GPT-2 (third_party/gpt2) | 50257 | - | $(tpc third_party/gpt2 "$W/eval_en.txt") | $(tpc third_party/gpt2 "$W/eval_zh.txt") |"
for chunk in 0 1 2 4 8 16 32; do
  out="$W/tok_${VOCAB}_cjk${chunk}"
  # CPU seconds (user + system), steadier than wall time on a shared machine.
  secs=$( { /usr/bin/time -f "%U %S" "$BIN" tokenizer train --data "$W/train_en.txt" "$W/train_zh.txt" \
            --vocab-size "$VOCAB" --cjk-chunk "$chunk" --threads 1 --out "$out" --quiet >/dev/null; } 2>&1 |
          tail -1 | awk '{printf "%.1f", $1 + $2}')
  echo "| trained, --cjk-chunk $chunk | $VOCAB | $secs | $(tpc "$out" "$W/eval_en.txt") | $(tpc "$out" "$W/eval_zh.txt") |"
done
