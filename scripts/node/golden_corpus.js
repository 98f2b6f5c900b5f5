// The varied text corpus behind marketlm's tokenizer golden tests (see
// tokenizer_golden.js and hf_tokenizer_golden.js). buildCases(dataDir) returns
// [{name, text, allowSpecial, gpt3}], the same list on every run: synthetic
// parts come from a seeded generator.
'use strict';
const fs = require('fs');
const path = require('path');

function buildCases(dataDir) {
  // mulberry32: a small seeded generator so the corpus is the same every run.
  function rng(seed) {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const R = rng(20261129);
  const pick = (arr) => arr[Math.floor(R() * arr.length)];
  const randInt = (lo, hi) => lo + Math.floor(R() * (hi - lo + 1));

  const read = (rel) => fs.readFileSync(path.join(dataDir, rel), 'utf8');
  const austen = (name) => read(path.join('janeaustenr', name + '.txt'));

  const words = {
    en: ['the', 'The', 'marketing', 'campaign', "don't", "it's", "we're", "they've", "I'm", "you'll", "he'd",
         'Hello', 'WORLD', 'brief', 'copy', 'résumé', 'naïve', 'café'],
    zh: ['你好', '世界', '外卖', '很好吃', '送餐速度快', '味道不错', '包装', '差评', '，', '。', '！', '？'],
    other: ['Привет', 'мир', 'Γειά', 'σου', 'مرحبا', 'नमस्ते', 'こんにちは', 'カタカナ', '안녕하세요',
            'שלום', 'e\u0301', 'ǅ', 'ﬁ', 'Ⅻ', '½', '²', '٣٤٥', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', '𠀀𠀁𠀂', '𐀀𐀁'],
    emoji: ['😀', '👍🏽', '👨‍👩‍👧', '🇨🇳', '❤️', '🙂🙂🙂', '\u{1F9D1}\u200D\u{1F4BB}'],
    punct: ['.', ',', '!', '?', '...', '--', '—', '"', '“', '”', '(', ')', '[', ']', '{', '}', '<|', '|>', '#', '@'],
    digits: ['0', '7', '42', '123', '2026', '3.14159', '1,000,000', '0x1F', '１２３'],
    contractions: ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'T", "'RE", "'x", "'", "''", " 's", "'ll've"],
    space: [' ', '  ', '   ', '\t', '\t\t', '\n', '\n\n', '\r\n', ' \n ', '\u00a0', '\u3000', '\u2028', '\u0085',
            '\u2003', ' \t\n', '\v', '\f'],
  };
  const allGroups = Object.keys(words);

  function mixed(len, groups) {
    let s = '';
    while (s.length < len) {
      const g = pick(groups);
      s += pick(words[g]);
      if (R() < 0.5) s += pick(words.space.slice(0, 3));
    }
    return s;
  }

  // Random code points from ranges whose letters and numbers have been stable
  // across Unicode versions (the references and our tables may differ in version).
  function randomCodepoints(len, astral) {
    const bmp = [[0x20, 0x7e], [0xa0, 0x24f], [0x370, 0x3ff], [0x400, 0x4ff], [0x600, 0x6ff], [0x900, 0x97f],
                 [0x2000, 0x206f], [0x3000, 0x30ff], [0x4e00, 0x9fa5], [0xac00, 0xd7a3], [0xff01, 0xff5e]];
    const high = [[0x1f300, 0x1f5ff], [0x1f600, 0x1f64f], [0x1d400, 0x1d6a5], [0x20000, 0x2a6d6], [0x10000, 0x1005d]];
    let s = '';
    for (let i = 0; i < len; i++) {
      const r = (astral && R() < 0.4) ? pick(high) : pick(bmp);
      s += String.fromCodePoint(randInt(r[0], r[1]));
    }
    return s;
  }

  function codeSample() {
    const files = ['gpt-3-encoder/Encoder.js', 'tiktoken/tiktoken_bg.cjs', 'tiktoken/tiktoken.d.ts', 'js-tiktoken/README.md'];
    return files.map((f) => fs.readFileSync(path.join(__dirname, 'node_modules', f), 'utf8')).join('\n');
  }

  const waimai = read(path.join('chinese_reviews', 'waimai_10k.csv'));
  const cases = [];
  const add = (name, text, allowSpecial = false, gpt3 = false) => cases.push({ name, text, allowSpecial, gpt3 });

  add('empty', '', false, true);
  add('single_space', ' ', false, true);
  add('austen_emma_persuasion_1mb', austen('emma') + austen('persuasion'));
  add('waimai_10k_reviews', waimai);
  add('austen_pride_head', austen('prideprejudice').slice(0, 40000), false, true);
  add('waimai_head', waimai.slice(0, 8000), false, true);
  add('code_js_ts_md', codeSample());
  add('code_head', codeSample().slice(0, 15000), false, true);
  add('spaces_100k', ' '.repeat(100000));
  add('newlines_tabs_runs', '\n'.repeat(5000) + '\t'.repeat(3000) + ' \t \n'.repeat(2000) + 'x' + '  \n  y', false, true);
  add('long_letters_6k', 'a'.repeat(6000));
  add('long_emoji_run', '🙂'.repeat(1500) + '!?'.repeat(1500));
  add('long_digits', '0123456789'.repeat(600));
  add('long_chinese_run', waimai.replace(/[^\u4e00-\u9fa5]/g, '').slice(0, 3000));
  // Lone surrogates: a JavaScript string can hold them, UTF-8 cannot; both the
  // file and tiktoken turn each into U+FFFD, the comparable case of bad input.
  add('lone_surrogates', 'a\uD800b \uDC00\uDC00 x\uD83D!\uFFFD\uFFFD', false, true);
  add('special_as_text', 'Hello<|endoftext|>world <|endoftext|> <|endoftext', false, true);
  add('special_allowed', 'Hello<|endoftext|>world <|endoftext|>\n<|endoftext|><|endoftext|>x', true, true);
  for (let i = 0; i < 300; i++) add('contractions_' + i, mixed(randInt(1, 80), ['contractions', 'en', 'space', 'punct']), false, i < 100);
  for (let i = 0; i < 300; i++) add('whitespace_' + i, mixed(randInt(1, 60), ['space', 'en', 'punct', 'digits']), false, i < 100);
  for (let i = 0; i < 300; i++) add('digits_' + i, mixed(randInt(1, 60), ['digits', 'space', 'punct', 'en']), false, i < 100);
  for (let i = 0; i < 300; i++) add('mixed_scripts_' + i, mixed(randInt(1, 200), allGroups), false, i < 100);
  for (let i = 0; i < 200; i++) add('emoji_' + i, mixed(randInt(1, 60), ['emoji', 'zh', 'en', 'space']), false, i < 60);
  for (let i = 0; i < 300; i++) add('random_cp_' + i, randomCodepoints(randInt(1, 120), true), false, i < 100);
  add('mixed_scripts_1mb', mixed(1100000, allGroups));
  add('random_cp_200k', randomCodepoints(200000, true));

  return cases;
}

// Writes cases and their ids in the MLGOLD1 format read by tests/text/golden_test.cpp.
function writeGolden(file, list, encode) {
  const chunks = [Buffer.from('MLGOLD1\n', 'latin1')];
  const u32 = (v) => { const b = Buffer.alloc(4); b.writeUInt32LE(v >>> 0); return b; };
  chunks.push(u32(list.length));
  let bytes = 0;
  for (const c of list) {
    const name = Buffer.from(c.name, 'utf8');
    const text = Buffer.from(c.text, 'utf8');
    const ids = encode(c);
    bytes += text.length;
    chunks.push(Buffer.from([c.allowSpecial ? 1 : 0]), u32(name.length), name, u32(text.length), text, u32(ids.length));
    const idBuf = Buffer.alloc(ids.length * 4);
    for (let i = 0; i < ids.length; i++) idBuf.writeUInt32LE(ids[i], i * 4);
    chunks.push(idBuf);
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file + '.tmp', Buffer.concat(chunks));
  fs.renameSync(file + '.tmp', file);
  console.log(`${path.basename(file)}: ${list.length} cases, ${(bytes / 1e6).toFixed(2)} MB of text`);
}

module.exports = { buildCases, writeGolden };
