import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ENGINE, exportModel, fitDocuments, type FittedDocuments } from '../../../lib/ner/engine.js';
import { EmissionCache } from '../../../lib/ner/emission-cache.js';
import type { FeatureExtractor } from '../../../lib/ner/features.js';
import { bucket2Of, fingerprintOf } from '../../../lib/ner/hash.js';
import { inMemoryEmissions } from '../../../lib/ner/model.js';
import { EmissionSession } from '../../../lib/ner/onnx/session.js';
import { prepareText, type Sequence } from '../../../lib/ner/prepare.js';
import { prng } from '../../../lib/ner/crf.js';
import type { LabelledDocument } from '../../../lib/ner/types.js';

const CCY = ['USD', 'EUR', 'JPY', 'GBP', 'CHF', 'AUD'];
const TICKERS = ['AAPL', 'MSFT', 'GOOG', 'AMZN', 'TSLA', 'NVDA'];
const TEMPLATES: Array<(p: string, t: string) => [string, Array<[string, string]>]> = [
  (p, t) => [`Traders sold ${p} after the announcement, while ${t} shares rose.`, [[p, 'CurrencyPair'], [t, 'Ticker']]],
  (p, t) => [`The ${p} pair fell 0.4% and ${t} closed higher at the New York Stock Exchange.`, [[p, 'CurrencyPair'], [t, 'Ticker']]],
  (_p, t) => [`Shares of ${t} gained 2% in early trading.`, [[t, 'Ticker']]],
];

function makeDocs(n: number, seed: number): LabelledDocument[] {
  const r = prng(seed);
  const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)];
  return Array.from({ length: n }, (_, d) => {
    let text = '';
    const spans: LabelledDocument['spans'] = [];
    for (let s = 0; s < 4; s++) {
      const [sentence, ents] = pick(TEMPLATES)(`${pick(CCY)}/${pick(CCY)}`, pick(TICKERS));
      for (const [surface, category] of ents) spans.push({ offset: text.length + sentence.indexOf(surface), length: surface.length, category });
      text += sentence + '\n';
    }
    return { id: `d${d}.txt`, text, spans };
  });
}

/** Random words, so a document can hold more distinct token texts than a cache keeps. */
function randomWords(count: number, seed: number): string[] {
  const r = prng(seed);
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-';
  return Array.from({ length: count }, () => Array.from({ length: 3 + Math.floor(r() * 8) }, () => letters[Math.floor(r() * letters.length)]).join(''));
}

/** The scores without the cache: every token's features extracted and scored on their own (the former path). */
async function uncached(session: EmissionSession, x: FeatureExtractor, numBuckets: number, s: Sequence): Promise<Float32Array> {
  const f = x.extract(s.text, s.starts, s.ends);
  let F = 1;
  for (let t = 0; t < f.n; t++) F = Math.max(F, f.offsets[t + 1] - f.offsets[t]);
  const b1 = new Int32Array(f.n * F);
  const b2 = new Int32Array(f.n * F);
  const fp = new Int32Array(f.n * F);
  for (let t = 0; t < f.n; t++)
    for (let i = f.offsets[t], o = t * F; i < f.offsets[t + 1]; i++, o++) {
      b1[o] = f.hB[i] % numBuckets;
      b2[o] = bucket2Of(f.hA[i], f.hB[i]) % numBuckets;
      fp[o] = fingerprintOf(f.hA[i]);
    }
  return session.emissions(b1, b2, fp, f.n, F);
}

/**
 * The scores are valid only inside the callback: keep copies, having checked each row's maximum and the
 * exponentials against them.
 */
const copy = (e: Float32Array[], rowMax: Float32Array[], psi: Float64Array[]) => {
  expect(rowMax.length).toBe(e.length);
  expect(psi.length).toBe(e.length);
  for (let i = 0; i < e.length; i++) {
    const L = rowMax[i].length > 0 ? e[i].length / rowMax[i].length : 0;
    expect(psi[i].length).toBe(e[i].length);
    let worst = 0;
    for (let t = 0; t < rowMax[i].length; t++) {
      expect(rowMax[i][t]).toBe(Math.max(...e[i].subarray(t * L, (t + 1) * L)));
      for (let y = 0; y < L; y++) {
        const want = Math.exp(e[i][t * L + y] - rowMax[i][t]);
        // float32 arithmetic: within 1.5e-6 plus the rounding of x = score − largest
        const bound = 1.5e-6 + 6e-8 * (rowMax[i][t] - e[i][t * L + y]);
        worst = Math.max(worst, (want < 1e-37 ? Math.abs(psi[i][t * L + y]) : Math.abs(psi[i][t * L + y] - want) / want) / bound);
      }
    }
    expect(worst).toBeLessThan(1);
  }
  return e.map((x) => Float32Array.from(x));
};

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number) {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i])));
  expect(worst).toBeLessThan(tolerance);
}

describe('emission cache', () => {
  let fitted: FittedDocuments;
  let session: EmissionSession;
  let numBuckets: number;
  let x: FeatureExtractor;

  beforeAll(async () => {
    const unlabelled = makeDocs(40, 2).map((d) => d.text);
    fitted = fitDocuments(
      makeDocs(25, 1),
      {
        categories: ['CurrencyPair', 'Ticker', 'Exchange'],
        seed: 1,
        unlabelledTexts: unlabelled,
        gazetteer: [{ text: 'New York Stock Exchange', category: 'Exchange' }, { text: 'NVDA', category: 'Ticker' }, { text: 'York', category: 'Exchange' }],
      },
      { ...DEFAULT_ENGINE, learnedClusters: true },
    );
    session = await EmissionSession.create(exportModel(fitted));
    numBuckets = session.numBuckets;
    x = fitted.model.extractor;
  });
  afterAll(() => session.release());

  /** Checks every sequence of `text` against the uncached ONNX scores and the in-memory model's. */
  async function check(cache: EmissionCache, text: string) {
    const seqs = prepareText(text);
    const got = await cache.document(seqs, copy);
    expect(got.length).toBe(seqs.length);
    for (let i = 0; i < seqs.length; i++) {
      expectClose(got[i], await uncached(session, x, numBuckets, seqs[i]), 1e-5);
      expectClose(got[i], inMemoryEmissions(fitted.model, seqs[i]), 1e-4);
    }
    return seqs;
  }

  it('gives the scores of the uncached path: gazetteer matches, sequence edges, one-token sequences, repeats', async () => {
    expect(x.hasGazetteer).toBe(true);
    const cache = new EmissionCache(session, x);
    const text = 'NVDA\nShares of NVDA rose at the New York Stock Exchange ; new york stock exchange .\nYork\n\nEUR/USD fell.\nOK';
    const seqs = await check(cache, text);
    expect(seqs.filter((s) => s.starts.length === 1).length).toBe(3);
    // the second time every text comes from the cache, the gazetteer matches are scored again
    await check(cache, text);
    for (const d of makeDocs(5, 9)) await check(cache, d.text);
  });

  it('stays within its byte bound on documents with more distinct texts than it keeps, and stays exact', async () => {
    const L = fitted.model.labels.size;
    const maxBytes = 251 * 5 * L * 4; // 250 texts and the edge; an eighth more for the texts themselves
    const cache = new EmissionCache(session, x, { maxBytes, chunkTokens: 200 });
    const words = randomWords(1500, 4);
    const r = prng(5);
    const lines: string[] = [];
    for (let i = 0; i < 400; i++) lines.push(Array.from({ length: 1 + Math.floor(r() * 12) }, () => words[Math.floor(r() * words.length)]).join(' ') + ' NVDA .');
    const text = lines.join('\n');
    expect(text.length).toBeLessThan(128_000);
    await check(cache, text);
    expect(cache.bytes).toBeGreaterThan(0);
    expect(cache.bytes).toBeLessThanOrEqual(maxBytes * 1.125);
    expect(cache.entries).toBeLessThanOrEqual(250);
    await check(cache, text);
    // long tokens: their text counts too
    for (let d = 0; d < 4; d++) {
      await check(cache, randomWords(60, 20 + d).map((w) => w.repeat(300)).join(' '));
      expect(cache.bytes).toBeLessThanOrEqual(maxBytes * 1.125);
    }
  });

  it('moves to a larger memory mid-document and for a long document, then gives the extra room back', async () => {
    const L = fitted.model.labels.size;
    const regionOf = (c: EmissionCache) => (c as unknown as { out: Float32Array }).out;
    // each step more new texts than the last: the arena grows (a new memory) while earlier steps' scores are held
    const growing = new EmissionCache(session, x, { maxBytes: 1, chunkTokens: 8 });
    const words = randomWords(200, 7);
    let at = 0;
    const lines = [1, 3, 6, 10, 15, 21, 28].map((len) => words.slice(at, (at += len)).join(' ') + ' .');
    const first = regionOf(growing);
    await check(growing, lines.join('\n'));
    expect(regionOf(growing)).not.toBe(first);
    // a document with more scores than the reused region (256K floats) gets its own, given back at the next one
    const long = new EmissionCache(session, x);
    const reused = regionOf(long).length;
    const vocabulary = randomWords(3000, 8);
    const r = prng(9);
    const longLines: string[] = [];
    for (let tokens = 0; tokens * L <= reused + 20 * L; tokens += 11) longLines.push(Array.from({ length: 10 }, () => vocabulary[Math.floor(r() * vocabulary.length)]).join(' ') + ' .');
    await check(long, longLines.join('\n'));
    expect(regionOf(long).length).toBeGreaterThan(reused);
    await check(long, makeDocs(1, 12)[0].text);
    expect(regionOf(long).length).toBe(reused);
  });

  it('serves concurrent documents the same scores as one at a time', async () => {
    const texts = makeDocs(6, 11).map((d) => d.text);
    const one = new EmissionCache(session, x);
    const sequential: Float32Array[][] = [];
    for (const t of texts) sequential.push(await one.document(prepareText(t), copy));
    const shared = new EmissionCache(session, x, { maxBytes: 1, chunkTokens: 200 });
    const concurrent = await Promise.all(texts.map((t) => shared.document(prepareText(t), copy)));
    concurrent.forEach((doc, i) => doc.forEach((e, s) => expectClose(e, sequential[i][s], 1e-6)));
  });

  it('scores a step whose own and context bags need different numbers of ORT calls as the uncached path does', async () => {
    const counted = Object.create(session) as EmissionSession;
    let single = 0;
    let paired = 0;
    counted.emissionsForRows = (...args) => (single++, session.emissionsForRows(...args));
    counted.emissionsForRowPair = (...args) => (paired++, session.emissionsForRowPair(...args));
    const words = randomWords(3000, 31);
    const lines: string[] = [];
    for (let i = 0; i < words.length; i += 20) lines.push(words.slice(i, i + 20).join(' ') + '.');
    const seqs = prepareText(lines.join('\n'));
    // random words match no entity list: every single call is then a share of one batch that the other lacks
    const gx = Object.create(x) as FeatureExtractor;
    let gazetteerHits = 0;
    gx.gazetteerFeatures = (...args) => {
      const f = x.gazetteerFeatures(...args);
      if (f) gazetteerHits++;
      return f;
    };
    const got = await new EmissionCache(counted, gx).document(seqs, copy);
    expect(gazetteerHits).toBe(0);
    expect(paired).toBeGreaterThan(0);
    expect(single).toBeGreaterThan(0);
    for (let i = 0; i < seqs.length; i++) expectClose(got[i], await uncached(session, x, numBuckets, seqs[i]), 1e-5);
  });

  it('keeps no unscored text after a failed ONNX call', async () => {
    let fail = true;
    const flaky = Object.create(session) as EmissionSession;
    flaky.emissionsForRows = (...args) => (fail ? Promise.reject(new Error('ORT failed')) : session.emissionsForRows(...args));
    flaky.emissionsForRowPair = (...args) => (fail ? Promise.reject(new Error('ORT failed')) : session.emissionsForRowPair(...args));
    const cache = new EmissionCache(flaky, x);
    const text = makeDocs(1, 12)[0].text;
    await expect(cache.document(prepareText(text), copy)).rejects.toThrow(/ORT failed/);
    fail = false;
    const seqs = prepareText(text);
    const got = await cache.document(seqs, copy);
    for (let i = 0; i < seqs.length; i++) expectClose(got[i], await uncached(session, x, numBuckets, seqs[i]), 1e-5);
  });

  it.each([1, 2, 3])('sums the far context as the uncached path does with a ±%i window', async (window) => {
    expect(x.settings.farContext).toBeDefined();
    const settings = { ...DEFAULT_ENGINE, features: { ...DEFAULT_ENGINE.features, window, farContext: { from: 2, to: 5, bits: 12 } } };
    const other = fitDocuments(makeDocs(15, 3), { categories: ['CurrencyPair', 'Ticker'], seed: 1 }, settings);
    const s2 = await EmissionSession.create(exportModel(other, settings));
    try {
      const cache = new EmissionCache(s2, other.model.extractor);
      // and long sentences of mostly unknown words (no cluster, no far bag), where the far window empties and fills
      // again mid-sentence
      const r = prng(13);
      const sparse = Array.from({ length: 6 }, () =>
        Array.from({ length: 25 }, () => (r() < 0.25 ? ['the', 'of', 'market', 'shares', 'sold', 'in'][Math.floor(r() * 6)] : randomWords(1, Math.floor(r() * 1e6))[0] + 'zq')).join(' ') + ' .',
      ).join('\n');
      for (const text of [...makeDocs(4, 10).map((d) => d.text), sparse]) {
        const seqs = prepareText(text);
        const got = await cache.document(seqs, copy);
        for (let i = 0; i < seqs.length; i++) {
          expectClose(got[i], await uncached(s2, other.model.extractor, s2.numBuckets, seqs[i]), 1e-5);
          expectClose(got[i], inMemoryEmissions(other.model, seqs[i]), 1e-4);
        }
      }
    } finally {
      await s2.release();
    }
  });
});
