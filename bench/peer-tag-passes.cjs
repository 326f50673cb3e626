'use strict';
// The peer's tagging, exactly as ../shared/bench/peer/crf.js `tag` measures it end to end (features + tag, one
// sentence at a time), repeated: pass 1 is crf.js's own (cold) figure, later passes the steady state of a process
// that keeps tagging the same text; then new text in that warm process: the other split, then the test set, three
// times (best kept).
// Run with cwd = the staged peer folder:  node peer-tag-passes.cjs <dataset> [passes] [new-text passes]
// (bench/run.ts gives both counts, from bench/protocol.ts)
const fs = require('fs');
const path = require('path');
const peer = process.cwd();
const { Tagger } = require(path.join(peer, 'node_modules/crfsuite'));
const { readBIO } = require(path.join(peer, '../tools/lib'));
const { sentenceFeatures } = require(path.join(peer, 'features'));

const [name, passesArg, newTextPassesArg] = process.argv.slice(2);
const passes = Number(passesArg || 3);
const newTextPasses = Number(newTextPassesArg || 3);
const data = process.env.BENCH_DATA;
const sents = readBIO(path.join(data, name, 'test.bio'));
const tagger = new Tagger();
if (!tagger.open(path.join(peer, 'models', `${name}.crfsuite`))) throw new Error('cannot open model');
const tokens = sents.reduce((a, s) => a + s.tokens.length, 0);
const perPass = [];
for (let p = 0; p < passes; p++) {
  const t0 = process.hrtime.bigint();
  for (const s of sents) tagger.tag(sentenceFeatures(s.tokens));
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  perPass.push(Math.round(tokens / s));
}
// New text in a warm process, as for ours (bench/ours-child.ts): newTextPasses times, the other split (dev.bio, else
// train.bio) and then the test set (timed); the best timed pass is kept.
const otherFile = ['dev.bio', 'train.bio'].map((f) => path.join(data, name, f)).find((f) => fs.existsSync(f));
const other = readBIO(otherFile);
let newText = 0;
for (let p = 0; p < newTextPasses; p++) {
  for (const s of other) tagger.tag(sentenceFeatures(s.tokens));
  const t1 = process.hrtime.bigint();
  for (const s of sents) tagger.tag(sentenceFeatures(s.tokens));
  newText = Math.max(newText, Math.round(tokens / (Number(process.hrtime.bigint() - t1) / 1e9)));
}
console.log(JSON.stringify({ name, tokens, passes, tok_per_s: perPass, cold_tok_per_s: perPass[0], warm_tok_per_s: Math.max(...perPass.slice(1)), newtext_tok_per_s: newText }));
