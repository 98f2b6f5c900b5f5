#!/usr/bin/env node
// Writes golden GPT-2 token ids for marketlm's tokenizer test, from two
// reference implementations on the same varied corpus:
//   <out>/golden_tiktoken.bin  npm tiktoken, encoding r50k_base (large corpus, > 2 MB)
//   <out>/golden_gpt3.bin      npm gpt-3-encoder (a smaller subset; it is slow)
// Usage: node scripts/node/tokenizer_golden.js OUT_DIR DATA_DIR
//   DATA_DIR is ../shared/data (janeaustenr/, chinese_reviews/waimai_10k.csv).
// File format (little endian): "MLGOLD1\n", u32 case count, then per case:
//   u8 flags (1 = special tokens allowed), u32 name length, name bytes,
//   u32 text length, UTF-8 text, u32 id count, u32 ids.
// The corpus is deterministic: synthetic parts come from a seeded generator.
'use strict';
const fs = require('fs');
const path = require('path');
const { get_encoding } = require('tiktoken');

const [outDir, dataDir] = process.argv.slice(2);
if (!outDir || !dataDir) {
  console.error('usage: tokenizer_golden.js OUT_DIR DATA_DIR');
  process.exit(2);
}

const { buildCases, writeGolden } = require('./golden_corpus');
const cases = buildCases(dataDir);

const tik = get_encoding('r50k_base');
let gpt3 = null;
try { gpt3 = require('gpt-3-encoder'); } catch (e) { gpt3 = null; }

writeGolden(path.join(outDir, 'golden_tiktoken.bin'), cases,
      (c) => (c.allowSpecial ? tik.encode(c.text, 'all') : tik.encode_ordinary(c.text)));
tik.free();
if (gpt3) {
  // gpt-3-encoder has no special-token parsing and uses JavaScript's \s
  // (which lacks U+0085 and has U+FEFF): keep to cases where that cannot matter.
  const list = cases.filter((c) => c.gpt3 && !c.allowSpecial && !/[\u0085\ufeff]/.test(c.text));
  writeGolden(path.join(outDir, 'golden_gpt3.bin'), list, (c) => gpt3.encode(c.text));
}
