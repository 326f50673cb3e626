import { describe, expect, it } from 'vitest';
import { prng } from '../../../lib/ner/crf.js';
import { modU32 } from '../../../lib/ner/hash.js';

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
