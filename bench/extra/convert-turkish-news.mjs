// Turkish news NER (PERSON / LOCATION / ORGANIZATION) from the npm package nlptoolkit-namedentityrecognition@1.0.3,
// file package/nerdata.txt: one sentence a line, tokens separated by spaces, entities marked MUC-style as
//   <b_enamex TYPE="LOCATION">İstanbul<e_enamex>
// This is only a format conversion: every tag comes from the markers in the file.
//
//   npm pack nlptoolkit-namedentityrecognition@1.0.3 && tar xzf nlptoolkit-namedentityrecognition-1.0.3.tgz
//   node bench/extra/convert-turkish-news.mjs package/nerdata.txt <outRoot>   (bench/extra/make.sh does all of it)
//
// The file has no train/test split and no document boundaries (consecutive lines are consecutive sentences of
// news articles). Deterministic split, nothing shuffled:
//   train = sentences 1..2000 (200 documents), dev = 2001..3000 (unlabelled use only), test = the LAST 1000
//   sentences of the file (100 documents); turkish_news_tiny = the first 10 training documents (100 sentences),
//   same dev and test.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildDataset } from './build.mjs';

const SOURCE = 'npm nlptoolkit-namedentityrecognition@1.0.3, package/nerdata.txt';
const [, , input, outArg] = process.argv;
if (!input || !outArg) throw new Error('usage: node bench/extra/convert-turkish-news.mjs path/to/nerdata.txt <outRoot>');
const outRoot = resolve(outArg);

const raw = readFileSync(input);
const sha256 = createHash('sha256').update(raw).digest('hex');
const text = raw.toString('utf8');
if (text.includes('\ufffd')) throw new Error('not valid UTF-8');

const B = /<b_enamex TYPE="([A-Z]+)">/g;
const E = /<e_enamex>/g;

/** One line -> { tokens, tags } in IOB2. Markers may touch their token or stand apart from it (15 cases). */
function parseLine(line, n) {
  const marked = line.replace(B, ' \u0001$1\u0001 ').replace(E, ' \u0002 ');
  const parts = marked.split(/\s+/).filter((p) => p !== '');
  const tokens = [];
  const tags = [];
  let open = null; // type of the entity being read
  let first = false; // next token is the entity's first
  for (const p of parts) {
    const mb = /^\u0001([A-Z]+)\u0001$/.exec(p);
    if (mb) {
      if (open) throw new Error(`line ${n}: nested entity`);
      open = mb[1];
      first = true;
      continue;
    }
    if (p === '\u0002') {
      if (!open) throw new Error(`line ${n}: <e_enamex> without <b_enamex>`);
      if (first) throw new Error(`line ${n}: empty entity`);
      open = null;
      continue;
    }
    if (/[\u0001\u0002<>]/.test(p) && /enamex/.test(p)) throw new Error(`line ${n}: marker left in token ${p}`);
    tokens.push(p);
    tags.push(open ? `${first ? 'B' : 'I'}-${open}` : 'O');
    first = false;
  }
  if (open) throw new Error(`line ${n}: entity not closed`);
  return { tokens, tags };
}

const lines = text.split('\n');
if (lines[lines.length - 1] === '') lines.pop();
const sents = lines.map((l, i) => parseLine(l, i + 1));
const empty = sents.filter((s) => s.tokens.length === 0).length;
if (empty) throw new Error(`${empty} empty lines`);

// Cross-check against the counts the package's own test asserts (tests/NERCorpusTest.ts in its repository:
// 27556 sentences, 492233 words, 23878 PERSON / 16931 ORGANIZATION / 12448 LOCATION words).
const wordCount = { PERSON: 0, ORGANIZATION: 0, LOCATION: 0 };
let words = 0;
for (const s of sents) {
  words += s.tokens.length;
  for (const t of s.tags) if (t !== 'O') wordCount[t.slice(2)]++;
}
console.log(JSON.stringify({ sha256, sentences: sents.length, words, entityWords: wordCount }));

const N_TRAIN = 2000;
const N_DEV = 1000;
const N_TEST = 1000;
const train = sents.slice(0, N_TRAIN);
const dev = sents.slice(N_TRAIN, N_TRAIN + N_DEV);
const test = sents.slice(sents.length - N_TEST);
const key = (s) => s.tokens.join(' ');
const trainKeys = new Set(train.map(key));
const overlap = test.filter((s) => trainKeys.has(key(s))).length;

const range = (a, b) => `${SOURCE}, lines ${a}-${b} of ${sents.length} (sha256 ${sha256.slice(0, 16)}…)`;
const notes = {
  source: SOURCE,
  split: `train = lines 1-${N_TRAIN}, dev = lines ${N_TRAIN + 1}-${N_TRAIN + N_DEV}, test = lines ${sents.length - N_TEST + 1}-${sents.length}; no shuffling`,
  testSentencesAlsoInTrain: overlap,
};
const stats = buildDataset(outRoot, 'turkish_news', { train, dev, test }, {
  language: 'tr',
  sources: { train: [range(1, N_TRAIN)], dev: [range(N_TRAIN + 1, N_TRAIN + N_DEV)], test: [range(sents.length - N_TEST + 1, sents.length)] },
  notes,
});
console.log('turkish_news', JSON.stringify({ train: stats.splits.train.entities, test: stats.splits.test.entities, overlap }));

const tiny = buildDataset(outRoot, 'turkish_news_tiny', { train: train.slice(0, 100), dev, test }, {
  language: 'tr',
  sources: { train: [range(1, 100)], dev: [range(N_TRAIN + 1, N_TRAIN + N_DEV)], test: [range(sents.length - N_TEST + 1, sents.length)] },
  notes: { ...notes, split: `train = lines 1-100 (the first 10 documents of turkish_news), dev and test as turkish_news` },
});
console.log('turkish_news_tiny', JSON.stringify({ train: tiny.splits.train.entities, test: tiny.splits.test.entities }));
