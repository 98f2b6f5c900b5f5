#!/usr/bin/env bash
# fp32 against bf16 mixed precision on a real run: configs/tiny-austen.json
# (4 layers, 128 wide, Jane Austen, 2048-token BPE) for STEPS steps each, same
# seed and data, then the validation losses side by side and both curves.
#   bash bench/train/run_precision_austen.sh [steps]
# Needs: cmake --build build -j2 --target marketlm
set -euo pipefail
cd "$(dirname "$0")/../.."
STEPS="${1:-300}"
BIN=build/src/cli/marketlm
[[ -x "$BIN" ]] || BIN=$(find build -name marketlm -type f -perm -u+x | head -1)
OUT=runs/precision-austen
TOK=$OUT/tokenizer
mkdir -p "$OUT"
[[ -f "$TOK/vocab.json" || -f "$TOK/tokenizer.json" ]] ||
  "$BIN" tokenizer train --data ../shared/data/janeaustenr/*.txt --out "$TOK" --vocab-size 2048 > /dev/null
for p in fp32 bf16; do
  rm -rf "$OUT/$p"
  /usr/bin/time -f "$p: %e s wall" "$BIN" train --config configs/tiny-austen.json --tokenizer "$TOK" \
    --out "$OUT/$p" --cache "$OUT/token_cache.bin" --max-steps "$STEPS" --eval-every 50 --save-every 0 \
    --precision "$p" --quiet
done
/usr/bin/python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
runs = {}
for p in ("fp32", "bf16"):
    rows = [json.loads(l) for l in open(f"{out}/{p}/log.jsonl") if l.strip()]
    runs[p] = {r["step"]: r for r in rows}
print("| step | fp32 train loss | bf16 train loss | fp32 val loss | bf16 val loss | val difference |")
print("|---|---|---|---|---|---|")
for s in sorted(runs["fp32"]):
    a, b = runs["fp32"][s], runs["bf16"].get(s, {})
    if "val_loss" not in a and s != 1:
        continue
    va, vb = a.get("val_loss"), b.get("val_loss")
    diff = f"{vb - va:+.4f}" if va is not None and vb is not None else ""
    f = lambda x: f"{x:.4f}" if isinstance(x, (int, float)) else ""
    print(f"| {s} | {f(a.get('loss'))} | {f(b.get('loss'))} | {f(va)} | {f(vb)} | {diff} |")
PY
"$BIN" plot-loss --log "$OUT/fp32/log.jsonl" --out "$OUT/fp32/loss.svg" > /dev/null || true
"$BIN" plot-loss --log "$OUT/bf16/log.jsonl" --out "$OUT/bf16/loss.svg" > /dev/null || true
