import { describe, expect, it } from 'vitest';
import { adagradNonNegative, DISALLOWED, expNonPositive, initialScores, isCrossPair, Lattice, materializeCross, prng, trainCrf, viterbi, type ChainScores, type CrossFactors } from '../../../lib/ner/crf.js';
import { LabelSet } from '../../../lib/ner/labels.js';
import { DEFAULT_TRAINER, epochsFor } from '../../../lib/ner/model.js';

const labels = new LabelSet(['PER', 'ORG', 'LOC'], 'BILOU');
const L = labels.size;

/**
 * A random BILOU chain with factored cross pairs (and, with `pairs`, corrections on a few of them, one of w = 0), and
 * the same scores as a plain (unfactored) matrix.
 */
function randomChain(seed: number, pairs = false): { factored: ChainScores; plain: ChainScores } {
  const r = prng(seed);
  const c = initialScores(labels);
  for (let i = 0; i < L * L; i++) if (c.trans[i] > DISALLOWED) c.trans[i] = 2 * r() - 1;
  for (let i = 0; i < L; i++) {
    if (c.start[i] > DISALLOWED) c.start[i] = r() - 0.5;
    if (c.end[i] > DISALLOWED) c.end[i] = r() - 0.5;
  }
  const cross: CrossFactors = { u: Float64Array.from({ length: L }, () => 2 * r() - 1), v: Float64Array.from({ length: L }, () => 2 * r() - 1) };
  if (pairs) {
    // U-PER → U-ORG, L-PER → B-LOC, U-ORG → U-PER (w = 0), L-LOC → U-ORG: strong enough to change best paths
    const list = [['U-PER', 'U-ORG'], ['L-PER', 'B-LOC'], ['U-ORG', 'U-PER'], ['L-LOC', 'U-ORG']].map(([a, b]) => [labels.names.indexOf(a), labels.names.indexOf(b)]);
    list.sort((x, y) => x[0] * L + x[1] - (y[0] * L + y[1]));
    cross.pairs = {
      from: Int32Array.from(list, (x) => x[0]),
      to: Int32Array.from(list, (x) => x[1]),
      w: Float64Array.from(list, ([a]) => (a === labels.names.indexOf('U-ORG') ? 0 : 1 + 2 * r())),
    };
  }
  materializeCross(c.trans, L, cross);
  return { factored: { ...c, cross }, plain: { L, trans: Float64Array.from(c.trans), start: c.start, end: c.end } };
}

const randomEmissions = (n: number, seed: number) => {
  const r = prng(seed);
  return Float64Array.from({ length: n * L }, () => 3 * r() - 1.5);
};

/** Every allowed tag path of n tokens with its score: the oracle for small n. */
function allPaths(c: ChainScores, E: Float64Array, n: number): Array<{ tags: number[]; score: number }> {
  const out: Array<{ tags: number[]; score: number }> = [];
  const walk = (tags: number[], score: number) => {
    const t = tags.length;
    if (t === n) {
      if (c.end[tags[n - 1]] > DISALLOWED) out.push({ tags, score: score + c.end[tags[n - 1]] });
      return;
    }
    for (let y = 0; y < L; y++) {
      const tr = t === 0 ? c.start[y] : c.trans[tags[t - 1] * L + y];
      if (tr <= DISALLOWED) continue;
      walk([...tags, y], score + tr + E[t * L + y]);
    }
  };
  walk([], 0);
  return out;
}

describe('expNonPositive', () => {
  it('matches Math.exp to 1e-14 relative on [−708, 0], and underflows to 0', () => {
    const xs = [0, -1e-300, -1e-9, -0.5, -Math.LN2 / 64, -1, -10.25, -100, -700, -708];
    for (let i = 0; i < 5000; i++) xs.push(-i * 0.14159);
    for (const x of xs) {
      const want = Math.exp(x);
      expect(Math.abs(expNonPositive(x) - want)).toBeLessThanOrEqual(want * 1e-14);
    }
    // subnormal results keep their absolute accuracy
    expect(Math.abs(expNonPositive(-740) - Math.exp(-740))).toBeLessThan(1e-323);
    expect(expNonPositive(-800)).toBe(0);
    expect(expNonPositive(-1e6)).toBe(0);
    expect(expNonPositive(0)).toBe(1);
  });
});

describe('factored BILOU chain', () => {
  it('knows which pairs are cross-category entity → entity', () => {
    const t = (n: string) => labels.names.indexOf(n);
    expect(isCrossPair(t('L-PER'), t('B-ORG'))).toBe(true);
    expect(isCrossPair(t('U-PER'), t('U-LOC'))).toBe(true);
    expect(isCrossPair(t('U-PER'), t('B-PER'))).toBe(false);
    expect(isCrossPair(t('O'), t('B-ORG'))).toBe(false);
    expect(isCrossPair(t('B-PER'), t('I-PER'))).toBe(false);
    expect(isCrossPair(t('L-PER'), t('O'))).toBe(false);
  });

  it('gives the exact marginals, span probabilities and best path of brute-force enumeration', () => {
    for (const [seed, pairs] of [[1, false], [2, false], [3, false], [4, true], [5, true], [6, true]] as const) {
      const { factored } = randomChain(seed, pairs);
      const n = 4;
      const E = randomEmissions(n, seed + 10);
      const paths = allPaths(factored, E, n);
      const Z = paths.reduce((a, p) => a + Math.exp(p.score), 0);
      const lat = new Lattice(L);
      lat.setChain(factored);
      expect(lat.bilou).toBeDefined();
      lat.run(E, n);
      for (let t = 0; t < n; t++)
        for (let y = 0; y < L; y++) {
          const exact = paths.filter((p) => p.tags[t] === y).reduce((a, p) => a + Math.exp(p.score), 0) / Z;
          expect(lat.marginal(t, y)).toBeCloseTo(exact, 12);
        }
      const best = paths.reduce((a, p) => (p.score > a.score ? p : a));
      expect([...viterbi(E, n, factored, lat)]).toEqual(best.tags);
      expect([...viterbi(E, n, factored)]).toEqual(best.tags);
      // a cross pair inside the segment: U-PER then U-ORG at tokens 1..2
      const tags = [0, labels.tag('U', 0), labels.tag('U', 1), 0];
      const exactSeg = paths.filter((p) => p.tags[1] === tags[1] && p.tags[2] === tags[2]).reduce((a, p) => a + Math.exp(p.score), 0) / Z;
      expect(lat.segmentProbability(tags, 1, 2)).toBeCloseTo(exactSeg, 12);
    }
  });

  it('gives the same bits when the row maxima are handed in as when it computes them', () => {
    const { factored } = randomChain(8, true);
    const n = 30;
    const E = randomEmissions(n, 18);
    const rowMax = Float64Array.from({ length: n }, (_, t) => Math.max(...Array.from({ length: L }, (_, y) => E[t * L + y])));
    const a = new Lattice(L);
    const b = new Lattice(L);
    a.setChain(factored);
    b.setChain(factored);
    a.run(E, n);
    b.run(E, n, rowMax);
    const marginals = (x: Lattice) => Array.from({ length: n * L }, (_, i) => x.marginal(Math.floor(i / L), i % L));
    expect(marginals(b)).toEqual(marginals(a));
    // exponentials handed in are used as they are (E is then not read): those of other emissions give their marginals
    const E2 = randomEmissions(n, 19);
    const psi2 = Float64Array.from({ length: n * L }, (_, i) => Math.exp(E2[i] - Math.max(...Array.from({ length: L }, (_, y) => E2[Math.floor(i / L) * L + y]))));
    const d = new Lattice(L);
    d.setChain(factored);
    d.run(E2, n);
    b.run(E, n, rowMax, psi2);
    for (let i = 0; i < n * L; i++) expect(b.marginal(Math.floor(i / L), i % L)).toBeCloseTo(d.marginal(Math.floor(i / L), i % L), 12);
    expect(() => b.run(E, n, rowMax, psi2.subarray(1))).toThrow(/psi has/);
    // and the lattice's own are back for a run without them
    b.run(E, n, rowMax);
    expect(marginals(b)).toEqual(marginals(a));
    // what is handed in is used: another shift gives the same marginals but for rounding, which shows in the bits
    const c = new Lattice(L);
    c.setChain(factored);
    c.run(E, n, rowMax.map((m) => m + 1));
    expect(marginals(c)).not.toEqual(marginals(a));
  });

  it('agrees with the unfactored kernels on a long sequence, corrected pairs or not', () => {
    for (const pairs of [false, true]) {
      const { factored, plain } = randomChain(7, pairs);
      const n = 60;
      const E = randomEmissions(n, 8);
      const a = new Lattice(L);
      a.setChain(factored);
      const b = new Lattice(L);
      b.setChain(plain);
      expect(b.bilou).toBeUndefined();
      a.run(E, n);
      b.run(E, n);
      expect(a.logZShifted()).toBeCloseTo(b.logZShifted(), 9);
      for (let t = 0; t < n; t += 7) for (let y = 0; y < L; y++) expect(a.marginal(t, y)).toBeCloseTo(b.marginal(t, y), 12);
      expect([...viterbi(E, n, factored, a)]).toEqual([...viterbi(E, n, plain, b)]);
      // expected transition counts: the factors get the sums of their pairs' counts
      const gT = new Float64Array(L * L), gu = new Float64Array(L), gv = new Float64Array(L), gw = new Float64Array(4);
      const hT = new Float64Array(L * L), hu = new Float64Array(L), hv = new Float64Array(L);
      a.transitionExpectations(gT, gu, gv, gw);
      b.transitionExpectations(hT, hu, hv);
      // a corrected pair's own count is its pair's count
      const cp = factored.cross!.pairs;
      if (cp) for (let j = 0; j < 4; j++) expect(gw[j]).toBeCloseTo(hT[cp.from[j] * L + cp.to[j]], 10);
      else expect([...gw]).toEqual([0, 0, 0, 0]);
      const su = new Float64Array(L), sv = new Float64Array(L);
      for (let x = 0; x < L; x++)
        for (let y = 0; y < L; y++) {
          if (isCrossPair(x, y)) {
            expect(gT[x * L + y]).toBe(0);
            su[x] += hT[x * L + y];
            sv[y] += hT[x * L + y];
          } else expect(gT[x * L + y]).toBeCloseTo(hT[x * L + y], 10);
        }
      for (let x = 0; x < L; x++) {
        expect(gu[x]).toBeCloseTo(su[x], 10);
        expect(gv[x]).toBeCloseTo(sv[x], 10);
      }
      expect(su.some((x) => x > 0.01)).toBe(true);
    }
  });

  it('settles the best path from the marginals only when they prove it, and it is then the Viterbi path', () => {
    let settled = 0;
    let unsettled = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const { factored, plain } = randomChain(seed, seed % 2 === 0);
      const n = 3 + (seed % 9);
      // noise plus a planted allowed path, from barely to clearly favoured: some paths certain, some not
      const r = prng(seed + 1000);
      const E = Float64Array.from({ length: n * L }, () => 2 * r() - 1);
      const sharp = (seed % 7) * 2;
      for (let t = 0, prev = -1; t < n; t++) {
        const ok = [...Array(L).keys()].filter((y) => (t === 0 ? labels.allowedStart(y) : labels.allowed(prev, y)) && (t < n - 1 || labels.allowedEnd(y)));
        prev = ok[Math.floor(r() * ok.length)];
        E[t * L + prev] += sharp;
      }
      for (const chain of [factored, plain]) {
        const lat = new Lattice(L);
        lat.setChain(chain);
        lat.run(E, n);
        const path = lat.certainPath();
        if (path) {
          settled++;
          expect([...path]).toEqual([...viterbi(E, n, chain, lat)]);
          // the bound it checks: the path's probability is above one half
          let doubt = 0;
          for (let t = 0; t < n; t++) doubt += 1 - lat.marginal(t, path[t]);
          expect(doubt).toBeLessThan(0.45);
        } else unsettled++;
      }
    }
    expect(settled).toBeGreaterThan(100);
    expect(unsettled).toBeGreaterThan(100);
  });

  it('refuses, before allocating, tables over the 4 GiB a WebAssembly memory holds', () => {
    const seqs = [{ n: 1, offsets: Int32Array.from([0, 1]), ids: Int32Array.from([0]), tags: Int32Array.from([0]) }];
    expect(() => trainCrf(seqs, 50_000_000, labels, { epochs: 1, eta: 0.1, l2: 0, seed: 1, average: true })).toThrow(/50000000 features × 13 labels need \d+ MiB of tables, over the 4 GiB/);
  });

  it('trains factored cross transitions deterministically, and learns them from data', () => {
    // "Alice Corp" read as U-PER U-ORG: a cross pair the data insists on
    const seqs = Array.from({ length: 30 }, (_, i) => ({
      n: 3,
      offsets: Int32Array.from([0, 1, 2, 3]),
      ids: Int32Array.from([0, 1, 2 + (i % 2)]),
      tags: Int32Array.from([labels.tag('U', 0), labels.tag('U', 1), 0]),
    }));
    const opts = { epochs: 5, eta: 0.1, l2: 0, seed: 3, average: true, factorCross: true };
    const p1 = trainCrf(seqs, 4, labels, opts);
    const p2 = trainCrf(seqs, 4, labels, opts);
    expect(p1.cross).toBeDefined();
    expect([...p1.cross!.u]).toEqual([...p2.cross!.u]);
    expect([...p1.trans]).toEqual([...p2.trans]);
    const a = labels.tag('U', 0), b = labels.tag('U', 1);
    // the one cross pair of the gold paths gets a correction: u + v + w, w > 0
    const pairs = p1.cross!.pairs!;
    expect([...pairs.from, ...pairs.to]).toEqual([a, b]);
    expect([...p2.cross!.pairs!.w]).toEqual([...pairs.w]);
    expect(pairs.w[0]).toBeGreaterThan(0);
    expect(p1.trans[a * L + b]).toBeCloseTo(p1.cross!.u[a] + p1.cross!.v[b] + pairs.w[0], 12);
    expect(p1.cross!.u[a]).toBeGreaterThan(0);
    expect(p1.cross!.v[b]).toBeGreaterThan(0);
    expect([...viterbi(new Float64Array(3 * L), 3, p1)]).toEqual([a, b, 0]);
    // a corrected pair that an unfactored chain scores alike: the same marginals
    const E = randomEmissions(3, 4);
    const f = new Lattice(L);
    f.setChain(p1);
    f.run(E, 3);
    const g = new Lattice(L);
    g.setChain({ L, trans: p1.trans, start: p1.start, end: p1.end });
    g.run(E, 3);
    for (let y = 0; y < L; y++) expect(f.marginal(1, y)).toBeCloseTo(g.marginal(1, y), 12);
    // corrections below minPairCorrection are dropped when training ends, and the matrix holds u + v there again
    const pruned = trainCrf(seqs, 4, labels, { ...opts, minPairCorrection: pairs.w[0] + 1e-9 });
    expect(pruned.cross!.pairs).toBeUndefined();
    expect(pruned.trans[a * L + b]).toBe(pruned.cross!.u[a] + pruned.cross!.v[b]);
    expect(trainCrf(seqs, 4, labels, { ...opts, minPairCorrection: pairs.w[0] }).cross!.pairs!.w[0]).toBe(pairs.w[0]);
    // the averaged correction is the mean of the iterates (one sequence: epoch k ends at iterate k; iterate 0 is 0)
    const one = [seqs[0]];
    const N = 6;
    const iterates = [0];
    for (let k = 1; k <= N; k++) iterates.push(trainCrf(one, 4, labels, { ...opts, epochs: k, average: false }).cross!.pairs!.w[0]);
    expect(iterates[N]).toBeGreaterThan(iterates[1]);
    const averaged = trainCrf(one, 4, labels, { ...opts, epochs: N }).cross!.pairs!.w[0];
    expect(averaged).toBeCloseTo(iterates.reduce((x, y) => x + y) / (N + 1), 12);
    // the loss a pass reports is log Z − the gold path's score under the scores of that moment, corrections included
    const losses: number[] = [];
    trainCrf(one, 4, labels, { ...opts, epochs: 2, average: false, onEpoch: (_e, loss) => losses.push(loss) });
    const after1 = trainCrf(one, 4, labels, { ...opts, epochs: 1, average: false });
    const s0 = one[0];
    const E1 = new Float64Array(s0.n * L);
    for (let t = 0; t < s0.n; t++) for (let k = s0.offsets[t]; k < s0.offsets[t + 1]; k++) for (let y = 0; y < L; y++) E1[t * L + y] += after1.W[s0.ids[k] * L + y];
    const lat1 = new Lattice(L);
    lat1.setChain(after1);
    lat1.run(E1, s0.n);
    let logZ = lat1.logZShifted();
    let gold = after1.start[s0.tags[0]] + after1.end[s0.tags[s0.n - 1]];
    for (let t = 0; t < s0.n; t++) {
      logZ += Math.max(...E1.subarray(t * L, t * L + L));
      gold += E1[t * L + s0.tags[t]] + (t > 0 ? after1.trans[s0.tags[t - 1] * L + s0.tags[t]] : 0);
    }
    expect(after1.cross!.pairs!.w[0]).toBeGreaterThan(0.01);
    expect(losses[1]).toBeCloseTo(logZ - gold, 9);
    // no cross pair in the gold paths: no corrections
    const plainSeqs = seqs.map((s) => ({ ...s, tags: Int32Array.from([labels.tag('U', 0), 0, 0]) }));
    expect(trainCrf(plainSeqs, 4, labels, opts).cross!.pairs).toBeUndefined();
  });
});

describe('row rates', () => {
  it('scale the steps of each feature row: all 1 is no rates, 0 freezes a row, ½ halves a first step', () => {
    const seqs = Array.from({ length: 12 }, (_, i) => ({
      n: 3,
      offsets: Int32Array.from([0, 2, 3, 4]),
      ids: Int32Array.from([0, 3, 1, 2 + (i % 2)]),
      tags: Int32Array.from([labels.tag('U', 0), 0, labels.tag('U', 1)]),
    }));
    const opts = { epochs: 3, eta: 0.1, l2: 1e-3, seed: 3, average: true, factorCross: true, labelGroups: [Int32Array.from(labels.names, (_, y) => (y === 0 ? 2 : labels.categoryOf(y)))] };
    const L = labels.size;
    const row = (W: Float64Array, r: number) => [...W.subarray(r * L, (r + 1) * L)];
    const plain = trainCrf(seqs, 4, labels, opts);
    expect([...trainCrf(seqs, 4, labels, { ...opts, rowRates: new Float32Array(4).fill(1) }).W]).toEqual([...plain.W]);
    const frozen = trainCrf(seqs, 4, labels, { ...opts, rowRates: Float32Array.from([1, 1, 1, 0]) });
    expect(row(frozen.W, 3).every((w) => w === 0)).toBe(true);
    expect(row(plain.W, 3).some((w) => w !== 0)).toBe(true);
    expect(row(frozen.W, 0).some((w) => w !== 0)).toBe(true);
    // one update from zero weights: the same gradient, half the step
    const first = { ...opts, epochs: 1, average: false, labelGroups: undefined };
    const one = seqs.slice(0, 1);
    const full = trainCrf(one, 4, labels, first);
    const half = trainCrf(one, 4, labels, { ...first, rowRates: Float32Array.from([1, 1, 1, 0.5]) });
    expect(row(half.W, 3)).toEqual(row(full.W, 3).map((w) => w / 2));
    expect(row(half.W, 0)).toEqual(row(full.W, 0));
    expect(() => trainCrf(seqs, 4, labels, { ...opts, rowRates: new Float32Array(3) })).toThrow(/rowRates has 3 rates for 4 features/);
  });
});

describe('adagradNonNegative', () => {
  it('keeps x ≥ 0, and x − U/step stays the mean of the iterates when steps are cut at 0', () => {
    const r = prng(11);
    const x = new Float64Array(1), G = new Float64Array(1), U = new Float64Array(1);
    const iterates = [0];
    let cut = 0;
    for (let step = 1; step <= 200; step++) {
      // gradients that push x up, then down through 0 repeatedly
      const g = (step % 40 < 10 ? -1 : 1) * (0.5 + r());
      const before = x[0];
      adagradNonNegative(x, G, U, 0, g, 0.3, step);
      if (before > 0 && x[0] === 0) cut++; // (a step that ends exactly at 0 unprojected has probability 0)
      expect(x[0]).toBeGreaterThanOrEqual(0);
      iterates.push(x[0]);
    }
    expect(cut).toBeGreaterThan(3);
    expect(x[0] - U[0] / 201).toBeCloseTo(iterates.reduce((a, b) => a + b) / iterates.length, 12);
  });
});

describe('epochsFor', () => {
  it('gives small training sets more passes, up to the cap, and large ones the base count', () => {
    const t = { epochs: 5, minUpdates: 40_000, maxEpochs: 15 };
    expect(epochsFor(t, 100_000)).toBe(5);
    expect(epochsFor(t, 8_000)).toBe(5);
    expect(epochsFor(t, 7_110)).toBe(6);
    expect(epochsFor(t, 4_000)).toBe(10);
    expect(epochsFor(t, 3_546)).toBe(12);
    expect(epochsFor(t, 1_000)).toBe(15);
    expect(epochsFor(t, 0)).toBe(5);
    expect(epochsFor(DEFAULT_TRAINER, 2_000)).toBe(15);
  });
});
