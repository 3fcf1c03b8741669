#!/usr/bin/env node
// probe_unicode.js TOKENIZER_JSON - print, for every code point from U+0080,
// the classes Hugging Face tokenizers' regex engine (Oniguruma) puts it in:
// "<hex> L,Lu,..." per line.  Each class is probed with a Split pre-tokenizer
// (\p{X}, invert, Removed) over all code points, so the answer is that of the
// library itself.  Needs npm `tokenizers` on NODE_PATH; TOKENIZER_JSON is any
// tokenizer.json (its pre-tokenizer is replaced).
'use strict';
const { Tokenizer } = require('tokenizers');
const fs = require('fs');
const base = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
let all = '';
for (let cp = 0x80; cp < 0x110000; cp++) {
  if (cp < 0xD800 || cp > 0xDFFF) all += String.fromCodePoint(cp);
}
const classes = ['L', 'N', 'M', 'Lu', 'Ll', 'Lt', 'Lm', 'Lo', 'Nd', 'Nl', 'No', 'Mn', 'Mc',
  'Me', 'Pc', 'WS'];
const res = new Map();
for (const k of classes) {
  base.pre_tokenizer = { type: 'Split', pattern: { Regex: k === 'WS' ? '\\s' : `\\p{${k}}` },
    behavior: 'Removed', invert: true };
  const pieces = Tokenizer.fromString(JSON.stringify(base)).getPreTokenizer()
    .preTokenizeString(all);
  for (const [s] of pieces) {
    for (const ch of s) {
      const cp = ch.codePointAt(0);
      res.set(cp, (res.get(cp) || '') + k + ',');
    }
  }
}
for (const [cp, s] of [...res.entries()].sort((a, b) => a[0] - b[0])) {
  process.stdout.write(`${cp.toString(16)} ${s}\n`);
}
