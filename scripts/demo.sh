#!/usr/bin/env bash
# `make demo` (build directory as $1): marketlm's main job on the shipped
# default model, models/adcopy-zh (a 6.9M-parameter Chinese-first GPT trained
# by `make model`): ad copy from the founding document's brief, then the same
# brief under a channel's limits with a required and a banned word, as JSON,
# a clothing brief, and an English brief (models/adcopy-en).
# `make demo-train` shows the training side (a tiny GPT on Jane Austen).
set -euo pipefail
BUILD_DIR=${1:-build}
ML="$BUILD_DIR/src/cli/marketlm"
MODEL=${DEMO_MODEL:-models/adcopy-zh}
cd "$(dirname "$0")/.."
[ -x "$ML" ] || { echo "marketlm is not built at $ML (run: make build)" >&2; exit 1; }
[ -f "$MODEL/model.safetensors" ] || { echo "$MODEL is missing (it ships in the repository; rebuild it with: make model)" >&2; exit 1; }

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; }

step "marketlm $("$ML" version)"

step "1. The founding document's example: an ad target and product features -> three ad-copy variants"
show "$ML" adcopy --model "$MODEL" --target "提供高质量的办公用品" --features "低价格、高质量、多样化" -n 3 --seed 1

step "2. The same brief for Weibo (at most 140 Chinese characters), '文具' required, '最便宜' banned: --json, summarised"
echo "\$ $ML adcopy --product 办公用品 --target 提供高质量的办公用品 --features 低价格、高质量、多样化 --channel weibo --keywords 文具 --banned 最便宜 -n 2 --seed 2 --json"
"$ML" adcopy --model "$MODEL" --product 办公用品 --target "提供高质量的办公用品" --features "低价格、高质量、多样化" \
  --channel weibo --keywords 文具 --banned 最便宜 -n 2 --seed 2 --json | /usr/bin/python3 -c '
import json, sys
j = json.load(sys.stdin)
for i, v in enumerate(j["variants"], 1):
    rules = ", ".join(r["rule"] + (" ok" if r["passed"] else " FAILED") for r in v["rules"])
    for p in v["parts"]:
        print("[%d] %s: %s" % (i, p["field"], p["text"]))
        print("    %d/%d %s; rules: %s; score %.2f" % (p["length"], p["limit"], p["unit"], rules, v["score"]))'

step "3. A clothing brief, the kind of pair the model was fine-tuned on (ADGEN)"
show "$ML" adcopy --model "$MODEL" --product 连衣裙 --features "雪纺、碎花、收腰、显瘦" -n 2 --seed 3

if [ -f models/adcopy-en/model.safetensors ] && [ -z "${DEMO_MODEL:-}" ]; then
  step "4. An English brief: it goes to the English model, models/adcopy-en (it writes like a clothing review; docs/models.md)"
  show "$ML" adcopy --product "running shoes" --features "light, breathable" --lang en -n 2 --seed 4
fi

step "Done"
echo "The model card (data, size, training time, measured quality against baselines) is docs/models.md."
echo "More: $ML adcopy --help | make model (rebuild the model) | make demo-train (train a tiny GPT) | docs/"
