#!/usr/bin/env node
// Trains a byte-level BPE with Hugging Face tokenizers (npm `tokenizers`, the
// Rust library's Node binding; its default BpeTrainer: min_frequency 0, no
// special tokens) and writes its merges, so tests/text/hf_interop_test.cpp can
// check that marketlm's BpeTrainer learns the same merges in the same order.
//   node scripts/node/hf_trainer_golden.js OUT_DIR DATA_DIR
// Writes OUT_DIR/corpus.txt (the training text) and OUT_DIR/hf_merges.txt.
// Hugging Face trains on a file line by line, marketlm on the whole text; the
// two see the same pre-tokens when no line starts or ends with whitespace and
// no line is empty, so the corpus is normalised that way.
'use strict';
const fs = require('fs');
const path = require('path');
const { Tokenizer, BPE, byteLevelPreTokenizer } = require('tokenizers');

const [outDir, dataDir] = process.argv.slice(2);
if (!outDir || !dataDir) {
  console.error('usage: hf_trainer_golden.js OUT_DIR DATA_DIR');
  process.exit(2);
}
const lines = (rel, n) => fs.readFileSync(path.join(dataDir, rel), 'utf8').split('\n').slice(0, n);
const text = [...lines('janeaustenr/persuasion.txt', 4000), ...lines('chinese_reviews/waimai_10k.csv', 1500)]
    .map((l) => l.trim()).filter((l) => l.length > 0).join('\n') + '\n';
fs.mkdirSync(outDir, { recursive: true });
const corpus = path.join(outDir, 'corpus.txt');
fs.writeFileSync(corpus, text);

const tok = new Tokenizer(BPE.empty());
tok.setPreTokenizer(byteLevelPreTokenizer(false, true));
tok.train([corpus]);
const saved = path.join(outDir, 'hf_tokenizer.json');
tok.save(saved, false);
const merges = JSON.parse(fs.readFileSync(saved, 'utf8')).model.merges.map((m) => (Array.isArray(m) ? m.join(' ') : m));
fs.writeFileSync(path.join(outDir, 'hf_merges.txt'), '#version: 0.2\n' + merges.join('\n') + '\n');
console.log(`hf_trainer_golden: ${merges.length} merges from ${(Buffer.byteLength(text) / 1e6).toFixed(2)} MB`);
