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
});
