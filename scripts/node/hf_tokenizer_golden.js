#!/usr/bin/env node
// Interop check with Hugging Face tokenizers (npm `tokenizers`, the Rust
// library's Node binding). For each tokenizer directory given, written by
// marketlm, it:
//   1. loads DIR/tokenizer.json with Hugging Face and encodes the golden corpus
//      (special tokens parsed, Hugging Face's default) -> DIR/golden_hf.bin
//   2. saves the tokenizer again with Hugging Face -> DIR/hf_saved/tokenizer.json
// tests/text/hf_interop_test.cpp then checks that marketlm gives the same ids
// from DIR and from DIR/hf_saved.
// Usage: node scripts/node/hf_tokenizer_golden.js DATA_DIR DIR...
'use strict';
const fs = require('fs');
const path = require('path');
const { Tokenizer } = require('tokenizers');
const { buildCases, writeGolden } = require('./golden_corpus');

const [dataDir, ...dirs] = process.argv.slice(2);
if (!dataDir || dirs.length === 0) {
  console.error('usage: hf_tokenizer_golden.js DATA_DIR DIR...');
  process.exit(2);
}

async function main() {
  // The big inputs are left out to keep the test quick; every kind of text stays.
  const cases = buildCases(dataDir).filter((c) => Buffer.byteLength(c.text) < 300000)
      .map((c) => ({ ...c, allowSpecial: true }));
  for (const dir of dirs) {
    const tok = Tokenizer.fromFile(path.join(dir, 'tokenizer.json'));
    const ids = [];
    for (const c of cases) ids.push((await tok.encode(c.text, null, { addSpecialTokens: false })).getIds());
    let i = 0;
    writeGolden(path.join(dir, 'golden_hf.bin'), cases, () => ids[i++]);
    fs.mkdirSync(path.join(dir, 'hf_saved'), { recursive: true });
    tok.save(path.join(dir, 'hf_saved', 'tokenizer.json'), true);
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
