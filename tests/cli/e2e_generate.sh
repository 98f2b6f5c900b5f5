#!/usr/bin/env bash
# End-to-end checks of `marketlm train` + `marketlm generate`, run by ctest.
#   e2e_generate.sh MARKETLM SOURCE_DIR WORK_DIR CASE
# CASE "train" trains a micro GPT (GPT-2 tokenizer) for a few steps on a
# Jane Austen novel into WORK_DIR/run and checks that the loss fell; the other
# cases use that run (ctest fixture) and check one behaviour each.
set -u
BIN=$1; SRC=$2; WORK=$3; CASE=$4
RUN=$WORK/run
fail() { echo "FAIL: $*" >&2; exit 1; }
model_dir() { echo "$RUN/checkpoints/$(cat "$RUN/checkpoints/latest")"; }
# expect_error EXPECTED_RC PATTERN CMD...: the command must fail with that exit code and message.
expect_error() {
  local want=$1 pat=$2; shift 2
  local err rc
  err=$("$@" 2>&1 >/dev/null); rc=$?
  [ "$rc" = "$want" ] || fail "exit code $rc (wanted $want) for: $* -- $err"
  echo "$err" | grep -qiE "$pat" || fail "message '$err' does not match /$pat/ for: $*"
  echo "$err" | grep -q "marketlm generate: error:" || fail "not a clean error: $err"
}

case $CASE in
train)
  rm -rf "$RUN"; mkdir -p "$WORK"
  cd "$SRC" || exit 1
  "$BIN" train --data "$SRC/../shared/data/janeaustenr/persuasion.txt" --out "$RUN" \
      --n-layer 1 --n-head 2 --n-embd 32 --seq-len 32 --batch-size 4 --max-steps 30 --lr 1e-2 --warmup-steps 3 \
      --eval-every 30 --save-every 30 --val-fraction 0.02 --threads 2 --seed 3 --quiet --json > "$WORK/train.json" \
      || fail "training failed"
  first=$(head -1 "$RUN/log.jsonl" | sed -E 's/.*"loss": ?([0-9.eE+-]+).*/\1/')
  last=$(tail -1 "$RUN/log.jsonl" | sed -E 's/.*"loss": ?([0-9.eE+-]+).*/\1/')
  echo "loss: first step $first, last step $last"
  awk -v a="$first" -v b="$last" 'BEGIN { exit !(b < a - 1.0) }' || fail "loss did not fall by 1 nat: $first -> $last"
  d=$(model_dir)
  for f in config.json model.safetensors generation_config.json tokenizer.json vocab.json merges.txt; do
    [ -s "$d/$f" ] || fail "$d/$f missing: not a complete model directory"
  done
  ;;
text)
  out=$("$BIN" generate --model "$(model_dir)" --prompt "It was a truth" --do-sample -n 3 --max-new-tokens 12 \
        --seed 1 --threads 2) || fail "generate failed"
  echo "$out"
  for i in 1 2 3; do echo "$out" | grep -q "^\[$i\] It was a truth" || fail "variant $i missing"; done
  out2=$("$BIN" generate --model "$(model_dir)" --prompt "It was a truth" --do-sample -n 3 --max-new-tokens 12 \
         --seed 1 --threads 2)
  [ "$out" = "$out2" ] || fail "same seed gave different text"
  ;;
json)
  "$BIN" generate --model "$(model_dir)" --prompt "She said" --max-new-tokens 8 --logprobs 2 --json \
      > "$WORK/gen.json" || fail "generate --json failed"
  /usr/bin/python3 - "$WORK/gen.json" <<'PY' || fail "bad JSON output"
import json, sys
j = json.load(open(sys.argv[1]))
c = j["choices"]
assert len(c) == 1, c
ch = c[0]
assert ch["finish_reason"] in ("length", "stop"), ch
assert ch["finish_detail"] in ("length", "eos"), ch
assert len(ch["token_ids"]) == len(ch["tokens"]) <= 8
if ch["finish_reason"] == "length": assert len(ch["token_ids"]) == 8
assert "".join(ch["tokens"]) == ch["text"] or "\ufffd" in ch["text"], ch
lp = ch["logprobs"]
assert len(lp["token_logprobs"]) == len(ch["token_ids"])
assert all(x <= 0 for x in lp["token_logprobs"])
assert all(len(t) == 2 for t in lp["top_logprobs"])
# greedy: the chosen token is the best alternative
assert all(t[0]["token_id"] == i for t, i in zip(lp["top_logprobs"], ch["token_ids"]))
assert j["usage"]["completion_tokens"] == len(ch["token_ids"])
print("ok", ch["text"])
PY
  ;;
stream)
  streamed=$("$BIN" generate --model "$(model_dir)" --prompt "Anne" --max-new-tokens 10 --stream) || fail "stream failed"
  plain=$("$BIN" generate --model "$(model_dir)" --prompt "Anne" --max-new-tokens 10) || fail "generate failed"
  [ "$streamed" = "$plain" ] || fail "streamed text '$streamed' differs from '$plain'"
  ;;
beams)
  "$BIN" generate --model "$(model_dir)" --prompt "Anne" --max-new-tokens 6 --num-beams 3 -n 2 --json \
      | /usr/bin/python3 -c 'import json,sys; j=json.load(sys.stdin); assert len(j["choices"])==2' \
      || fail "beam search output"
  ;;
errors)
  d=$(model_dir)
  expect_error 2 "prompt is empty" "$BIN" generate --model "$d" --prompt ""
  expect_error 2 "greedy decoding gives one sequence" "$BIN" generate --model "$d" --prompt "Anne" -n 3
  long=$(printf 'word %.0s' $(seq 1 100))
  expect_error 1 "n_ctx" "$BIN" generate --model "$d" --prompt "$long"
  expect_error 1 "no such model directory" "$BIN" generate --model "$WORK/no-such-dir" --prompt "Anne"
  expect_error 2 "temperature" "$BIN" generate --model "$d" --prompt "Anne" --do-sample --temperature -1
  # a model directory with a missing / a corrupt weights file
  broken=$WORK/broken; rm -rf "$broken"; cp -r "$d" "$broken"
  rm "$broken/model.safetensors"
  expect_error 1 "model.safetensors" "$BIN" generate --model "$broken" --prompt "Anne"
  head -c 1000 "$d/model.safetensors" > "$broken/model.safetensors"
  expect_error 1 "model.safetensors" "$BIN" generate --model "$broken" --prompt "Anne"
  echo '{"n_layer": "two"' > "$broken/config.json"; cp "$d/model.safetensors" "$broken/"
  expect_error 1 "config.json" "$BIN" generate --model "$broken" --prompt "Anne"
  rm -f "$broken/tokenizer.json" "$broken/vocab.json" "$broken/merges.txt"
  expect_error 1 "tokenizer" "$BIN" generate --model "$broken" --prompt "Anne"
  ;;
bytes)
  # --tokenizer bytes: the model directory gets a 257-token byte tokenizer that generate can load
  rm -rf "$WORK/bytes"
  printf 'She was the youngest of the two daughters of a most affectionate, indulgent father.\n%.0s' $(seq 1 60) \
      > "$WORK/small.txt"
  "$BIN" train --data "$WORK/small.txt" --tokenizer bytes --out "$WORK/bytes" --n-layer 1 --n-head 2 --n-embd 16 \
      --seq-len 32 --batch-size 4 --max-steps 4 --warmup-steps 1 --val-fraction 0.1 --threads 2 --quiet \
      || fail "byte-level training failed"
  out=$("$BIN" generate --model "$WORK/bytes" --prompt "She was" --max-new-tokens 5 --json) || fail "generate failed"
  echo "$out" | /usr/bin/python3 -c '
import json, sys
c = json.load(sys.stdin)["choices"][0]
assert all(0 <= t < 257 for t in c["token_ids"]), c
assert len(c["token_ids"]) <= 5' || fail "bad byte-level output"
  # the saved byte tokenizer gives the trainer's ids: token = byte value, <|endoftext|> = 256
  ids=$("$BIN" tokenize --tokenizer "$WORK/bytes/checkpoints/$(cat "$WORK/bytes/checkpoints/latest")" \
        --text "Hé<|endoftext|>" --allow-special --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["ids"])')
  [ "$ids" = "[72, 195, 169, 256]" ] || fail "byte tokenizer ids $ids"
  ;;
attention)
  rm -rf "$WORK/attn"
  "$BIN" generate --model "$(model_dir)" --prompt "Anne said" --max-new-tokens 5 --attention-out "$WORK/attn" \
      --json > "$WORK/attn.json" || fail "generate --attention-out failed"
  for f in attention.json layer_00.svg; do [ -s "$WORK/attn/$f" ] || fail "$f missing"; done
  /usr/bin/python3 - "$WORK/attn/attention.json" "$WORK/attn.json" <<'PY' || fail "bad attention export"
import json, sys
a = json.load(open(sys.argv[1])); g = json.load(open(sys.argv[2]))
T = g["usage"]["prompt_tokens"] + len(g["choices"][0]["token_ids"])
assert len(a["tokens"]) == T and a["prompt_tokens"] == g["usage"]["prompt_tokens"], (len(a["tokens"]), T)
assert len(a["layers"]) == 1 and len(a["layers"][0]["heads"]) == 2
for h in a["layers"][0]["heads"]:
    assert [len(r) for r in h["weights"]] == list(range(1, T + 1))
    assert all(abs(sum(r) - 1) < 1e-4 for r in h["weights"])
assert g["attention_out"] == [sys.argv[1].rsplit("/", 1)[0]]
PY
  ;;
compress)
  d=$(model_dir); rm -rf "$WORK/pruned" "$WORK/q32"
  "$BIN" prune --model "$d" --method neurons --amount 0.25 --out "$WORK/pruned" --data "$SRC/docs/cli.md" \
      --max-tokens 2000 --threads 2 --json > "$WORK/prune.json" || fail "prune failed"
  grep -q '"n_inner": 96' "$WORK/pruned/config.json" || fail "pruned config.json has no n_inner 96"
  /usr/bin/python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["shapes_changed"] and r["n_inner"] == {"source": 128, "pruned": 96}, r
assert r["parameters"]["pruned"] < r["parameters"]["source"] and r["file_bytes"]["pruned"] < r["file_bytes"]["source"], r
assert r["pruned"]["perplexity"] > 0' "$WORK/prune.json" || fail "bad prune report"
  "$BIN" generate --model "$WORK/pruned" --prompt "Anne" --max-new-tokens 4 > /dev/null || fail "pruned model does not generate"
  "$BIN" quantize --model "$WORK/pruned" --format int8 --group-size 32 --out "$WORK/q32" --threads 2 --json \
      > /dev/null || fail "quantize --group-size failed"
  grep -q '"group_size": 32' "$WORK/q32/config.json" || fail "no group_size in config.json"
  "$BIN" generate --model "$WORK/q32" --prompt "Anne" --max-new-tokens 4 > /dev/null || fail "int8 g32 model does not generate"
  err=$("$BIN" quantize --model "$d" --format int8 --group-size 48 --out "$WORK/q48" 2>&1); rc=$?
  [ "$rc" = 2 ] && echo "$err" | grep -q "group size 48" || fail "bad group size: rc $rc, $err"
  ;;
train_errors)
  expect_train_error() {
    local pat=$1; shift
    local err rc
    err=$("$BIN" train "$@" --quiet 2>&1 >/dev/null); rc=$?
    [ "$rc" != 0 ] || fail "train succeeded: $*"
    echo "$err" | grep -qE "$pat" || fail "message '$err' does not match /$pat/"
    echo "$err" | grep -q "marketlm train: error:" || fail "not a clean error: $err"
  }
  echo '{"model": {"n_layr": 2}, "tokenizer": "bytes"}' > "$WORK/typo.json"
  expect_train_error "model.n_layr: unknown key" --config "$WORK/typo.json" --data "$SRC/docs/cli.md" --out "$WORK/t1"
  echo '{"model": {"n_ctx": 16}, "tokenizer": "bytes"}' > "$WORK/short.json"
  expect_train_error "n_ctx.*seq_len" --config "$WORK/short.json" --data "$SRC/docs/cli.md" --out "$WORK/t2" --seq-len 32
  expect_train_error "no such directory" --data "$SRC/docs/cli.md" --out "$WORK/t3" --tokenizer "$WORK/no-tokenizer"
  ;;
*) fail "unknown case $CASE" ;;
esac
echo "ok: $CASE"
