import { describe, expect, it } from 'vitest';
import { sumKernels, sumModuleBytes, trainKernels, trainModuleBytes } from '../../../lib/ner/simd.js';
import { latticeKernels } from '../../../lib/ner/wasm-lattice.js';
import { prng } from '../../../lib/ner/crf.js';

describe('SIMD sum kernels', () => {
  it('validate as WebAssembly', () => {
    expect(WebAssembly.validate(sumModuleBytes())).toBe(true);
  });

  it.each([1, 3, 4, 5, 8, 69, 233])('sum five rows (and a running far sum) as float32 left to right, with the maximum, for %i labels', (L) => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const k = sumKernels(memory);
    const F = new Float32Array(memory.buffer);
    const r = prng(L);
    // rows 0..7 at floats r·L (row 0 all zero), an odd start for rows so that they are not 16-byte aligned
    const row = (i: number) => 1 + i * L;
    for (let i = 1; i < 8; i++) for (let y = 0; y < L; y++) F[row(i) + y] = Math.fround((r() - 0.5) * 20);
    const out = row(8);
    const acc = row(10);
    const f = Math.fround;
    const five = (y: number) => f(f(f(f(F[row(1) + y] + F[row(2) + y]) + F[row(3) + y]) + F[row(4) + y]) + F[row(5) + y]);
    const m = k.sum5(4 * out, 4 * row(1), 4 * row(2), 4 * row(3), 4 * row(4), 4 * row(5), L);
    const want = Array.from({ length: L }, (_, y) => five(y));
    expect([...F.subarray(out, out + L)]).toEqual(want);
    expect(m).toBe(Math.max(...want));
    // the far sum: acc += enter − leave, then added
    for (let y = 0; y < L; y++) F[acc + y] = Math.fround(r() * 3);
    const before = [...F.subarray(acc, acc + L)];
    const mf = k.sum5far(4 * out, 4 * row(1), 4 * row(2), 4 * row(3), 4 * row(4), 4 * row(5), 4 * acc, 4 * row(6), 4 * row(7), L);
    const accWant = before.map((a, y) => f(f(a + F[row(6) + y]) - F[row(7) + y]));
    expect([...F.subarray(acc, acc + L)]).toEqual(accWant);
    const outWant = accWant.map((a, y) => f(five(y) + a));
    expect([...F.subarray(out, out + L)]).toEqual(outWant);
    expect(mf).toBe(Math.max(...outWant));
    // nothing beyond the row is written
    expect(F[out + L]).toBe(0);
  });

  it.each([1, 4, 5, 69, 233])('give exp(row − its maximum) as float64 (float32 arithmetic: within 1.5e-6 + 6e-8·|x|), and 0 below e^−87, for %i labels', (L) => {
    const n = 40;
    const memory = new WebAssembly.Memory({ initial: 4 });
    const k = sumKernels(memory);
    const F = new Float32Array(memory.buffer);
    const r = prng(100 + L);
    const src = 3; // not 16-byte aligned
    const maxima = src + n * L + 4;
    const dst = 2 * Math.ceil((maxima + n + 4) / 4) * 2; // float index of a float64 array, 16-byte aligned
    for (let t = 0; t < n; t++) {
      for (let y = 0; y < L; y++) F[src + t * L + y] = Math.fround((r() - 0.7) * 60 * (t % 3));
      if (t === 5 && L > 1) F[src + t * L] = -1e4; // far below the maximum
      F[maxima + t] = Math.max(...F.subarray(src + t * L, src + (t + 1) * L));
    }
    const D = new Float64Array(memory.buffer, 4 * dst, n * L + 4);
    D[n * L] = 7; // past the last row: up to 3 values may be written there, the 4th not
    D[n * L + 3] = 7;
    k.psi(4 * src, 4 * maxima, n, L, 4 * dst);
    for (let t = 0; t < n; t++)
      for (let y = 0; y < L; y++) {
        const want = Math.exp(F[src + t * L + y] - F[maxima + t]);
        const got = D[t * L + y];
        if (want < Math.exp(-87)) expect(got).toBe(0);
        else expect(Math.abs(got / want - 1)).toBeLessThan(1.5e-6 + 6e-8 * (F[maxima + t] - F[src + t * L + y]));
      }
    if (L > 1) expect(D[5 * L]).toBe(0);
    expect(D[n * L + 3]).toBe(7);
  });
});

describe('trainer kernels', () => {
  it('validate as WebAssembly', () => {
    expect(WebAssembly.validate(trainModuleBytes())).toBe(true);
  });

  /** Random float32 rows of `width` (stride pad4(width)) at byte 0, and a sequence's ids and offsets after them. */
  function setup(width: number, seed: number) {
    const stride = (width + 3) & ~3;
    const rows = 50;
    const memory = new WebAssembly.Memory({ initial: 2 });
    const r = prng(seed);
    const M = new Float32Array(memory.buffer, 0, rows * stride);
    for (let i = 0; i < M.length; i++) M[i] = i % stride < width ? Math.fround((r() - 0.5) * 8) : 0;
    // five tokens with 0, 1, 3, 4 and 9 features (repeats allowed)
    const counts = [0, 1, 3, 4, 9];
    const ids = new Int32Array(memory.buffer, rows * stride * 4, 17);
    for (let i = 0; i < ids.length; i++) ids[i] = Math.floor(r() * rows);
    const offs = new Int32Array(memory.buffer, ids.byteOffset + 18 * 4, 6);
    for (let t = 0; t < 5; t++) offs[t + 1] = offs[t] + counts[t];
    const E = new Float64Array(memory.buffer, offs.byteOffset + 32, 5 * 240);
    // every offset above is a multiple of 8
    const scratch = E.byteOffset + E.byteLength;
    return { memory, M, stride, ids, offs, E, scratch, r };
  }

  it.each([1, 3, 4, 5, 25, 233])('sum a token’s rows as float32 left to right into float64 scores, for %i labels', (L) => {
    const { memory, M, stride, ids, offs, E, scratch } = setup(L, L);
    E.fill(99);
    trainKernels(memory).rowSums(ids.byteOffset, offs.byteOffset, 5, 0, stride * 4, L, E.byteOffset, scratch);
    const f = Math.fround;
    for (let t = 0; t < 5; t++)
      for (let y = 0; y < L; y++) {
        let want = f(0);
        for (let k = offs[t]; k < offs[t + 1]; k++) want = f(want + M[ids[k] * stride + y]);
        expect(E[t * L + y]).toBe(want);
      }
    expect(E[5 * L]).toBe(99);
  });

  it.each([[5, 2], [25, 7], [233, 59]])('add a group’s shares (%i labels, %i columns) to the scores', (L, size) => {
    const { memory, M, stride, ids, offs, E, scratch, r } = setup(size, L + size);
    const of = new Int32Array(memory.buffer, scratch + 4096, L);
    for (let y = 0; y < L; y++) of[y] = Math.floor(r() * size);
    for (let i = 0; i < E.length; i++) E[i] = r() * 10;
    const before = Float64Array.from(E);
    trainKernels(memory).groupAdd(ids.byteOffset, offs.byteOffset, 5, 0, stride * 4, of.byteOffset, L, E.byteOffset, scratch);
    const f = Math.fround;
    for (let t = 0; t < 5; t++)
      for (let y = 0; y < L; y++) {
        let share = f(0);
        for (let k = offs[t]; k < offs[t + 1]; k++) share = f(share + M[ids[k] * stride + of[y]]);
        expect(E[t * L + y]).toBe(before[t * L + y] + share);
      }
    expect(E[5 * L]).toBe(before[5 * L]);
  });

  it.each([
    ['averaged, with rates', true, true],
    ['averaged', true, false],
    ['plain', false, false],
  ])('make AdaGrad steps with the bits of float64 arithmetic and float32 tables (%s; the float64 module’s kernel)', (_name, averaged, withRates) => {
    const L = 25;
    const { memory, stride, ids, offs, scratch, r } = setup(L, 7);
    const rows = 50;
    const at = (i: number) => scratch + 64 + i * rows * stride * 4;
    const [W, G, U] = [0, 1, 2].map((i) => new Float32Array(memory.buffer, at(i), rows * stride));
    const rates = new Float32Array(memory.buffer, at(3), rows);
    const cols = new Int32Array(memory.buffer, at(3) + rows * 4, L);
    const grads = new Float64Array(memory.buffer, at(3) + rows * 4 + 32 * 4, L);
    for (let i = 0; i < W.length; i++) {
      W[i] = Math.fround(r() - 0.5);
      G[i] = Math.fround(r() * 2);
      U[i] = Math.fround(r() * 100);
    }
    for (let i = 0; i < rows; i++) rates[i] = Math.fround(r());
    const count = 7;
    for (let j = 0; j < count; j++) {
      cols[j] = (j * 5 + 2) % L;
      grads[j] = r() - 0.5;
    }
    const [w0, g0, u0] = [W, G, U].map((a) => Float32Array.from(a));
    const initial = Float32Array.from(W);
    const eta = 0.05, l2 = 1e-4, step = 1234;
    // the sequence's third token: four rows, possibly repeated (each sees the steps in order)
    const k0 = offs[3], k1 = offs[4];
    latticeKernels(memory).adagrad(ids.byteOffset, k0, k1, stride * 4, cols.byteOffset, grads.byteOffset, count, W.byteOffset, G.byteOffset, averaged ? U.byteOffset : -1, withRates ? rates.byteOffset : -1, eta, l2, step);
    for (let k = k0; k < k1; k++) {
      const id = ids[k];
      const rate = withRates ? eta * rates[id] : eta;
      for (let j = 0; j < count; j++) {
        const w = id * stride + cols[j];
        const gg = grads[j] + l2 * w0[w];
        const g2 = g0[w] + gg * gg;
        g0[w] = g2;
        const d = (rate * gg) / (Math.sqrt(g2) + 1e-8);
        w0[w] -= d;
        if (averaged) u0[w] -= step * d;
      }
    }
    expect(Buffer.from(W.slice().buffer).equals(Buffer.from(w0.buffer))).toBe(true);
    expect(Buffer.from(G.slice().buffer).equals(Buffer.from(g0.buffer))).toBe(true);
    expect(Buffer.from(U.slice().buffer).equals(Buffer.from(u0.buffer))).toBe(true);
    // the listed columns of the token's rows moved, nothing else
    const listed = new Set<number>();
    for (let k = k0; k < k1; k++) for (let j = 0; j < count; j++) listed.add(ids[k] * stride + cols[j]);
    for (let i = 0; i < W.length; i++) expect(W[i] !== initial[i]).toBe(listed.has(i));
  });
});
