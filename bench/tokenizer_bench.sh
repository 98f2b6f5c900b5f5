#!/usr/bin/env bash
# Tokenizer speed, side by side in one run: marketlm (1 and 2 threads) vs npm
# tiktoken (r50k_base, Rust compiled to WASM) and js-tiktoken (pure JS), all on
# the same 10 MB mixed English + Chinese corpus with GPT-2's vocabulary.
#   bash bench/tokenizer_bench.sh [BUILD_DIR] [DATA_DIR]
# marketlm: best of 5 runs; node: best of 3 (js-tiktoken: 1).
# Prints a table: MB/s by wall clock and by CPU time (steadier on a busy
# machine: MB per CPU-second of the thread that finishes last), and each
# row's ratio to tiktoken.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${1:-build}
DATA_DIR=${2:-../shared/data}
CORPUS="$BUILD_DIR/bench/tokenizer_corpus_10mb.txt"
mkdir -p "$BUILD_DIR/bench"
if [ ! -s "$CORPUS" ]; then node bench/tokenizer_ref_bench.js corpus "$CORPUS" "$DATA_DIR" 10; fi
OURS=$("$BUILD_DIR/bench/tokenizer_bench" "$CORPUS" third_party/gpt2 5 2)
REF=$(node bench/tokenizer_ref_bench.js bench "$CORPUS" 3)
printf '%s\n%s\n' "$OURS" "$REF" | node -e '
const rows = require("fs").readFileSync(0, "utf8").trim().split("\n").map(JSON.parse);
const tik = rows.find((r) => r.impl.startsWith("tiktoken"));
// MB per CPU-second of the thread that finishes last (ours: the main thread,
// which waits for the others; node: the whole process): what wall-clock MB/s
// would be with a free core per thread.
const cpu = (r) => r.main_thread_cpu_mb_per_s || r.process_cpu_mb_per_s;
console.log(`corpus: ${rows[0].mb.toFixed(2)} MB; all implementations give ${new Set(rows.map((r) => r.tokens)).size === 1 ? "the same" : "DIFFERENT"} token count (${tik.tokens})`);
console.log("| implementation | threads | MB/s (wall) | x tiktoken (wall) | MB/s (CPU time) | x tiktoken (CPU time) |");
console.log("|---|---|---|---|---|---|");
for (const r of rows) {
  console.log(`| ${r.impl} | ${r.threads} | ${r.mb_per_s.toFixed(2)} | ${(r.mb_per_s / tik.mb_per_s).toFixed(2)} | ` +
              `${cpu(r).toFixed(2)} | ${(cpu(r) / cpu(tik)).toFixed(2)} |`);
}
const one = rows.find((r) => r.impl === "marketlm" && r.threads === 1);
const two = rows.find((r) => r.impl === "marketlm" && r.threads === 2);
if (one && two) console.log(`marketlm 2 threads / 1 thread (wall): ${(two.mb_per_s / one.mb_per_s).toFixed(2)}x`);'
