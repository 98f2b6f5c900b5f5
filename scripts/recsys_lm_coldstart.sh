#!/usr/bin/env bash
# Cold-start items from a marketlm language model on MovieLens 100K: writes
# the item texts (title + genre names), trains a byte-level BPE tokenizer and
# a tiny GPT on them (configs/ml100k-titles-lm.json), then evaluates the
# held-out (cold) items with TF-IDF and with the GPT's mean-pooled last layer.
# Usage: bash scripts/recsys_lm_coldstart.sh [build-dir] [seed]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-build}/src/cli/marketlm
SEED=${2:-42}
ML=../shared/data/ml-100k
mkdir -p runs
"$BIN" recommend cold-start --ratings $ML/u.data --items $ML/u.item --with-genres --seed "$SEED" \
  --write-texts runs/ml100k-texts.txt --json > runs/ml100k-cold-tfidf-genres.json
[ -f runs/ml100k-tokenizer/tokenizer.json ] ||
  "$BIN" tokenizer train --data runs/ml100k-texts.txt --out runs/ml100k-tokenizer --vocab-size 2000 > /dev/null
[ -f runs/ml100k-lm/checkpoints/step-00000400/model.safetensors ] ||
  "$BIN" train --config configs/ml100k-titles-lm.json --json > runs/ml100k-lm.train.json
LM=runs/ml100k-lm/checkpoints/step-00000400
for genres in "" "--with-genres"; do
  tag=${genres:+-genres}
  "$BIN" recommend cold-start --ratings $ML/u.data --items $ML/u.item $genres --seed "$SEED" \
    --json > runs/ml100k-cold-tfidf$tag.json
  "$BIN" recommend cold-start --ratings $ML/u.data --items $ML/u.item $genres --seed "$SEED" --lm-model $LM \
    --json > runs/ml100k-cold-gpt$tag.json
  "$BIN" recommend cold-start --ratings $ML/u.data --items $ML/u.item $genres --seed "$SEED" --lm-model $LM \
    --no-centre --json > runs/ml100k-cold-gptraw$tag.json
done
/usr/bin/python3 - <<'PY'
import json
print("| item text | embedder | HR@10 | NDCG@10 |")
print("|---|---|---|---|")
for tag in ["", "-genres"]:
    for e in ["tfidf", "gptraw", "gpt"]:
        r = json.load(open(f"runs/ml100k-cold-{e}{tag}.json"))
        print(f"| {r['text']} | {r['embedder']} ({r['dim']} dims) | {r['content']['hr@10']:.4f} | {r['content']['ndcg@10']:.4f} |")
r = json.load(open("runs/ml100k-cold-tfidf.json"))
print(f"| | random ranking | {r['random']['hr@10']:.4f} | {r['random']['ndcg@10']:.4f} |")
print(f"| | oracle popularity | {r['oracle_popularity']['hr@10']:.4f} | {r['oracle_popularity']['ndcg@10']:.4f} |")
PY
