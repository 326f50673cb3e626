import { describe, expect, it } from 'vitest';
import { learnClusters, randomSigns, DEFAULT_CLUSTERS } from '../../../lib/ner/clusters.js';
import { lowerHash } from '../../../lib/ner/features.js';
import { decodeLexicon, encodeLexicon, englishLexicon, Lexicon } from '../../../lib/ner/lexicon.js';
import { prng } from '../../../lib/ner/crf.js';

const h = (w: string) => lowerHash(w, 0, w.length);

describe('word clusters learned from project text', () => {
  it('puts words used in the same contexts under the same top-level branch', () => {
    const r = prng(3);
    const pick = (a: string[]) => a[Math.floor(r() * a.length)];
    const tickers = ['aapl', 'msft', 'goog', 'amzn', 'tsla', 'nvda', ...Array.from({ length: 30 }, (_, i) => `tk${i}x`)];
    const cities = ['paris', 'london', 'berlin', 'madrid', 'rome', 'vienna', ...Array.from({ length: 30 }, (_, i) => `city${i}`)];
    const lines: string[] = [];
    for (let i = 0; i < 6000; i++) {
      lines.push(i % 2 ? `shares of ${pick(tickers)} rose sharply today` : `she flew to ${pick(cities)} last summer again`);
    }
    const lx = learnClusters([lines.join('\n')], DEFAULT_CLUSTERS, 1)!;
    const top = (w: string) => lx.lookup(h(w)) >>> (lx.bits - 2);
    for (const t of tickers) expect(top(t)).toBe(top('aapl'));
    for (const c of cities) expect(top(c)).toBe(top('paris'));
    expect(top('aapl')).not.toBe(top('paris'));
    expect(lx.lookup(h('never-seen'))).toBe(-1);
  });

  it('says nothing when there is too little text', () => {
    expect(learnClusters(['a few words only'], DEFAULT_CLUSTERS, 1)).toBeUndefined();
  });
});

describe('lexicons', () => {
  it('round-trip through their binary form and answer lookups', () => {
    const entries: Array<[number, number]> = [[h('b'), 7], [h('a'), 3], [h('c'), 65535]];
    const lx = decodeLexicon(encodeLexicon(16, entries));
    expect(lx).toBeInstanceOf(Lexicon);
    expect(lx.lookup(h('a'))).toBe(3);
    expect(lx.lookup(h('c'))).toBe(65535);
    expect(lx.lookup(h('zz'))).toBe(-1);
    expect(() => decodeLexicon(new Uint8Array(20))).toThrow(/not a lexicon/);
  });

  it('finds every key and no other, whether the keys are uniform hashes or bunched', () => {
    const r = prng(21);
    const uniform = Array.from({ length: 5000 }, () => Math.floor(r() * 2 ** 32));
    const bunched = Array.from({ length: 5000 }, (_, i) => (i < 4990 ? 1000 + 3 * i : 2 ** 32 - 1 - i));
    for (const keys of [uniform, bunched, [0], [2 ** 32 - 1], [5, 6]]) {
      const lx = Lexicon.fromEntries(16, keys.map((k, i) => [k, i % 65536] as [number, number]));
      const want = new Map<number, number>();
      for (let i = 0; i < lx.size; i++) want.set(lx.hashes[i], lx.paths[i]);
      for (const k of keys) expect(lx.lookup(k)).toBe(want.get(k));
      for (const k of [...keys.map((x) => x + 1), ...keys.map((x) => x - 1), 0, 1, 2 ** 32 - 1, 2 ** 31]) {
        const got = lx.lookup(k);
        if (got !== (want.get(k) ?? -1)) expect(got).toBe(want.get(k) ?? -1);
      }
    }
    expect(Lexicon.fromEntries(16, []).lookup(5)).toBe(-1);
    // a table read from a file is not checked for duplicates: the search still finds their path
    const dup = new Lexicon(16, Uint32Array.from([5, 5, 9]), Uint16Array.from([7, 7, 1]));
    expect([dup.lookup(5), dup.lookup(9), dup.lookup(6)]).toEqual([7, 1, -1]);
    expect(new Lexicon(16, Uint32Array.from([5, 5]), Uint16Array.from([7, 7])).lookup(5)).toBe(7);
  });

  it('ships English clusters in which related words share fine clusters', () => {
    const lx = englishLexicon();
    expect(lx.size).toBeGreaterThan(300_000);
    const at = (w: string, bits: number) => lx.lookup(h(w)) >>> (16 - bits);
    expect(at('physics', 12)).toBe(at('chemistry', 12));
    expect(at('harvard', 12)).toBe(at('yale', 12));
    expect(at('physics', 12)).not.toBe(at('harvard', 12));
  });

  it('draws its random signs as prng does', () => {
    for (const seed of [1, 0x5eed, 0xffffffff]) {
      const r = prng(seed);
      const expected = Int8Array.from({ length: 5000 }, () => (r() < 0.5 ? -1 : 1));
      expect(randomSigns(5000, seed)).toEqual(expected);
    }
  });
});
