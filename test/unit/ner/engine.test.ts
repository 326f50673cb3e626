import { describe, expect, it, vi } from 'vitest';
import { cuckooPlace, DEFAULT_ENGINE, exportModel, fitDocuments, loadModel, MODEL_FORMAT_VERSION, trainModel } from '../../../lib/ner/engine.js';
import { englishLexicon } from '../../../lib/ner/lexicon.js';
import { confidentEntities, DEFAULT_CONSISTENCY, jsSequenceLattice, modelLattice, predictInMemory, WasmSequenceLattice } from '../../../lib/ner/model.js';
import { prepareText } from '../../../lib/ner/prepare.js';
import { Lattice, WasmForwardBackward } from '../../../lib/ner/crf.js';
import { prng } from '../../../lib/ner/crf.js';
import type { LabelledDocument } from '../../../lib/ner/types.js';
import { DataType, readEmissionModel, readOnnxMetadata, tensorValues } from '../../../lib/ner/onnx/export.js';
import { DomainError } from '../../../lib/errors.js';

// A small synthetic finance corpus: currency pairs and tickers in varied contexts.
const CCY = ['USD', 'EUR', 'JPY', 'GBP', 'CHF', 'AUD', 'CAD', 'NZD'];
const TICKERS = ['AAPL', 'MSFT', 'GOOG', 'AMZN', 'TSLA', 'NVDA', 'META', 'ORCL'];
const TEMPLATES: Array<(a: string, b: string) => [string, Array<[string, string]>]> = [
  (p, t) => [`Traders sold ${p} after the announcement, while ${t} shares rose.`, [[p, 'CurrencyPair'], [t, 'Ticker']]],
  (p, t) => [`The ${p} pair fell 0.4% and ${t} closed higher.`, [[p, 'CurrencyPair'], [t, 'Ticker']]],
  (p) => [`Analysts expect ${p} to stay range-bound this week.`, [[p, 'CurrencyPair']]],
  (_p, t) => [`Shares of ${t} gained 2% in early trading.`, [[t, 'Ticker']]],
  (p, t) => [`Hedge funds bought ${t} and shorted ${p} on Friday.`, [[t, 'Ticker'], [p, 'CurrencyPair']]],
];

function makeDocs(n: number, seed: number, ccy = CCY, tickers = TICKERS): LabelledDocument[] {
  const r = prng(seed);
  const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)];
  const docs: LabelledDocument[] = [];
  for (let d = 0; d < n; d++) {
    let text = '';
    const spans: LabelledDocument['spans'] = [];
    for (let s = 0; s < 4; s++) {
      let a = pick(ccy);
      let b = pick(ccy);
      while (b === a) b = pick(ccy);
      const [sentence, ents] = pick(TEMPLATES)(`${a}/${b}`, pick(tickers));
      let from = 0;
      for (const [surface, category] of ents) {
        const at = sentence.indexOf(surface, from);
        spans.push({ offset: text.length + at, length: surface.length, category });
        from = at + surface.length;
      }
      text += sentence + '\n';
    }
    docs.push({ id: `doc${d}.txt`, text, spans });
  }
  return docs;
}

const categories = ['CurrencyPair', 'Ticker'];

describe('NER engine', () => {
  it('learns currency pairs and tickers, including ones it never saw, from their shape and context', async () => {
    const train = makeDocs(30, 1);
    const { onnx } = await trainModel(train, { categories, seed: 7 });
    const model = await loadModel(onnx);
    const text = 'Traders sold SEK/NOK after the announcement, while ZZQX shares rose.';
    const ents = await model.predict(text);
    expect(ents.map((e) => [e.text, e.category])).toEqual([['SEK/NOK', 'CurrencyPair'], ['ZZQX', 'Ticker']]);
    for (const e of ents) {
      expect(text.slice(e.offset, e.offset + e.length)).toBe(e.text);
      expect(e.confidenceScore).toBeGreaterThan(0.5);
      expect(e.confidenceScore).toBeLessThanOrEqual(1);
    }
    await model.release();
  });

  it('is deterministic: same data, settings and seed give byte-identical model files', async () => {
    const train = makeDocs(12, 2);
    const a = await trainModel(train, { categories, seed: 3 });
    const b = await trainModel(train, { categories, seed: 3 });
    expect(Buffer.from(a.onnx).equals(Buffer.from(b.onnx))).toBe(true);
    const c = await trainModel(train, { categories, seed: 4 });
    expect(Buffer.from(a.onnx).equals(Buffer.from(c.onnx))).toBe(false);
  });

  it('predicts the same entities and scores through ONNX as the in-memory model', async () => {
    const train = makeDocs(20, 3);
    const fitted = fitDocuments(train, { categories, seed: 1 });
    const model = await loadModel(exportModel(fitted));
    for (const doc of makeDocs(5, 99, ['SEK', 'NOK', 'USD', 'EUR'], ['ABCD', 'AAPL', 'QQQ'])) {
      const mem = predictInMemory(fitted.model, doc.text, DEFAULT_CONSISTENCY, fitted.known);
      const onnx = await model.predict(doc.text);
      expect(onnx.map((e) => [e.offset, e.length, e.category])).toEqual(mem.map((e) => [e.offset, e.length, e.category]));
      onnx.forEach((e, i) => expect(e.confidenceScore).toBeCloseTo(mem[i].confidenceScore, 3));
    }
    await model.release();
  });

  it('finds the entities the decoder reports with confidence ≥ 0.9 from forward-backward alone (the names scan)', () => {
    // a weak model (few documents) on unseen names, of one token and of several: some entities above 0.9, some below
    const names = ['Contoso Bank', 'Fabrikam Group', 'AAPL', 'Northwind Traders Inc'];
    const fitted = fitDocuments(makeDocs(5, 5, CCY, names), { categories, seed: 1 });
    let above = 0;
    let below = 0;
    let multi = 0;
    for (const doc of makeDocs(40, 98, ['SEK', 'NOK', 'USD', 'EUR', 'PLN'], ['Contoso Bank', 'Wide World Importers', 'QQQ', 'Tailspin Toys', 'ZX'])) {
      for (const consistency of [0, DEFAULT_CONSISTENCY]) {
        const decoded = predictInMemory(fitted.model, doc.text, consistency);
        const confident = decoded.filter((e) => e.confidenceScore >= 0.9);
        above += confident.length;
        multi += confident.filter((e) => e.text.includes(' ')).length;
        below += decoded.length - confident.length;
        expect(confidentEntities(fitted.model, doc.text, 0.9)).toEqual(confident);
      }
    }
    expect(above).toBeGreaterThan(20);
    expect(below).toBeGreaterThan(20);
    expect(multi).toBeGreaterThan(5);
    expect(() => confidentEntities(fitted.model, 'x', 0.5)).toThrow(RangeError);
    // entities that end their sequence, and one-token sequences
    const model = fitDocuments(makeDocs(20, 4), { categories, seed: 1 }).model;
    const text = 'Traders sold EUR/USD\nAAPL\nShares of Contoso rose and AAPL';
    const decoded = predictInMemory(model, text, 0).filter((e) => e.confidenceScore >= 0.9);
    expect(decoded.map((e) => e.text)).toContain('EUR/USD');
    expect(confidentEntities(model, text, 0.9)).toEqual(decoded);
  });

  it('runs the names scan’s forward-backward in WebAssembly with the bits of the JavaScript, across memory growth', () => {
    const fitted = fitDocuments(makeDocs(5, 5, CCY, ['Contoso Bank', 'Fabrikam Group', 'AAPL']), { categories, seed: 1 });
    // room for 8 tokens at first: the memory grows mid-scan
    const wasm = new WasmSequenceLattice(fitted.model, 8);
    const js = jsSequenceLattice(fitted.model);
    const bits = (a: Float64Array) => Buffer.from(a.slice().buffer);
    const docs = makeDocs(30, 98, ['SEK', 'NOK', 'USD'], ['Contoso Bank', 'Wide World Importers', 'QQQ']);
    const long = Array.from({ length: 400 }, (_, i) => ['Contoso', 'Bank', 'bought', 'SEK', 'and', 'QQQ', 'shares', 'from', 'Wide', 'World', 'Importers'][i % 11]).join(' ');
    let compared = 0;
    let longest = 0;
    for (const text of [docs[0].text, long, docs[1].text]) {
      for (const s of prepareText(text)) {
        const n = s.starts.length;
        if (n === 0) continue;
        wasm.run(s);
        js.run(s);
        const L = fitted.model.labels.size;
        expect(wasm.lattice.K).toBe(js.lattice.K);
        expect(bits(wasm.lattice.alpha.subarray(0, n * L))).toEqual(bits(js.lattice.alpha.subarray(0, n * L)));
        expect(bits(wasm.lattice.beta.subarray(0, n * L))).toEqual(bits(js.lattice.beta.subarray(0, n * L)));
        expect(bits(wasm.lattice.psi.subarray(0, n * L))).toEqual(bits(js.lattice.psi.subarray(0, n * L)));
        expect(bits(wasm.lattice.scale.subarray(0, n))).toEqual(bits(js.lattice.scale.subarray(0, n)));
        compared += n;
        longest = Math.max(longest, n);
      }
      expect(confidentEntities(fitted.model, text, 0.9, wasm)).toEqual(confidentEntities(fitted.model, text, 0.9, js));
    }
    expect(longest).toBeGreaterThan(100);
    // a lattice that adopted the kernels' results goes back to its own buffers for its next run
    const own = modelLattice(fitted.model);
    const s = prepareText(docs[2].text)[0];
    own.run(new Float64Array(s.starts.length * fitted.model.labels.size), s.starts.length);
    wasm.run(s);
    own.adopt(wasm.lattice.n, wasm.lattice.alpha, wasm.lattice.beta, wasm.lattice.psi, wasm.lattice.scale, wasm.lattice.K);
    const adopted = wasm.lattice.alpha;
    js.run(s);
    own.run(new Float64Array(s.starts.length * fitted.model.labels.size), s.starts.length);
    expect(own.alpha).not.toBe(adopted);
    expect(bits(adopted.subarray(0, 5))).toEqual(bits(js.lattice.alpha.subarray(0, 5)));
  });

  it('decodes a loaded model’s sequences with forward-backward by the WebAssembly kernels', async () => {
    const fitted = fitDocuments(makeDocs(8, 6), { categories, seed: 1 });
    const model = await loadModel(exportModel(fitted));
    const run = vi.spyOn(WasmForwardBackward.prototype, 'run');
    try {
      const text = makeDocs(2, 97)[1].text;
      const entities = await model.predict(text);
      expect(run).toHaveBeenCalled();
      expect(entities.map((e) => [e.offset, e.length, e.category])).toEqual(predictInMemory(fitted.model, text, DEFAULT_CONSISTENCY, fitted.known).map((e) => [e.offset, e.length, e.category]));
    } finally {
      run.mockRestore();
      await model.release();
    }
  });

  it('trains, exports and decodes a BIO model, consistency pass included', async () => {
    const settings = { ...DEFAULT_ENGINE, trainer: { ...DEFAULT_ENGINE.trainer, scheme: 'BIO' as const } };
    const fitted = fitDocuments(makeDocs(20, 3), { categories, seed: 1, unlabelledTexts: makeDocs(3, 50).map((d) => d.text) }, settings);
    expect(() => confidentEntities(fitted.model, 'x', 0.9)).toThrow(/BILOU/);
    const model = await loadModel(exportModel(fitted, settings));
    // a name the document establishes, then meets again where the local context alone may not be enough
    const text = 'Hedge funds bought QQQX and shorted SEK/NOK on Friday.\nLater QQQX was flat and SEK/NOK too.';
    const mem = predictInMemory(fitted.model, text, DEFAULT_CONSISTENCY, fitted.known);
    expect(mem.map((e) => e.text)).toEqual(expect.arrayContaining(['QQQX', 'SEK/NOK']));
    expect((await model.predict(text)).map((e) => [e.offset, e.length, e.category])).toEqual(mem.map((e) => [e.offset, e.length, e.category]));
    await model.release();
  });

  it('decodes the same whether forward-backward or Viterbi runs first', () => {
    const fitted = fitDocuments(makeDocs(8, 6), { categories, seed: 1 });
    const settle = vi.spyOn(Lattice.prototype, 'certainPath');
    let settled = 0;
    for (const doc of makeDocs(10, 97, ['SEK', 'NOK', 'USD'], ['ABCD', 'AAPL', 'QQQ'])) {
      const plain = predictInMemory(fitted.model, doc.text, DEFAULT_CONSISTENCY, fitted.known);
      const lattice = modelLattice(fitted.model);
      // as after many sequences with entities, all of them settled by their marginals
      Object.assign(lattice.decodeStats, { entities: 1, certain: 1, sequences: 1 });
      settle.mockClear();
      expect(predictInMemory(fitted.model, doc.text, DEFAULT_CONSISTENCY, fitted.known, lattice)).toEqual(plain);
      settled += settle.mock.results.filter((r) => r.value !== undefined).length;
    }
    settle.mockRestore();
    expect(settled).toBeGreaterThan(10);
  });

  it('splits tokens at label boundaries so no labelled span is lost, and reports how many', async () => {
    const text = 'Buy GBPUSD/EUR now.\nSell priceUSD/JPY later.\n';
    const docs: LabelledDocument[] = [{
      id: 'a.txt', text,
      spans: [{ offset: text.indexOf('USD/EUR'), length: 7, category: 'CurrencyPair' }, { offset: text.indexOf('USD/JPY'), length: 7, category: 'CurrencyPair' }],
    }];
    const r = await trainModel(docs, { categories, seed: 1 });
    expect(r.stats.boundarySplits).toBe(2);
    expect(r.stats.tokens).toBeGreaterThan(0);
  });

  it('refuses labels outside the text, unknown categories and overlaps, naming the document', async () => {
    const text = 'EUR/USD rose.';
    const bad = (spans: LabelledDocument['spans']) => trainModel([{ id: 'x.txt', text, spans }], { categories, seed: 1 });
    await expect(bad([{ offset: 10, length: 9, category: 'Ticker' }])).rejects.toThrow(/x\.txt.*outside the text/);
    await expect(bad([{ offset: 0, length: 7, category: 'Nope' }])).rejects.toThrow(/unknown category 'Nope'/);
    await expect(bad([{ offset: 0, length: 7, category: 'Ticker' }, { offset: 4, length: 3, category: 'Ticker' }])).rejects.toThrow(/overlap/);
  });

  it('predicts long documents in bounded chunks with offsets into the original text', async () => {
    const { onnx } = await trainModel(makeDocs(20, 5), { categories, seed: 1 });
    const model = await loadModel(onnx);
    const line = 'The CAD/JPY pair fell 0.4% and MSFT closed higher.\n';
    const text = line.repeat(Math.floor(128_000 / line.length));
    const ents = await model.predict(text);
    expect(ents.length).toBe(2 * Math.floor(128_000 / line.length));
    for (const e of ents.slice(-4)) expect(text.slice(e.offset, e.offset + e.length)).toBe(e.text);
    await model.release();
  });

  it('carries entity lists, project names and (when asked) clusters learned from unlabelled text in the file', async () => {
    const train = makeDocs(15, 8);
    const unlabelled = makeDocs(40, 9).map((d) => d.text);
    const { onnx } = await trainModel(
      train,
      { categories, seed: 1, unlabelledTexts: unlabelled, gazetteer: [{ text: 'QQQX', category: 'Ticker' }] },
      { ...DEFAULT_ENGINE, learnedClusters: true },
    );
    const file = readEmissionModel(onnx);
    const md = file.metadata;
    expect(JSON.parse(md['cner.clusters'])).toEqual({ bits: DEFAULT_ENGINE.clusters.bits });
    expect(file.tensors.get('cner.clusters.hashes')!.dims[0]).toBeGreaterThan(10);
    expect(file.tensors.get('cner.gazetteer')!.raw.length).toBeGreaterThan(0);
    const known = new Map(JSON.parse(md['cner.decoding']).known as Array<[string, number]>);
    expect(known.get('USD/JPY') ?? known.get('EUR/USD')).toBe(0);
    const model = await loadModel(onnx);
    const ents = await model.predict('Shares of QQQX gained 2% in early trading.');
    expect(ents.map((e) => [e.text, e.category])).toEqual([['QQQX', 'Ticker']]);
    await model.release();
  });

  it('learns a correction for categories that follow each other, stores it as format 3 and predicts alike from the file', async () => {
    // a ticker then a currency pair, next to each other (U-Ticker → U-CurrencyPair: a cross pair)
    const adjacent = (docs: LabelledDocument[], seed: number) => {
      const r = prng(seed);
      return docs.map((d) => {
        const t = TICKERS[Math.floor(r() * TICKERS.length)];
        const p = `${CCY[Math.floor(r() * 4)]}/${CCY[4 + Math.floor(r() * 4)]}`;
        const at = d.text.length + 'Desk flow: '.length;
        const text = `${d.text}Desk flow: ${t} ${p} unwound.\n`;
        return { ...d, text, spans: [...d.spans, { offset: at, length: t.length, category: 'Ticker' }, { offset: at + t.length + 1, length: p.length, category: 'CurrencyPair' }] };
      });
    };
    // every correction kept (by default one this small would be dropped: see minPairCorrection); no far context, so
    // the file is version 3
    const settings = { ...DEFAULT_ENGINE, features: { ...DEFAULT_ENGINE.features, farContext: undefined }, trainer: { ...DEFAULT_ENGINE.trainer, minPairCorrection: 0 } };
    const fitted = fitDocuments(adjacent(makeDocs(20, 3), 1), { categories, seed: 1 }, settings);
    expect(fitDocuments(adjacent(makeDocs(20, 3), 1), { categories, seed: 1 }).model.params.cross!.pairs).toBeUndefined();
    const pairs = fitted.model.params.cross!.pairs!;
    const U = (c: number) => 4 + 4 * c;
    expect([...pairs.from, ...pairs.to]).toEqual([U(1), U(0)]);
    expect(pairs.w[0]).toBeGreaterThan(0);
    const onnx = exportModel(fitted, settings);
    const md = readOnnxMetadata(onnx);
    expect(md['cner.formatVersion']).toBe('3');
    expect(JSON.parse(md['cner.crossTransitions']).pairs).toEqual([[U(1), U(0), pairs.w[0]]]);
    const model = await loadModel(onnx);
    let found = 0;
    for (const doc of adjacent(makeDocs(5, 99, ['SEK', 'NOK', 'USD', 'EUR'], ['ABCD', 'AAPL', 'QQQ']), 2)) {
      const mem = predictInMemory(fitted.model, doc.text, DEFAULT_CONSISTENCY, fitted.known);
      const file = await model.predict(doc.text);
      expect(file.map((e) => [e.offset, e.length, e.category])).toEqual(mem.map((e) => [e.offset, e.length, e.category]));
      file.forEach((e, i) => expect(e.confidenceScore).toBeCloseTo(mem[i].confidenceScore, 3));
      found += file.filter((e) => doc.spans.some((s) => s.offset === e.offset && s.length === e.length && s.category === e.category)).length;
    }
    expect(found).toBeGreaterThan(25);
    await model.release();
    // damaged pairs, and pairs in a version 2 file, are refused
    const edit = (from: string, to: string) => {
      const at = Buffer.from(onnx).indexOf(from);
      expect(at).toBeGreaterThan(0);
      const out = onnx.slice();
      out.set(Buffer.from(to), at);
      return out;
    };
    expect(await rejection(edit(`"pairs":[[${U(1)},${U(0)},`, `"pairs":[[${U(1)},0,`))).toMatch(/damaged.*pairs\[0\] is not \[from, to, w\]/);
    expect(await rejection(editMetadata(onnx, 'cner.formatVersion', '3', '2'))).toMatch(/damaged.*corrected cross pairs in a version 2 file/);
    // files written with pairs the loader refuses, each named
    const cross = fitted.model.params.cross!;
    const withPairs = (from: number[], to: number[], w: number[]) =>
      exportModel({ ...fitted, model: { ...fitted.model, params: { ...fitted.model.params, cross: { ...cross, pairs: { from: Int32Array.from(from), to: Int32Array.from(to), w: Float64Array.from(w) } } } } }, settings);
    const refused: Array<[number[], number[], number[], RegExp]> = [
      [[U(1)], [U(0)], [-0.5], /pairs\[0\]'s w is not a number from 0 to 100/],
      [[U(1)], [U(0)], [101], /pairs\[0\]'s w is not a number from 0 to 100/],
      [[U(1)], [U(1)], [1], /pairs\[0\] is not \[from, to, w\] with from → to a cross-category pair of 9 labels/],
      [[9], [U(0)], [1], /pairs\[0\] is not \[from, to, w\]/],
      [[U(1), U(0)], [U(0), U(1)], [1, 1], /pairs\[1\] is out of order or repeated/],
      [[U(0), U(0)], [U(1), U(1)], [1, 1], /pairs\[1\] is out of order or repeated/],
    ];
    for (const [from, to, w, message] of refused) expect(await rejection(withPairs(from, to, w))).toMatch(message);
    await (await loadModel(withPairs([U(0), U(1)], [U(1), U(0)], [0, 100]))).release();
  });

  it('tells categories apart by a word several tokens back (far context), stores it as format 4 and predicts alike from the file', async () => {
    // "… arrive in the old port on monday": the day is an ArrivalDay or a DepartureDay, and only the verb 3–7 tokens
    // back says which: the ±2 window sees "on" and a filler word either way
    const FILLER = ['the', 'old', 'port', 'city', 'north', 'harbour', 'small', 'main'];
    const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
    const trips = (n: number, seed: number): LabelledDocument[] => {
      const r = prng(seed);
      const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)];
      return Array.from({ length: n }, (_, d) => {
        let text = '';
        const spans: LabelledDocument['spans'] = [];
        for (let q = 0; q < 4; q++) {
          const arrive = r() < 0.5;
          // half the sentences open with words that leave the far window before the day
          const words = [...(r() < 0.5 ? ['after the long meeting with the whole team'] : []), arrive ? 'we arrive in' : 'we depart from'];
          for (let f = 1 + Math.floor(r() * 4); f > 0; f--) words.push(pick(FILLER));
          const day = pick(DAYS);
          const head = `${words.join(' ')} on `;
          spans.push({ offset: text.length + head.length, length: day.length, category: arrive ? 'ArrivalDay' : 'DepartureDay' });
          text += `${head}${day} .\n`;
        }
        return { id: `trip${d}.txt`, text, spans };
      });
    };
    const cats = ['ArrivalDay', 'DepartureDay'];
    const near = { ...DEFAULT_ENGINE, features: { ...DEFAULT_ENGINE.features, farContext: undefined } };
    const train = trips(30, 1);
    const test = trips(20, 2);
    const right = (predict: (text: string) => Array<{ offset: number; length: number; category: string }>) => {
      let n = 0;
      for (const doc of test) for (const e of predict(doc.text)) n += doc.spans.some((s) => s.offset === e.offset && s.length === e.length && s.category === e.category) ? 1 : 0;
      return n;
    };
    const fitted = fitDocuments(train, { categories: cats, seed: 1 });
    const withoutFar = fitDocuments(train, { categories: cats, seed: 1 }, near);
    // 80 days to find: with far context nearly all, without it about half (a guess)
    expect(right((t) => predictInMemory(fitted.model, t, DEFAULT_CONSISTENCY, fitted.known))).toBeGreaterThanOrEqual(76);
    expect(right((t) => predictInMemory(withoutFar.model, t, DEFAULT_CONSISTENCY, withoutFar.known))).toBeLessThan(60);
    // the file: version 4, the same entities and scores as in memory (the far bags summed over each token's window)
    const onnx = exportModel(fitted);
    const md = readOnnxMetadata(onnx);
    expect(md['cner.formatVersion']).toBe('4');
    expect(JSON.parse(md['cner.features']).farContext).toEqual({ from: 3, to: 8, bits: 12 });
    expect(readOnnxMetadata(exportModel(withoutFar, near))['cner.formatVersion']).toBe('2');
    const model = await loadModel(onnx);
    for (const doc of test) {
      const mem = predictInMemory(fitted.model, doc.text, DEFAULT_CONSISTENCY, fitted.known);
      const file = await model.predict(doc.text);
      expect(file.map((e) => [e.offset, e.length, e.category])).toEqual(mem.map((e) => [e.offset, e.length, e.category]));
      file.forEach((e, i) => expect(e.confidenceScore).toBeCloseTo(mem[i].confidenceScore, 3));
    }
    await model.release();
    // far context in an older version's file, or not as the engine reads it, is refused
    expect(await rejection(editMetadata(onnx, 'cner.formatVersion', '4', '3'))).toMatch(/damaged.*far context in a version 3 file/);
    const features = md['cner.features'];
    const damaged = (from: string, to: string) => {
      expect(features).toContain(from);
      return editMetadata(onnx, 'cner.features', features, features.replace(from, to));
    };
    const refused: Array<[string, string]> = [
      ['"from":3,', '"from":0,'], ['"from":3,', '"from":9,'], ['"to":8,', '"to":2,'], ['"bits":12', '"bits":17'], ['"bits":12', '"bits":-1'], ['"bits":12', '"bits":""'],
    ];
    for (const [from, to] of refused) expect(await rejection(damaged(from, to))).toMatch(/damaged.*far context is not \{from, to, bits\}/);
    expect(await rejection(editMetadata(onnx, 'cner.formatVersion', '4', '2'))).toMatch(/damaged.*far context in a version 2 file/);
    const withFar = (farContext: unknown) => ({ ...DEFAULT_ENGINE, features: { ...DEFAULT_ENGINE.features, farContext: farContext as { from: number; to: number; bits: number } } });
    expect(await rejection(exportModel(fitted, withFar({ from: 3, to: 8, bits: 12.5 })))).toMatch(/damaged.*far context is not/);
    // and training refuses settings a file could not be read back with
    for (const bad of [{ from: 3, to: 40, bits: 12 }, { from: 0, to: 8, bits: 12 }, { from: 5, to: 4, bits: 12 }, { from: 3, to: 8, bits: 0 }])
      expect(() => fitDocuments(train, { categories: cats, seed: 1 }, withFar(bad))).toThrow(/engine settings: far context is not/);
    // the far features learn at their own rate: at 0 they stay at 0, at the default they do not
    const farWeights = (f: typeof fitted) => {
      const far = f.model.extractor.farFeatures();
      const rows = new Int32Array(far.hA.length);
      f.model.dict.getAll(far.hA, far.hB, rows);
      const L = f.model.labels.size;
      return [...rows].filter((r) => r >= 0).flatMap((r) => [...f.model.params.W.subarray(r * L, (r + 1) * L)]);
    };
    const frozen = fitDocuments(train, { categories: cats, seed: 1 }, { ...DEFAULT_ENGINE, trainer: { ...DEFAULT_ENGINE.trainer, farContextRate: 0 } });
    expect(farWeights(frozen).length).toBeGreaterThan(0);
    expect(farWeights(frozen).every((w) => w === 0)).toBe(true);
    expect(farWeights(fitted).some((w) => w !== 0)).toBe(true);
  });

  it('carries the built-in English clusters as tables next to the weights, not in the metadata', async () => {
    const { onnx } = await trainModel(makeDocs(8, 10), { categories, seed: 1 });
    const file = readEmissionModel(onnx);
    const english = englishLexicon();
    expect(JSON.parse(file.metadata['cner.pretrainedClusters'])).toEqual({ bits: english.bits });
    const hashes = tensorValues(file.tensors.get('cner.pretrainedClusters.hashes'), 'hashes', DataType.UINT32, Uint32Array);
    const paths = tensorValues(file.tensors.get('cner.pretrainedClusters.paths'), 'paths', DataType.UINT16, Uint16Array);
    expect(hashes.length).toBe(english.size);
    expect(Buffer.from(hashes.buffer, hashes.byteOffset, hashes.byteLength).equals(Buffer.from(english.hashes.buffer, english.hashes.byteOffset, english.hashes.byteLength))).toBe(true);
    expect(Buffer.from(paths.buffer, paths.byteOffset, paths.byteLength).equals(Buffer.from(english.paths.buffer, english.paths.byteOffset, english.paths.byteLength))).toBe(true);
    // metadata is only settings now: what onnxruntime and the JSON parser see stays small
    expect(Object.values(file.metadata).reduce((n, v) => n + v.length, 0)).toBeLessThan(20_000);
    expect(file.runtimeModel.length).toBeLessThan(50_000);
  });

  const rejection = async (bytes: Uint8Array) => {
    const err = await loadModel(bytes).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('VALIDATION_FAILED');
    return (err as DomainError).message;
  };

  /** `bytes` with the metadata value of `key` replaced by one of the same length. */
  function editMetadata(bytes: Uint8Array, key: string, from: string, to: string): Uint8Array {
    const needle = Buffer.concat([Buffer.from(key), Buffer.from([0x12, from.length]), Buffer.from(from)]);
    const at = Buffer.from(bytes).indexOf(needle);
    expect(at).toBeGreaterThan(0);
    const out = bytes.slice();
    out.set(Buffer.from(to), at + key.length + 2);
    return out;
  }

  it('rejects a file that is not a model, a damaged one and another format version with VALIDATION_FAILED', async () => {
    expect(await rejection(new Uint8Array([1, 2, 3]))).toMatch(/not a loadable ONNX model/);
    const { onnx } = await trainModel(makeDocs(8, 11), { categories, seed: 1 });
    expect(await rejection(onnx.subarray(0, onnx.length - 40))).toMatch(/not a loadable ONNX model/);
    // a file of an earlier layout is named as such, before anything else of it is read
    expect(readOnnxMetadata(onnx)['cner.formatVersion']).toBe(MODEL_FORMAT_VERSION);
    expect(await rejection(editMetadata(onnx, 'cner.formatVersion', MODEL_FORMAT_VERSION, '1'))).toBe(
      `The model's format version is 1; this engine reads versions 2, 3 and ${MODEL_FORMAT_VERSION}.`,
    );
    expect(await rejection(editMetadata(onnx, 'cner.pretrainedClusters', '{"bits":16}', '{"bits":99}'))).toMatch(/damaged.*1 to 16 bits, got 99/);
    // the unedited file loads
    await (await loadModel(onnx)).release();
  });
});

describe('cuckoo placement', () => {
  it('leaves out the row being placed when no place is found, never a more important one it displaced', () => {
    // rows 0, 1, 2 (in that order of importance) all want buckets 0 and 1: row 2 cannot be placed
    const occupant = new Int32Array(4).fill(-1);
    expect(cuckooPlace([0, 1, 2], [0, 0, 0], [1, 1, 1], occupant)).toBe(1);
    expect([...occupant].filter((r) => r >= 0).sort()).toEqual([0, 1]);
    // a longer chain: rows 3 and 4 move others around before one of them is left out
    const occ = new Int32Array(3).fill(-1);
    expect(cuckooPlace([0, 1, 2, 3], [0, 1, 0, 2], [1, 2, 2, 0], occ)).toBe(1);
    expect([...occ].sort()).toEqual([0, 1, 2]);
    // room for all, after moves: nothing left out
    const roomy = new Int32Array(4).fill(-1);
    expect(cuckooPlace([0, 1, 2, 3], [0, 0, 1, 2], [1, 2, 3, 3], roomy)).toBe(0);
    expect([...roomy].sort()).toEqual([0, 1, 2, 3]);
  });
});
