import { describe, expect, it } from 'vitest';
import { prng } from '../../../lib/ner/crf.js';
import { modU32, modU32By } from '../../../lib/ner/hash.js';

describe('modU32', () => {
  it('equals x % n for uint32 x and 0 < n < 2^31, at the edges and at random', () => {
    const xs = [0, 1, 2, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];
    const ns = [1, 2, 3, 7, 1000, 54413, 211299, 0x3fffffff, 0x7ffffffe, 0x7fffffff];
    for (const x of xs) for (const n of ns) expect(modU32(x, n)).toBe(x % n);
    const r = prng(9);
    for (let i = 0; i < 200_000; i++) {
      const x = Math.floor(r() * 2 ** 32);
      const n = 1 + Math.floor(r() ** 3 * (2 ** 31 - 1));
      const want = x % n;
      if (modU32(x, n) !== want) expect(modU32(x, n)).toBe(want);
      // multiples of n and their neighbours: where a rounded quotient would show an error
      const m = x - want;
      expect(modU32(m, n)).toBe(0);
      if (m > 0) expect(modU32(m - 1, n)).toBe(n - 1);
    }
  });
});

describe('modU32By', () => {
  it('equals x % n given 1 / n, at the edges, at random and at multiples of n', () => {
    const xs = [0, 1, 2, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];
    const ns = [1, 2, 3, 7, 1000, 54413, 211299, 0x3fffffff, 0x7ffffffe, 0x7fffffff];
    for (const x of xs) for (const n of ns) expect(modU32By(x, n, 1 / n)).toBe(x % n);
    const r = prng(11);
    for (let i = 0; i < 200_000; i++) {
      const x = Math.floor(r() * 2 ** 32);
      const n = 1 + Math.floor(r() ** 3 * (2 ** 31 - 1));
      const inv = 1 / n;
      const want = x % n;
      if (modU32By(x, n, inv) !== want) expect(modU32By(x, n, inv)).toBe(want);
      const m = x - want;
      if (modU32By(m, n, inv) !== 0) expect(modU32By(m, n, inv)).toBe(0);
      if (m > 0 && modU32By(m - 1, n, inv) !== n - 1) expect(modU32By(m - 1, n, inv)).toBe(n - 1);
      if (m + n < 2 ** 32 && modU32By(m + n, n, inv) !== 0) expect(modU32By(m + n, n, inv)).toBe(0);
    }
  });
});
