import { describe, expect, it } from 'vitest';
import { buildGazetteer, DEFAULT_FEATURES, FeatureExtractor, lowerHash, type FeatureSettings } from '../../../lib/ner/features.js';
import { encodeLexicon, decodeLexicon, englishLexicon } from '../../../lib/ner/lexicon.js';
import { prepareText } from '../../../lib/ner/prepare.js';

const h = (w: string) => lowerHash(w, 0, w.length);

const TEXT = [
  'Marie Curie won the Nobel Prize in Physics in 1903 , with Pierre Curie .',
  'X',
  'Hi !',
  'The CRISPR-Cas9 system (see Fig. 3b) cuts DNA at 20-nt sites; e.g. EcoRI/HindIII.',
  'Ünïcödé wörds ÄÖÜ naïve café — 東京大学 and ＡＢＣ ۱۲۳ digits.',
  'QQQX and qqqx and Qqqx: the same lower-cased word, three shapes.',
  'New York Stock Exchange listed NVDA ; new york stock exchange again .',
].join('\n');

/** Each token's features as sorted "hA:hB" keys. */
function multisets(f: { n: number; offsets: Int32Array; hA: Uint32Array; hB: Uint32Array }): string[][] {
  const out: string[][] = [];
  for (let t = 0; t < f.n; t++) {
    const keys: string[] = [];
    for (let i = f.offsets[t]; i < f.offsets[t + 1]; i++) keys.push(`${f.hA[i]}:${f.hB[i]}`);
    out.push(keys.sort());
  }
  return out;
}

/**
 * The same multisets, built from each window token's bags (edge bags beyond the ends), the far bags of the tokens a
 * few back, and the gazetteer features.
 */
function fromBags(x: FeatureExtractor, text: string, starts: number[], ends: number[]): string[][] {
  const n = starts.length;
  const bags = starts.map((s, k) => {
    const b = x.newBags();
    x.tokenBags(text, s, ends[k], b);
    return b;
  });
  const edge = x.newBags();
  x.edgeBags(edge);
  const gaz = x.gazetteerFeatures(bags.map((b) => b.lower), n);
  const R = x.radius;
  const out: string[][] = [];
  for (let k = 0; k < n; k++) {
    const keys: string[] = [];
    for (let d = -R; d <= R; d++) {
      const b = k + d < 0 || k + d >= n ? edge : bags[k + d];
      for (let i = d === -R ? 0 : b.ends[d + R - 1]; i < b.ends[d + R]; i++) keys.push(`${b.hA[i]}:${b.hB[i]}`);
    }
    const far = x.settings.farContext;
    for (let j = Math.max(0, k - (far?.to ?? 0)); far && j <= k - far.from; j++) {
      const b = bags[j];
      for (let i = b.ends[2 * R]; i < b.ends[2 * R + 1]; i++) keys.push(`${b.hA[i]}:${b.hB[i]}`);
    }
    if (gaz) for (let i = gaz.offsets[k]; i < gaz.offsets[k + 1]; i++) keys.push(`${gaz.hA[i]}:${gaz.hB[i]}`);
    out.push(keys.sort());
  }
  return out;
}

describe('token bags', () => {
  const own = decodeLexicon(encodeLexicon(16, [[h('qqqx'), 0x1234], [h('crispr-cas9'), 0xfff0], [h('ecori/hindiii'), 7]]));
  const gazetteer = buildGazetteer([
    { hashes: ['new', 'york', 'stock', 'exchange'].map(h), category: 0 },
    { hashes: ['new', 'york'].map(h), category: 1 },
    { hashes: ['york'].map(h), category: 1 },
    { hashes: [h('nvda')], category: 2 },
    { hashes: ['marie', 'curie'].map(h), category: 3 },
  ]);
  const variants: Array<[string, FeatureSettings, boolean]> = [
    ['default settings, both cluster tables and a gazetteer', DEFAULT_FEATURES, true],
    ['far context from the next token on, 16 bits', { ...DEFAULT_FEATURES, farContext: { from: 1, to: 4, bits: 16 } }, true],
    ['no far context', { ...DEFAULT_FEATURES, farContext: undefined }, true],
    ['window 1, character n-grams, no clusters', { ...DEFAULT_FEATURES, window: 1, charNgram: 3, clusterPrefixes: [] }, false],
    ['window 0', { ...DEFAULT_FEATURES, window: 0, affixes: 2 }, true],
    ['window 3', { ...DEFAULT_FEATURES, window: 3 }, false],
  ];

  it.each(variants)('give each token exactly the features extract gives it (%s)', (_name, settings, aux) => {
    const x = aux ? new FeatureExtractor(settings, own, gazetteer, englishLexicon()) : new FeatureExtractor(settings);
    const seqs = prepareText(TEXT);
    expect(seqs.some((s) => s.starts.length === 1)).toBe(true);
    let gazetteerTokens = 0;
    for (const s of seqs) {
      const expected = multisets(x.extract(s.text, s.starts, s.ends));
      expect(fromBags(x, s.text, s.starts, s.ends)).toEqual(expected);
      const g = x.gazetteerFeatures(s.starts.map((st, k) => lowerHash(s.text, st, s.ends[k])), s.starts.length);
      if (g) for (let k = 0; k < g.n; k++) if (g.offsets[k + 1] > g.offsets[k]) gazetteerTokens++;
    }
    // the gazetteer did match (both case variants of "new york stock exchange", NVDA, Marie Curie)
    expect(gazetteerTokens).toBe(aux ? 11 : 0);
  });
});

describe('far context', () => {
  // "zzq…" words: unknown to both tables; "qqqx": the project's own clusters only; the rest: English words
  const own = decodeLexicon(encodeLexicon(16, [[h('qqqx'), 0xabcd], [h('flight'), 0x0001]]));
  const text = 'flight zzqa qqqx zzqb zzqc zzqd zzqe zzqf zzqg zzqh arrive';
  const { starts, ends } = prepareText(text)[0];
  const far = { from: 3, to: 5, bits: 12 };
  const with_ = new FeatureExtractor({ ...DEFAULT_FEATURES, farContext: far }, own, undefined, englishLexicon());
  const without = new FeatureExtractor({ ...DEFAULT_FEATURES, farContext: undefined }, own, undefined, englishLexicon());
  const a = multisets(with_.extract(text, starts, ends));
  const b = multisets(without.extract(text, starts, ends));
  /** The features token k has only with far context. */
  const extra = (k: number) => {
    const left = [...b[k]];
    return a[k].filter((key) => {
      const i = left.indexOf(key);
      if (i < 0) return true;
      left.splice(i, 1);
      return false;
    });
  };

  it('gives token k the cluster of each known word k − to .. k − from back, the pre-trained one first', () => {
    const english = englishLexicon();
    expect(english.lookup(h('flight'))).toBeGreaterThanOrEqual(0);
    expect(english.lookup(h('qqqx'))).toBe(-1);
    // tokens 0–2 reach nothing 3 back; 3–5 reach "flight" (token 0, pre-trained); 5–7 "qqqx" (token 2, own
    // clusters); zzq… give nothing
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((k) => extra(k).length)).toEqual([0, 0, 0, 1, 1, 2, 1, 1, 0, 0, 0]);
    // unpositioned: "flight" gives tokens 3, 4 and 5 the same feature
    expect(extra(3)).toEqual(extra(4).filter((key) => extra(3).includes(key)));
    expect(extra(5).filter((key) => extra(3).includes(key))).toHaveLength(1);
    // the English cluster, not the project's own entry for "flight"
    const ownOnly = new FeatureExtractor({ ...DEFAULT_FEATURES, farContext: far }, own);
    const c = multisets(ownOnly.extract(text, starts, ends));
    expect(c[3].filter((key) => !b[3].includes(key))).not.toEqual(extra(3));
  });

  it('lists every far feature it can give, for the trainer', () => {
    const all = with_.farFeatures();
    // 2^12 pre-trained prefixes and 2^12 own
    expect(all.hA.length).toBe(2 * 4096);
    const keys = new Set(Array.from(all.hA, (x, i) => `${x}:${all.hB[i]}`));
    for (let k = 0; k < a.length; k++) for (const key of extra(k)) expect(keys.has(key)).toBe(true);
    expect(without.farFeatures().hA.length).toBe(0);
    // the last value too: a path of all ones (only the project's clusters here)
    const top = new FeatureExtractor({ ...DEFAULT_FEATURES, farContext: far }, decodeLexicon(encodeLexicon(16, [[h('qqqx'), 0xffff]])));
    const listed = top.farFeatures();
    const listedKeys = new Set(Array.from(listed.hA, (x, i) => `${x}:${listed.hB[i]}`));
    const c = multisets(top.extract(text, starts, ends));
    const d = multisets(new FeatureExtractor({ ...DEFAULT_FEATURES, farContext: undefined }, decodeLexicon(encodeLexicon(16, [[h('qqqx'), 0xffff]]))).extract(text, starts, ends));
    const farOf5 = c[5].filter((key) => !d[5].includes(key));
    expect(farOf5).toHaveLength(1);
    expect(listedKeys.has(farOf5[0])).toBe(true);
  });
});
