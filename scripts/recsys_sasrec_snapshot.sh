#!/usr/bin/env bash
# Evaluates a SASRec training run while it is still training: copies its
# checkpoint, writes a model directory from the copy (recommend train with
# --epochs equal to the copy's epoch trains nothing further) and evaluates it.
#
# Usage: bash scripts/recsys_sasrec_snapshot.sh BIN CKPT OUT SPLIT EVAL_FLAGS -- TRAIN_FLAGS...
#   BIN        the marketlm binary
#   CKPT       the running training's --checkpoint file
#   OUT        prefix for the snapshot: OUT-eE (model dir), OUT-eE.ckpt, OUT-eE.SPLIT.json
#   SPLIT      valid | test
#   EVAL_FLAGS extra eval flags in one word, e.g. "--num-negatives=100" (may be "")
#   TRAIN_FLAGS the training command's flags without --epochs, --checkpoint, --out
# Prints "epoch E split S sampled HR NDCG full HR NDCG".
set -euo pipefail
BIN=$1 CKPT=$2 OUT=$3 SPLIT=$4 EVAL_FLAGS=$5
shift 5
[ "${1:-}" = "--" ] && shift
export OPENBLAS_NUM_THREADS=1
tmp="$OUT-snap.ckpt"
cp "$CKPT" "$tmp"
E=$(/usr/bin/python3 - "$tmp" <<'PY'
import json, struct, sys
with open(sys.argv[1], "rb") as f:
    n = struct.unpack("<Q", f.read(8))[0]
    h = json.loads(f.read(n))
    a, _ = h["state"]["data_offsets"]
    f.seek(8 + n + a)
    print(struct.unpack("<q", f.read(8))[0])
PY
)
mv "$tmp" "$OUT-e$E.ckpt"
"$BIN" recommend train "$@" --epochs "$E" --checkpoint "$OUT-e$E.ckpt" --out "$OUT-e$E" --threads 1 --json > /dev/null
# shellcheck disable=SC2086
"$BIN" recommend eval --model "$OUT-e$E" --split "$SPLIT" --protocol both --threads 1 --json $EVAL_FLAGS \
  > "$OUT-e$E.$SPLIT.json"
/usr/bin/python3 - "$OUT-e$E.$SPLIT.json" "$E" "$SPLIT" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))
s, f = e["results"][0], e["results"][1]
print(f"epoch {sys.argv[2]} split {sys.argv[3]} sampled {s['hr@10']:.4f} {s['ndcg@10']:.4f} "
      f"full {f['hr@10']:.4f} {f['ndcg@10']:.4f} ({f['users_per_second']:.0f} full users/s)")
PY
