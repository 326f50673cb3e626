// In-process A/B of two checkouts' engines on new text, for performance work on a VM whose speed swings within
// seconds (separate processes a few seconds apart compare the VM's moods as much as the code):
//   tsx bench/ab-newtext.ts <checkoutA> <checkoutB> <dataset> [rounds, default 9]
// Both engines are imported into one process (each checkout's lib/ner/engine.ts, under tsx), warmed with two passes
// over the test set, then tag new text in alternation: per round and engine a fresh model instance tags the other
// split (dev.bio, else train.bio) and then the test documents, timed. Prints each engine's best and median and the
// median of the per-round ratios B/A. The model is bench/out/<dataset>.onnx (from `npm run bench`); data from
// $BENCH_DATA or ../shared/bench. Each checkout must resolve its own dependencies (its node_modules, or a link to this
// one's). Ratios within about ±8% of 1 were noise on the benchmark VM. MODEL_A or MODEL_B names another model file
// for that engine (a model only one of the checkouts reads, or two models under one engine).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { NerEngine } from '../lib/ner/cli.js';
import { bioToDocuments, readBio } from '../lib/ner/formats/bio.js';
import { SENTENCES_PER_DOC } from './protocol.js';

const REPO = resolve(fileURLToPath(new URL('..', import.meta.url)));
const DATA = resolve(process.env.BENCH_DATA ?? join(REPO, '../shared/bench'));
const [rootA, rootB, dataset, roundsArg = '9'] = process.argv.slice(2);
const rounds = Number(roundsArg);
if (!rootA || !rootB || !dataset || !Number.isInteger(rounds) || rounds < 1) {
  console.error('usage: tsx bench/ab-newtext.ts <checkoutA> <checkoutB> <dataset> [rounds]');
  process.exit(2);
}
const docs = async (file: string) =>
  bioToDocuments(readBio(await readFile(join(DATA, dataset, file), 'utf8')).sentences, { sentencesPerDocument: SENTENCES_PER_DOC, idPrefix: 'ab' });
const test = await docs('test.bio');
const other = await docs(existsSync(join(DATA, dataset, 'dev.bio')) ? 'dev.bio' : 'train.bio');
const bytes = await readFile(join(REPO, 'bench/out', `${dataset}.onnx`));
// MODEL_A / MODEL_B: another model file for that engine (e.g. one only that checkout reads)
const modelBytes = [process.env.MODEL_A ? await readFile(process.env.MODEL_A) : bytes, process.env.MODEL_B ? await readFile(process.env.MODEL_B) : bytes];
const engines: NerEngine[] = [
  await import(pathToFileURL(resolve(rootA, 'lib/ner/engine.ts')).href),
  await import(pathToFileURL(resolve(rootB, 'lib/ner/engine.ts')).href),
];
for (const [i, e] of engines.entries()) {
  const m = await e.loadModel(modelBytes[i]);
  for (let pass = 0; pass < 2; pass++) for (const d of test) await m.predict(d.text);
  await m.release();
}
const ms: number[][] = [[], []];
for (let round = 0; round < rounds; round++) {
  for (const i of round % 2 ? [1, 0] : [0, 1]) {
    const m = await engines[i].loadModel(modelBytes[i]);
    for (const d of other) await m.predict(d.text);
    const t0 = performance.now();
    for (const d of test) await m.predict(d.text);
    ms[i].push(performance.now() - t0);
    await m.release();
  }
}
const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};
const f = (x: number) => x.toFixed(1);
console.log(
  `${dataset}: A best ${f(Math.min(...ms[0]))} ms, median ${f(median(ms[0]))} | B best ${f(Math.min(...ms[1]))} ms, median ${f(median(ms[1]))} | ` +
    `B/A per round, median ${median(ms[0].map((a, k) => ms[1][k] / a)).toFixed(3)}`,
);
