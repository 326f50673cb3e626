// One measured step of our engine in its own process (spawned by bench/run.ts), printing one JSON line:
//   tsx bench/ours-child.ts train <datasetDir> <model.onnx> [--no-unlabelled]
//   tsx bench/ours-child.ts tag <datasetDir> <model.onnx> <out.pred>
//   tsx bench/ours-child.ts newtext <datasetDir> <model.onnx>
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadProject } from '../lib/ner/cli/inputs.js';
import type { NerEngine } from '../lib/ner/cli.js';
import { bioToDocuments, readBio, type BioSentence } from '../lib/ner/formats/bio.js';
import type { PredictedEntity } from '../lib/ner/types.js';
import { NEWTEXT_PASSES, SENTENCES_PER_DOC, TAG_PASSES } from './protocol.js';
import { predLines, projectSpans, scorePredFile } from './score.js';

const CURVE_THRESHOLDS = [0, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95];

const ms = (t0: number) => performance.now() - t0;
const maxRssMb = () => process.resourceUsage().maxRSS / 1024;

/** The first documents of a BIO text (10 sentences each) holding at least `wanted` characters, or all of them. */
function bioPrefixDocuments(bio: string, wanted: number): { texts: string[]; sentences: number } {
  if (!(wanted > 0)) return { texts: [], sentences: 0 };
  // a BIO line is a token, a tab and a tag: a prefix of a few times the wanted size holds enough text
  for (let size = 4 * wanted + 4096; ; size *= 2) {
    const whole = size >= bio.length;
    const cut = whole ? bio.length : bio.lastIndexOf('\n\n', size);
    const { sentences } = readBio(whole || cut < 0 ? bio : bio.slice(0, cut));
    const texts: string[] = [];
    let chars = 0;
    for (const d of bioToDocuments(sentences, { sentencesPerDocument: SENTENCES_PER_DOC })) {
      if (chars >= wanted) break;
      texts.push(d.text);
      chars += d.text.length;
    }
    if (chars >= wanted || whole) return { texts, sentences: Math.min(sentences.length, texts.length * SENTENCES_PER_DOC) };
  }
}

async function train(dir: string, modelPath: string, useUnlabelled: boolean) {
  const engine = (await import('../lib/ner/engine.js')) satisfies NerEngine;
  const t0 = performance.now();
  const p = await loadProject(join(dir, 'project.json'), join(dir, 'docs'), { unlabelledChars: (train) => engine.unlabelledCharsWanted(train) });
  let unlabelled: string[] = [];
  let unlabelledSentences = 0;
  if (useUnlabelled) {
    const dev = await readFile(join(dir, 'dev.bio'), 'utf8').catch(() => undefined);
    if (dev !== undefined) {
      // Labels discarded: dev sentences are only the project's unlabelled documents (10 sentences each), read, as
      // `cner train` reads a folder, only up to the text training uses.
      let wanted = engine.unlabelledCharsWanted(p.train);
      for (const t of p.unlabelled) wanted -= t.length;
      const docs = bioPrefixDocuments(dev, wanted);
      unlabelledSentences = docs.sentences;
      unlabelled = docs.texts;
    }
  }
  const tLoad = ms(t0);
  const r = await engine.trainModel(p.train, { categories: p.categories, unlabelledTexts: [...p.unlabelled, ...unlabelled], seed: 1 });
  await writeFile(modelPath, r.onnx);
  const total = ms(t0);
  return {
    documents: r.stats.documents,
    tokens: r.stats.tokens,
    boundarySplits: r.stats.boundarySplits,
    unlabelledDocuments: unlabelled.length,
    unlabelledSentences,
    read_s: tLoad / 1000,
    total_s: total / 1000,
    model_bytes: r.onnx.byteLength,
    peak_rss_mb: maxRssMb(),
  };
}

/** The documents a warm process has tagged before the test set: dev.bio (train.bio when there is none). */
async function warmUpDocs(dir: string) {
  const text = (await readFile(join(dir, 'dev.bio'), 'utf8').catch(() => undefined)) ?? (await readFile(join(dir, 'train.bio'), 'utf8'));
  return bioToDocuments(readBio(text).sentences, { sentencesPerDocument: SENTENCES_PER_DOC, idPrefix: 'warm' });
}

async function tag(dir: string, modelPath: string, predPath: string) {
  const engine = (await import('../lib/ner/engine.js')) satisfies NerEngine;
  const { sentences } = readBio(await readFile(join(dir, 'test.bio'), 'utf8'));
  const docs = bioToDocuments(sentences, { sentencesPerDocument: SENTENCES_PER_DOC, idPrefix: 'test' });
  // The documents are the project's test documents: same text, so the scores are those of the Azure project.
  for (const d of docs.slice(0, 3)) {
    const onDisk = await readFile(join(dir, 'docs', d.id), 'utf8').catch(() => undefined);
    if (onDisk !== undefined && onDisk !== d.text) throw new Error(`${d.id}: test.bio and docs/ differ`);
  }
  const t0 = performance.now();
  // the file's own bytes (a Buffer is a Uint8Array): the model reads its tables in place, as the CLI and the service do
  const bytes: Uint8Array = await readFile(modelPath);
  const model = await engine.loadModel(bytes);
  const loadMs = ms(t0);
  const t1 = performance.now();
  const predictions: PredictedEntity[][] = [];
  for (const d of docs) predictions.push(await model.predict(d.text));
  const tagS = ms(t1) / 1000;
  // The steady state of a process that keeps tagging: the best of the passes after the first (as for the peer).
  let warmS = Infinity;
  for (let pass = 1; pass < TAG_PASSES; pass++) {
    const t2 = performance.now();
    for (const d of docs) await model.predict(d.text);
    warmS = Math.min(warmS, ms(t2) / 1000);
  }
  await model.release();
  const tokens = sentences.reduce((a, s) => a + s.tokens.length, 0);
  const pred: string[][] = [];
  let misaligned = 0;
  let entities = 0;
  docs.forEach((_, i) => {
    const group: BioSentence[] = sentences.slice(i * SENTENCES_PER_DOC, (i + 1) * SENTENCES_PER_DOC);
    const r = projectSpans(group, predictions[i]);
    pred.push(...r.tags);
    misaligned += r.misaligned;
    entities += predictions[i].length;
  });
  await writeFile(predPath, predLines(sentences, pred));
  // The confidence curve: the same predictions kept above a threshold, scored the same way.
  const curve = CURVE_THRESHOLDS.map((threshold) => {
    const kept: string[][] = [];
    docs.forEach((_, i) => {
      const group = sentences.slice(i * SENTENCES_PER_DOC, (i + 1) * SENTENCES_PER_DOC);
      kept.push(...projectSpans(group, predictions[i].filter((e) => e.confidenceScore >= threshold)).tags);
    });
    const s = scorePredFile(predLines(sentences, kept));
    return { threshold, precision: s.precision, recall: s.recall, f1: s.f1, predicted: s.pred };
  });
  return {
    curve,
    documents: docs.length,
    sentences: sentences.length,
    tokens,
    entities,
    misaligned,
    load_ms: loadMs,
    tag_s: tagS,
    tok_per_s: tokens / tagS,
    warm_tok_per_s: tokens / warmS,
    peak_rss_mb: maxRssMb(),
  };
}

/**
 * New text in a warm process, in a process of its own, warmed as the peer's process is (bench/peer-tag-passes.cjs:
 * TAG_PASSES passes over the test set, then NEWTEXT_PASSES times the other split and the test set, timed): one
 * model instance tags the test set TAG_PASSES times and is released; then, NEWTEXT_PASSES times, a fresh instance,
 * whose score cache is empty, tags the other split (its cache then holds at most those words) and then the test
 * documents, new text to it (timed), and is released. What the process keeps from earlier instances is what the
 * peer's keeps: compiled code, its heap, the CPU's caches. The best pass is kept.
 */
async function newText(dir: string, modelPath: string) {
  const engine = (await import('../lib/ner/engine.js')) satisfies NerEngine;
  const { sentences } = readBio(await readFile(join(dir, 'test.bio'), 'utf8'));
  const docs = bioToDocuments(sentences, { sentencesPerDocument: SENTENCES_PER_DOC, idPrefix: 'test' });
  const other = await warmUpDocs(dir);
  const bytes = await readFile(modelPath);
  const first = await engine.loadModel(bytes);
  for (let pass = 0; pass < TAG_PASSES; pass++) for (const d of docs) await first.predict(d.text);
  await first.release();
  let best = Infinity;
  const passes: number[] = [];
  for (let pass = 0; pass < NEWTEXT_PASSES; pass++) {
    const model = await engine.loadModel(bytes);
    for (const d of other) await model.predict(d.text);
    const t0 = performance.now();
    for (const d of docs) await model.predict(d.text);
    const s = ms(t0) / 1000;
    passes.push(s);
    best = Math.min(best, s);
    await model.release();
  }
  const tokens = sentences.reduce((a, x) => a + x.tokens.length, 0);
  return { tokens, warmup_documents: other.length, newtext_passes_s: passes, newtext_tok_per_s: tokens / best };
}

const [cmd, dir, model, extra] = process.argv.slice(2);
const result =
  cmd === 'train'
    ? await train(dir, model, !process.argv.includes('--no-unlabelled'))
    : cmd === 'tag'
      ? await tag(dir, model, extra)
      : cmd === 'newtext'
        ? await newText(dir, model)
        : (() => {
            throw new Error('usage: ours-child.ts train|tag|newtext <datasetDir> <model> [out.pred]');
          })();
process.stdout.write(JSON.stringify(result) + '\n');
