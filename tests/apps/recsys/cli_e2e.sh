#!/usr/bin/env bash
# End-to-end: `marketlm recommend` train / eval / recommend / explain and bad
# input, as a user runs them. Usage: cli_e2e.sh <marketlm binary> <work dir>
set -uo pipefail
BIN=$1
WORK=$2
HERE=$(cd "$(dirname "$0")" && pwd)
rm -rf "$WORK" && mkdir -p "$WORK"
fail() { echo "FAIL: $*"; exit 1; }

"$BIN" recommend train --data "$HERE/fixtures/tiny_seqs.txt" --model-type markov --history-len 1 \
  --out "$WORK/m" > "$WORK/train.out" 2>&1 || fail "train exited $?: $(cat "$WORK/train.out")"
for f in config.json items.txt users.txt model.safetensors; do
  [ -f "$WORK/m/$f" ] || fail "model directory lacks $f"
done

# Known user whose history ends in "a": "b" comes first... but u1 has seen b,
# so use a new history instead; the stored user u4 ends with "y".
"$BIN" recommend --model "$WORK/m" --history "c" -k 1 > "$WORK/h.out" 2>&1 || fail "history recommend failed"
grep -q " d " "$WORK/h.out" || fail "history 'c' should give 'd': $(cat "$WORK/h.out")"

# Unknown items are skipped with a warning, not an error.
"$BIN" recommend --model "$WORK/m" --history "a zzz" -k 2 --json > "$WORK/u.json" 2> "$WORK/u.err" ||
  fail "unknown history item should not fail"
grep -q "zzz" "$WORK/u.err" || fail "no warning for unknown item"
grep -q '"item": "b"' "$WORK/u.json" || fail "history 'a' should recommend 'b': $(cat "$WORK/u.json")"

# Seen items are excluded unless --include-seen.
"$BIN" recommend --model "$WORK/m" --user u1 -k 10 --json > "$WORK/seen.json" 2>&1 || fail "user recommend failed"
grep -q '"item": "d"' "$WORK/seen.json" && fail "u1 already has d but it was recommended"
"$BIN" recommend --model "$WORK/m" --user u1 -k 10 --include-seen --json > "$WORK/seen2.json" 2>&1 || fail "include-seen"
grep -q '"item": "d"' "$WORK/seen2.json" || fail "--include-seen should allow d"

# --explain names the past item.
"$BIN" recommend --model "$WORK/m" --history "x c" -k 1 --explain --json > "$WORK/e.json" 2>&1 || fail "explain"
grep -q '"because"' "$WORK/e.json" || fail "no because list"
grep -q '"item": "c"' "$WORK/e.json" || fail "explanation should name c: $(cat "$WORK/e.json")"

# Eval prints both protocols with their descriptions.
"$BIN" recommend eval --model "$WORK/m" --num-negatives 3 --json > "$WORK/eval.json" 2>&1 || fail "eval: $(cat "$WORK/eval.json")"
grep -q '"protocol": "sampled"' "$WORK/eval.json" || fail "no sampled result"
grep -q '"protocol": "full"' "$WORK/eval.json" || fail "no full result"
grep -q 'never-seen negatives' "$WORK/eval.json" || fail "no protocol description"

# CSV interactions are sorted by time per user: after a -> b comes c or d.
"$BIN" recommend train --data "$HERE/fixtures/tiny_interactions.csv" --model-type markov --all-data \
  --out "$WORK/csv" > /dev/null 2>&1 || fail "train from CSV failed"
"$BIN" recommend --model "$WORK/csv" --user u1 -k 5 --include-seen --json > "$WORK/csv.json" 2>&1 || fail "csv recommend"
grep -q '"history_length": 3' "$WORK/csv.json" || fail "u1 should have 3 actions: $(cat "$WORK/csv.json")"
"$BIN" recommend --model "$WORK/csv" --history "b" -k 1 > "$WORK/csv.out" 2>&1 || fail "csv history"
grep -Eq " (c|d) " "$WORK/csv.out" || fail "after b comes c or d: $(cat "$WORK/csv.out")"
"$BIN" recommend eval --model "$WORK/csv" --num-negatives 1 > "$WORK/leak.out" 2>&1 || fail "eval of all-data model"
grep -q "optimistic" "$WORK/leak.out" || fail "no warning when evaluating an --all-data model on its own data"

# Errors: unknown user (exit 1), malformed CSV with its line number, usage (2).
"$BIN" recommend --model "$WORK/m" --user nobody > "$WORK/nu.out" 2>&1
[ $? -eq 1 ] || fail "unknown user should exit 1"
grep -q "nobody" "$WORK/nu.out" || fail "unknown user message"
"$BIN" recommend train --data "$HERE/fixtures/bad_rows.csv" --out "$WORK/bad" > "$WORK/bad.out" 2>&1
[ $? -eq 1 ] || fail "bad CSV should exit 1"
grep -q "bad_rows.csv:3" "$WORK/bad.out" || fail "bad CSV message lacks the line: $(cat "$WORK/bad.out")"
[ -e "$WORK/bad" ] && fail "a failed train left a model directory"
"$BIN" recommend train --data "$HERE/fixtures/tiny_seqs.txt" --model-type nope --out "$WORK/x" > /dev/null 2>&1
[ $? -eq 2 ] || fail "bad --model-type should exit 2"
"$BIN" recommend --model "$WORK/nonexistent" --user u1 > /dev/null 2>&1
[ $? -eq 1 ] || fail "missing model dir should exit 1"
# SASRec: train (tiny, with a checkpoint), eval, explain, resume.
"$BIN" recommend train --data "$HERE/fixtures/tiny_seqs.txt" --model-type sasrec --max-len 6 --hidden-size 8 \
  --epochs 2 --batch-size 4 --checkpoint "$WORK/s.ckpt" --out "$WORK/s" > "$WORK/s.out" 2>&1 ||
  fail "sasrec train: $(cat "$WORK/s.out")"
[ -f "$WORK/s.ckpt" ] || fail "sasrec wrote no checkpoint"
grep -q '"sasrec_maxlen": 6' "$WORK/s/config.json" || fail "sasrec config not saved"
"$BIN" recommend eval --model "$WORK/s" --num-negatives 3 --json > "$WORK/s_eval.json" 2>&1 || fail "sasrec eval"
"$BIN" recommend --model "$WORK/s" --history "x c" -k 2 --explain --json > "$WORK/s_e.json" 2>&1 || fail "sasrec explain"
grep -q '"because"' "$WORK/s_e.json" || fail "sasrec: no because list: $(cat "$WORK/s_e.json")"
"$BIN" recommend train --data "$HERE/fixtures/tiny_seqs.txt" --model-type sasrec --max-len 6 --hidden-size 8 \
  --epochs 3 --batch-size 4 --checkpoint "$WORK/s.ckpt" --out "$WORK/s3" > "$WORK/s3.out" 2>&1 || fail "sasrec resume"
grep -q "resumed" "$WORK/s3.out" || fail "sasrec did not resume: $(cat "$WORK/s3.out")"
echo "recsys cli e2e: ok"
