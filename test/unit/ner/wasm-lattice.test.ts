import { describe, expect, it } from 'vitest';
import { adagradNonNegative, adagradScalar, DISALLOWED, expNonPositive, EXP_FRAC, EXP_INV_STEP, EXP_POW2, EXP_STEP_HI, EXP_STEP_LO, initialScores, isCrossPair, Lattice, materializeCross, prng, WasmForwardBackward, type ChainScores, type CrossFactors } from '../../../lib/ner/crf.js';
import { roundRowsToFloat16 } from '../../../lib/ner/onnx/float16.js';
import { LabelSet } from '../../../lib/ner/labels.js';
import { latticeKernels, latticeModuleBytes } from '../../../lib/ner/wasm-lattice.js';

/** A random factored BILOU chain over `categories` categories, with corrections on some cross pairs when `pairs`. */
function randomChain(categories: number, seed: number, pairs: boolean): ChainScores {
  const labels = new LabelSet(Array.from({ length: categories }, (_, i) => `C${i}`), 'BILOU');
  const L = labels.size;
  const r = prng(seed);
  const c = initialScores(labels);
  for (let i = 0; i < L * L; i++) if (c.trans[i] > DISALLOWED) c.trans[i] = 2 * r() - 1;
  for (let i = 0; i < L; i++) {
    if (c.start[i] > DISALLOWED) c.start[i] = r() - 0.5;
    if (c.end[i] > DISALLOWED) c.end[i] = r() - 0.5;
  }
  const cross: CrossFactors = { u: Float64Array.from({ length: L }, () => 2 * r() - 1), v: Float64Array.from({ length: L }, () => 2 * r() - 1) };
  if (pairs) {
    const from: number[] = [];
    const to: number[] = [];
    for (let a = 1; a < L; a++) for (let b = 1; b < L; b++) if (isCrossPair(a, b) && r() < 0.2) (from.push(a), to.push(b));
    cross.pairs = { from: Int32Array.from(from), to: Int32Array.from(to), w: Float64Array.from(from, () => 3 * r()) };
  }
  materializeCross(c.trans, L, cross);
  return { ...c, cross };
}

/** Bump allocator over a memory: float64 and int32 arrays at 16-byte aligned offsets. */
function arena(memory: WebAssembly.Memory) {
  let top = 16;
  const take = (bytes: number) => {
    const at = top;
    top = Math.ceil((top + bytes) / 16) * 16;
    return at;
  };
  return {
    f64: (n: number, from?: ArrayLike<number>) => {
      const a = new Float64Array(memory.buffer, take(8 * n), n);
      if (from) a.set(from);
      return a;
    },
    i32: (n: number, from?: ArrayLike<number>) => {
      const a = new Int32Array(memory.buffer, take(4 * n), n);
      if (from) a.set(from);
      return a;
    },
  };
}

const bits = (a: Float64Array) => Buffer.from(a.slice().buffer);

describe('WebAssembly lattice kernels', () => {
  it('validate as WebAssembly', () => {
    expect(WebAssembly.validate(latticeModuleBytes())).toBe(true);
  });

  it('give expNonPositive’s values for a row it would make NaN of, instead of trapping', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const m = arena(memory);
    const E = m.f64(3, [Infinity, 1, -Infinity]);
    const psi = m.f64(3), rowMax = m.f64(1), frac = m.f64(64, EXP_FRAC), pow2 = m.f64(EXP_POW2.length, EXP_POW2);
    latticeKernels(memory).psiRows(E.byteOffset, psi.byteOffset, rowMax.byteOffset, 1, 3, frac.byteOffset, pow2.byteOffset, EXP_INV_STEP, EXP_STEP_HI, EXP_STEP_LO);
    const want = [...E].map((x) => expNonPositive(x - Infinity));
    expect([...psi]).toEqual(want);
    expect(Number.isNaN(psi[0])).toBe(true);
  });

  it.each([
    [1, 1, false],
    [1, 7, true],
    [3, 1, true],
    [6, 23, true],
    [6, 23, false],
    [17, 40, true],
  ])('give the bits of Lattice: exponentials, forward-backward, expected transitions (%i categories, %i tokens, pairs %s)', (categories, n, pairs) => {
    const c = randomChain(categories, categories * 100 + n, pairs);
    const L = c.L;
    const r = prng(n + 7);
    // scores over a wide range, a row with a far-below value and a row of equal maxima
    const E = Float64Array.from({ length: n * L }, () => (r() - 0.5) * 30);
    if (n > 2) {
      E[L] = -1e4;
      for (let y = 0; y < L; y++) E[2 * L + y] = 1.5;
    }
    const lat = new Lattice(L);
    lat.setChain(c);
    lat.run(E, n);
    const gT = new Float64Array(L * L), gu = new Float64Array(L), gv = new Float64Array(L);
    const np = c.cross!.pairs?.w.length ?? 0;
    const gw = new Float64Array(np);
    lat.transitionExpectations(gT, gu, gv, gw);

    const memory = new WebAssembly.Memory({ initial: 16 });
    const k = latticeKernels(memory);
    const m = arena(memory);
    const bc = lat.bilou!;
    const K = (L - 1) >> 2;
    const e = m.f64(n * L, E), psi = m.f64(n * L), rowMax = m.f64(n), frac = m.f64(64, EXP_FRAC), pow2 = m.f64(EXP_POW2.length, EXP_POW2);
    const alpha = m.f64(n * L), beta = m.f64(n * L), scale = m.f64(n), start = m.f64(L, lat.expStart), end = m.f64(L, lat.expEnd);
    const X = m.f64(K * 16, bc.exp), pFrom = m.i32(Math.max(np, 1), bc.pFrom), pTo = m.i32(Math.max(np, 1), bc.pTo);
    const pExtra = m.f64(Math.max(np, 1), bc.pExtra), pExpUV = m.f64(Math.max(np, 1), bc.pExpUV);
    const w = m.f64(L), pre = m.f64(K), own = m.f64(K), preY = m.f64(2 * K);
    const wgT = m.f64(L * L), wgu = m.f64(L), wgv = m.f64(L), wgw = m.f64(Math.max(np, 1));
    k.psiRows(e.byteOffset, psi.byteOffset, rowMax.byteOffset, n, L, frac.byteOffset, pow2.byteOffset, EXP_INV_STEP, EXP_STEP_HI, EXP_STEP_LO);
    expect(bits(psi)).toEqual(bits(lat.psi.subarray(0, n * L)));
    for (let t = 0; t < n; t++) expect(rowMax[t]).toBe(Math.max(...E.subarray(t * L, t * L + L)));
    const Kz = k.forwardBackward(n, L, psi.byteOffset, alpha.byteOffset, beta.byteOffset, scale.byteOffset, start.byteOffset, end.byteOffset, X.byteOffset, bc.expOO, np, pFrom.byteOffset, pTo.byteOffset, pExtra.byteOffset, w.byteOffset, pre.byteOffset, own.byteOffset);
    expect(Kz).toBe(lat.K);
    expect(bits(alpha)).toEqual(bits(lat.alpha.subarray(0, n * L)));
    expect(bits(beta)).toEqual(bits(lat.beta.subarray(0, n * L)));
    expect(bits(scale)).toEqual(bits(lat.scale.subarray(0, n)));
    k.expectations(n, L, psi.byteOffset, alpha.byteOffset, beta.byteOffset, scale.byteOffset, Kz, X.byteOffset, bc.expOO, np, pFrom.byteOffset, pTo.byteOffset, pExtra.byteOffset, pExpUV.byteOffset, w.byteOffset, pre.byteOffset, own.byteOffset, preY.byteOffset, wgT.byteOffset, wgu.byteOffset, wgv.byteOffset, wgw.byteOffset);
    expect(bits(wgT)).toEqual(bits(gT));
    expect(bits(wgu)).toEqual(bits(gu));
    expect(bits(wgv)).toEqual(bits(gv));
    expect(bits(wgw.subarray(0, np))).toEqual(bits(gw));
    // the expectations are not all zero (the comparison means something)
    expect(gT.some((x) => x > 0)).toBe(n > 1);
  });
});

describe('WebAssembly finishing kernels', () => {
  it('fold in the averages and the groups, and round to float16 as roundRowsToFloat16 does', () => {
    const r = prng(11);
    const N = 41, L = 9, stride = 12, step = 777;
    const memory = new WebAssembly.Memory({ initial: 8 });
    const k = latticeKernels(memory);
    const m = arena(memory);
    const f32 = (n: number, scale: number) => {
      const a = new Float32Array(memory.buffer, m.f64(Math.ceil(n / 2)).byteOffset, n);
      for (let i = 0; i < n; i++) a[i] = Math.fround(scale * (r() - 0.5));
      return a;
    };
    for (const averaged of [true, false]) {
      const W = f32(N * stride, 8), UW = f32(N * stride, 8000);
      // an optional table is absent only at −1: an offset past 2 GiB (an i32 below 0) is a table, here out of bounds
      expect(() => k.finishBase(W.byteOffset, 2 ** 31 + 64, stride, L, N, step, m.f64(1).byteOffset)).toThrow(WebAssembly.RuntimeError);
      // values float16 rounds in every way: subnormal, tiny (to ±0), beyond its range (to ±Infinity), exact ties
      const edge = [3e-6, -3e-6, 1e-9, -1e-9, 70000, -70000, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 2 ** -24 * 1.5, 0, -0];
      edge.forEach((x, j) => (W[j * stride + (j % L)] = x));
      const groups: Array<{ of: Int32Array; size: number; stride: number; W: Float32Array; U: Float32Array }> = [
        { of: Int32Array.from({ length: L }, (_, y) => y % 3), size: 3, stride: 4 },
        { of: Int32Array.from({ length: L }, (_, y) => (y * 7) % 5), size: 5, stride: 8 },
      ].map(({ of, size, stride: gs }) => ({ of, size, stride: gs, W: f32(N * gs, 4), U: f32(N * gs, 400) }));
      // W − UW/step and each group's W − U/step (the mean iterates), the groups folded in, in float64
      const want = new Float64Array(N * L);
      for (let f = 0; f < N; f++)
        for (let y = 0; y < L; y++) {
          let v = averaged ? W[f * stride + y] - UW[f * stride + y] / step : W[f * stride + y];
          for (const g of groups) {
            const c = f * g.stride + g.of[y];
            v += averaged ? g.W[c] - g.U[c] / step : g.W[c];
          }
          want[f * L + y] = v;
        }
      const out = m.f64(N * L);
      k.finishBase(W.byteOffset, averaged ? UW.byteOffset : -1, stride, L, N, step, out.byteOffset);
      for (const g of groups) {
        const of = m.i32(L, g.of);
        k.finishGroup(g.W.byteOffset, averaged ? g.U.byteOffset : -1, g.stride, of.byteOffset, L, N, step, out.byteOffset);
      }
      expect(bits(out)).toEqual(bits(want));
      // as the trainer runs it with averaging: the result written over GW and the UW right after it (each UW value is
      // read before the rows written reach it)
      if (averaged) {
        const region = m.f64((N * stride) / 2 + (N * stride) / 2 + N * L);
        const GW = new Float32Array(memory.buffer, region.byteOffset, N * stride);
        const UW2 = new Float32Array(memory.buffer, region.byteOffset + N * stride * 4, N * stride);
        UW2.set(UW);
        k.finishBase(W.byteOffset, UW2.byteOffset, stride, L, N, step, GW.byteOffset);
        for (const g of groups) k.finishGroup(g.W.byteOffset, g.U.byteOffset, g.stride, m.i32(L, g.of).byteOffset, L, N, step, GW.byteOffset);
        expect(bits(new Float64Array(memory.buffer, GW.byteOffset, N * L))).toEqual(bits(want));
      }
      // the rounding, on these sums and on the edge values themselves
      for (const values of [want, Float64Array.from({ length: N * L }, (_, i) => edge[i % edge.length] * (i % 3 === 0 ? 1 : -1))]) {
        const mem = m.f64(N * L, values);
        const norms = m.f64(N);
        const bits16 = new Uint16Array(memory.buffer, m.f64(Math.ceil((N * L) / 4)).byteOffset, N * L);
        const ref = Float64Array.from(values);
        const { bits: refBits, norms: refNorms } = roundRowsToFloat16(ref, L);
        k.round16(mem.byteOffset, N, L, bits16.byteOffset, norms.byteOffset);
        expect([...bits16]).toEqual([...refBits]);
        expect(bits(mem)).toEqual(bits(ref));
        expect(bits(norms)).toEqual(bits(refNorms));
      }
    }
  });
});

describe('WebAssembly emission update kernels', () => {
  /** AdaGrad on float32 tables in float64 arithmetic, as the trainer's kernels do it (the reference). */
  function adagradRef(ids: Int32Array, k0: number, k1: number, stride: number, cols: number[], grads: number[], W: Float32Array, G: Float32Array, U: Float32Array | undefined, rates: Float32Array | undefined, eta: number, l2: number, step: number) {
    for (let k = k0; k < k1; k++) {
      const id = ids[k];
      const rate = rates ? eta * rates[id] : eta;
      cols.forEach((c, j) => {
        const w = id * stride + c;
        const gg = grads[j] + l2 * W[w];
        const g2 = G[w] + gg * gg;
        G[w] = g2;
        const d = (rate * gg) / (Math.sqrt(g2) + 1e-8);
        W[w] -= d;
        if (U) U[w] -= step * d;
      });
    }
  }

  it.each([true, false])('give each token’s gradients and update the label and group tables as a token at a time would (averaged %s)', (averaged) => {
    const r = prng(averaged ? 3 : 4);
    const n = 12, L = 13, N = 30, stride = 16, size = 4, gstride = 4, gmin = 1e-3;
    const eta = 0.05, l2 = 1e-4, step = 99;
    const memory = new WebAssembly.Memory({ initial: 8 });
    const k = latticeKernels(memory);
    const m = arena(memory);
    const f32 = (len: number, scale: number) => {
      const a = new Float32Array(memory.buffer, m.f64(Math.ceil(len / 2)).byteOffset, len);
      for (let i = 0; i < len; i++) a[i] = Math.fround(scale * r());
      return a;
    };
    // marginals from random alpha, beta: most tiny (skipped), some not
    const alpha = m.f64(n * L, Array.from({ length: n * L }, () => (r() < 0.3 ? r() : r() * 1e-5)));
    const beta = m.f64(n * L, Array.from({ length: n * L }, () => r()));
    const Kz = 0.7;
    const tags = m.i32(n, Array.from({ length: n }, () => Math.floor(r() * L)));
    const counts = Array.from({ length: n }, (_, t) => t % 4);
    const offs = m.i32(n + 1);
    for (let t = 0; t < n; t++) offs[t + 1] = offs[t] + counts[t];
    const ids = m.i32(offs[n], Array.from({ length: offs[n] }, () => Math.floor(r() * N)));
    const gy = m.f64(n * L);
    k.gradients(n, L, alpha.byteOffset, beta.byteOffset, Kz, tags.byteOffset, gy.byteOffset);
    for (let t = 0; t < n; t++) for (let y = 0; y < L; y++) expect(gy[t * L + y]).toBe((alpha[t * L + y] * beta[t * L + y]) / Kz - (y === tags[t] ? 1 : 0));
    const W = f32(N * stride, 1), G = f32(N * stride, 1), U = f32(N * stride, 10), rates = f32(N, 1);
    const GW = f32(N * gstride, 1), GG = f32(N * gstride, 1), GU = f32(N * gstride, 10);
    const of = m.i32(L, Array.from({ length: L }, (_, y) => y % size));
    const ref = [W, G, U, GW, GG, GU].map((a) => Float32Array.from(a));
    const act = m.i32(L), actG = m.f64(L), grad = m.f64(size);
    k.groupUpdates(n, L, gy.byteOffset, gmin, of.byteOffset, size, grad.byteOffset, ids.byteOffset, offs.byteOffset, gstride * 4, GW.byteOffset, GG.byteOffset, averaged ? GU.byteOffset : -1, rates.byteOffset, act.byteOffset, actG.byteOffset, eta, l2, step);
    k.labelUpdates(n, L, gy.byteOffset, gmin, ids.byteOffset, offs.byteOffset, stride * 4, W.byteOffset, G.byteOffset, averaged ? U.byteOffset : -1, rates.byteOffset, act.byteOffset, actG.byteOffset, eta, l2, step);
    // the reference: a token at a time, its group's columns then its labels, gradients outside (−gmin, gmin) only
    let updates = 0;
    for (let t = 0; t < n; t++) {
      const g = Array.from({ length: L }, (_, y) => gy[t * L + y]);
      const colG = new Array<number>(size).fill(0);
      g.forEach((v, y) => (colG[of[y]] += v));
      const big = (v: number) => !(v > -gmin && v < gmin);
      const cols = colG.map((v, c) => [c, v]).filter(([, v]) => big(v));
      if (cols.length) adagradRef(ids, offs[t], offs[t + 1], gstride, cols.map((x) => x[0]), cols.map((x) => x[1]), ref[3], ref[4], averaged ? ref[5] : undefined, rates, eta, l2, step);
      const labels = g.map((v, y) => [y, v]).filter(([, v]) => big(v));
      if (labels.length) adagradRef(ids, offs[t], offs[t + 1], stride, labels.map((x) => x[0]), labels.map((x) => x[1]), ref[0], ref[1], averaged ? ref[2] : undefined, rates, eta, l2, step);
      updates += (offs[t + 1] - offs[t]) * labels.length;
    }
    expect(updates).toBeGreaterThan(20);
    [W, G, U, GW, GG, GU].forEach((a, i) => expect(Buffer.from(a.slice().buffer).equals(Buffer.from(ref[i].buffer))).toBe(true));
  });
});

describe('WebAssembly transition update kernel', () => {
  it.each([true, false])('updates transitions, cross factors, corrected pairs and start/end as the trainer’s JavaScript did (cross factors %s)', (factored) => {
    const c = randomChain(5, factored ? 3 : 4, true);
    const L = c.L;
    const r = prng(factored ? 21 : 22);
    const memory = new WebAssembly.Memory({ initial: 8 });
    const k = latticeKernels(memory);
    const m = arena(memory);
    const sparse = (n: number) => Array.from({ length: n }, () => (r() < 0.4 ? 0 : r() - 0.5));
    const pos = (n: number) => Array.from({ length: n }, () => r());
    const np = c.cross!.pairs!.w.length;
    // a pair about to go below 0
    c.cross!.pairs!.w[0] = 1e-3;
    const allowed: number[] = [];
    for (let i = 0; i < L * L; i++) if (c.trans[i] > DISALLOWED || isCrossPair((i / L) | 0, i % L)) allowed.push(i);
    const list: number[] = [];
    for (let a = 1; a < L; a++) for (let b = 1; b < L; b++) if (isCrossPair(a, b)) list.push(a, b);
    const v = {
      trans: m.f64(L * L, c.trans), GT: m.f64(L * L, pos(L * L)), UT: m.f64(L * L, sparse(L * L)), gT: m.f64(L * L, sparse(L * L)),
      start: m.f64(L, c.start), GS: m.f64(L, pos(L)), US: m.f64(L, sparse(L)), gS: m.f64(L, sparse(L)),
      end: m.f64(L, c.end), GE: m.f64(L, pos(L)), UE: m.f64(L, sparse(L)), gE: m.f64(L, sparse(L)),
      u: m.f64(L, c.cross!.u), Gu: m.f64(L, pos(L)), Uu: m.f64(L, sparse(L)), gu: m.f64(L, sparse(L)),
      v: m.f64(L, c.cross!.v), Gv: m.f64(L, pos(L)), Uv: m.f64(L, sparse(L)), gv: m.f64(L, sparse(L)),
      w: m.f64(np, c.cross!.pairs!.w), Gw: m.f64(np, pos(np)), Uw: m.f64(np, sparse(np)), gw: m.f64(np, sparse(np)),
    };
    v.gw[0] = 5; // takes pair 0 below 0: kept at 0
    const ref = Object.fromEntries(Object.entries(v).map(([key, a]) => [key, Float64Array.from(a)])) as Record<keyof typeof v, Float64Array>;
    const al = m.i32(allowed.length, allowed), cl = m.i32(list.length, list);
    const pFrom = m.i32(np, c.cross!.pairs!.from), pTo = m.i32(np, c.cross!.pairs!.to);
    const eta = 0.05, step = 17;
    k.transitionUpdates(
      L, allowed.length, al.byteOffset, v.trans.byteOffset, v.GT.byteOffset, v.UT.byteOffset, v.gT.byteOffset, v.start.byteOffset, v.GS.byteOffset, v.US.byteOffset, v.gS.byteOffset,
      v.end.byteOffset, v.GE.byteOffset, v.UE.byteOffset, v.gE.byteOffset, factored ? list.length >> 1 : 0, cl.byteOffset, factored ? v.u.byteOffset : -1, v.Gu.byteOffset, v.Uu.byteOffset, v.gu.byteOffset,
      v.v.byteOffset, v.Gv.byteOffset, v.Uv.byteOffset, v.gv.byteOffset, np, pFrom.byteOffset, pTo.byteOffset, v.w.byteOffset, v.Gw.byteOffset, v.Uw.byteOffset, v.gw.byteOffset, eta, step,
    );
    // the reference: the trainer's updateTransitions, updateCross and updateStartEnd in JavaScript
    for (const i of allowed) if (!(ref.trans[i] <= DISALLOWED) && ref.gT[i] !== 0) adagradScalar(ref.trans, ref.GT, ref.UT, i, ref.gT[i], eta, step);
    if (factored) {
      for (let i = 0; i < L; i++) {
        if (ref.gu[i] !== 0) adagradScalar(ref.u, ref.Gu, ref.Uu, i, ref.gu[i], eta, step);
        if (ref.gv[i] !== 0) adagradScalar(ref.v, ref.Gv, ref.Uv, i, ref.gv[i], eta, step);
      }
      for (let j = 0; j < np; j++) if (ref.gw[j] !== 0) adagradNonNegative(ref.w, ref.Gw, ref.Uw, j, ref.gw[j], eta, step);
      materializeCross(ref.trans, L, { u: ref.u, v: ref.v, pairs: { from: c.cross!.pairs!.from, to: c.cross!.pairs!.to, w: ref.w } }, Int32Array.from(list));
    }
    for (let i = 0; i < L; i++) {
      if (ref.start[i] > DISALLOWED && ref.gS[i] !== 0) adagradScalar(ref.start, ref.GS, ref.US, i, ref.gS[i], eta, step);
      if (ref.end[i] > DISALLOWED && ref.gE[i] !== 0) adagradScalar(ref.end, ref.GE, ref.UE, i, ref.gE[i], eta, step);
    }
    if (factored) expect(ref.w[0]).toBe(0);
    for (const key of Object.keys(v) as Array<keyof typeof v>) expect([key, bits(v[key])]).toEqual([key, bits(ref[key])]);
  });
});

describe('Lattice.accelerate', () => {
  it('gives the bits of its own runs for runs given exponentials, only for the kernel’s chain, across growth', () => {
    const c = randomChain(6, 31, true);
    const other = randomChain(6, 32, true);
    const L = c.L;
    const plain = new Lattice(L);
    plain.setChain(c);
    const fast = new Lattice(L);
    fast.setChain(c);
    fast.accelerate(new WasmForwardBackward(c));
    const r = prng(5);
    const bits = (a: Float64Array) => Buffer.from(a.slice().buffer);
    // past the kernel's first room (64 tokens) and back
    for (const n of [1, 5, 30, 150, 7]) {
      const psi = Float64Array.from({ length: n * L }, () => (r() < 0.1 ? 0 : r()));
      plain.run(new Float64Array(n * L), n, undefined, psi);
      fast.run(new Float64Array(n * L), n, undefined, psi);
      expect(fast.K).toBe(plain.K);
      expect(bits(fast.alpha.subarray(0, n * L))).toEqual(bits(plain.alpha.subarray(0, n * L)));
      expect(bits(fast.beta.subarray(0, n * L))).toEqual(bits(plain.beta.subarray(0, n * L)));
      expect(bits(fast.scale.subarray(0, n))).toEqual(bits(plain.scale.subarray(0, n)));
      expect(fast.segmentProbability(new Int32Array(n), 0, n - 1)).toBe(plain.segmentProbability(new Int32Array(n), 0, n - 1));
      // the adopted arrays are views of the kernel's memory (larger than them), not the lattice's own buffers
      expect(fast.alpha.buffer.byteLength).toBeGreaterThan(fast.alpha.length * 8);
      expect(plain.alpha.buffer.byteLength).toBe(plain.alpha.length * 8);
    }
    // another chain: the lattice runs itself
    fast.setChain(other);
    plain.setChain(other);
    const psi = Float64Array.from({ length: 4 * L }, () => r());
    plain.run(new Float64Array(4 * L), 4, undefined, psi);
    fast.run(new Float64Array(4 * L), 4, undefined, psi);
    expect(fast.K).toBe(plain.K);
    expect(fast.alpha.buffer instanceof ArrayBuffer && fast.alpha.buffer.byteLength).toBe(fast.alpha.length * 8);
  });
});
