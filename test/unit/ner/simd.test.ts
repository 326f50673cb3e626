import { describe, expect, it } from 'vitest';
import { sumKernels, sumModuleBytes } from '../../../lib/ner/simd.js';
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
