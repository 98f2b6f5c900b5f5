#!/usr/bin/env node
// Reference side of the tokenizer benchmark (bench/tokenizer_bench.sh).
//   node bench/tokenizer_ref_bench.js corpus OUT_FILE DATA_DIR [MB]
//       writes the mixed English + Chinese corpus (default 10 MB): Jane Austen's
//       six novels and Chinese shopping reviews, interleaved in ~4 KB blocks.
//   node bench/tokenizer_ref_bench.js bench CORPUS_FILE [REPEATS]
//       encodes the corpus with npm tiktoken (r50k_base, WASM) and js-tiktoken
//       (pure JS), best of REPEATS (default 3), one thread; prints JSON lines.
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { createRequire } = require('module');
const req = createRequire(path.join(__dirname, '..', 'scripts', 'node', 'package.json'));

function makeCorpus(out, dataDir, mb) {
  const target = Math.round(mb * 1e6);
  const novels = ['emma', 'mansfieldpark', 'northangerabbey', 'persuasion', 'prideprejudice', 'sensesensibility'];
  const english = novels.map((n) => fs.readFileSync(path.join(dataDir, 'janeaustenr', n + '.txt'), 'utf8')).join('\n');
  const zip = path.join(dataDir, 'chinese_reviews', 'online_shopping_10_cats.zip');
  const csv = execFileSync('unzip', ['-p', zip], { maxBuffer: 1 << 28 }).toString('utf8');
  // Keep the review text only (cat,label,review); drop the header and BOMs.
  const reviews = csv.split('\n').slice(1).map((l) => l.split(',').slice(2).join(',').replace(/\ufeff/g, ''))
      .filter((l) => l.length > 0).join('\n');
  const enLines = english.split('\n'), zhLines = reviews.split('\n');
  let ei = 0, zi = 0, bytes = 0;
  const parts = [];
  const take = (lines, i) => {
    let block = '', j = i;
    while (Buffer.byteLength(block) < 4096 && j < lines.length) block += lines[j++] + '\n';
    return [block, j];
  };
  // English is about 40% of the bytes: Austen is 4 MB in all.
  while (bytes < target) {
    let block;
    const wantEnglish = ei < enLines.length && (bytes === 0 || R(parts.length) < 0.4);
    if (wantEnglish) [block, ei] = take(enLines, ei);
    else if (zi < zhLines.length) [block, zi] = take(zhLines, zi);
    else [block, ei] = take(enLines, ei % enLines.length);
    parts.push(block);
    bytes += Buffer.byteLength(block);
  }
  const text = Buffer.from(parts.join(''), 'utf8').subarray(0, target);
  // Cut at a line end so the file is valid UTF-8.
  const end = text.lastIndexOf(0x0a) + 1;
  fs.writeFileSync(out + '.tmp', text.subarray(0, end));
  fs.renameSync(out + '.tmp', out);
  console.error(`corpus: ${out}, ${(end / 1e6).toFixed(2)} MB`);
}

// A fixed pseudo-random sequence (Weyl), so the corpus is the same every run.
function R(i) { return ((i * 0.6180339887498949) % 1); }

function bench(file, repeats) {
  const text = fs.readFileSync(file, 'utf8');
  const mb = Buffer.byteLength(text) / 1e6;
  const results = [];
  const run = (name, encode, reps = repeats) => {
    let best = Infinity, bestCpu = Infinity, n = 0;
    for (let r = 0; r < reps; r++) {
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      n = encode(text).length;
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      const c = process.cpuUsage(c0);
      best = Math.min(best, s);
      bestCpu = Math.min(bestCpu, (c.user + c.system) / 1e6);
    }
    results.push({ impl: name, threads: 1, seconds: best, mb_per_s: mb / best, tokens: n, mb,
                   process_cpu_mb_per_s: mb / bestCpu });
  };
  const tik = req('tiktoken').get_encoding('r50k_base');
  run('tiktoken (npm, WASM)', (t) => tik.encode_ordinary(t));
  tik.free();
  const { getEncoding } = req('js-tiktoken');
  const js = getEncoding('r50k_base');
  run('js-tiktoken (npm, JS)', (t) => js.encode(t), 1);
  for (const r of results) console.log(JSON.stringify(r));
}

const [cmd, a, b, c] = process.argv.slice(2);
if (cmd === 'corpus') makeCorpus(a, b, c ? Number(c) : 10);
else if (cmd === 'bench') bench(a, b ? Number(b) : 3);
else { console.error('usage: tokenizer_ref_bench.js corpus OUT DATA_DIR [MB] | bench CORPUS [REPEATS]'); process.exit(2); }
