import { describe, expect, it } from 'vitest';
import { FeatureIndex } from '../../../lib/ner/feature-index.js';

/** Feature hashes with repeats (as a sequence's features repeat across tokens), deterministic. */
function features(n: number, distinct: number): { a: Uint32Array; b: Uint32Array } {
  const a = new Uint32Array(n);
  const b = new Uint32Array(n);
  let x = 12345;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const k = x % distinct;
    a[i] = Math.imul(k, 0x9e3779b1) >>> 0;
    b[i] = Math.imul(k ^ 0x5bd1e995, 0x27d4eb2f) >>> 0;
  }
  return { a, b };
}

describe('FeatureIndex', () => {
  it('addAll numbers and counts features exactly as add one at a time, across growth', () => {
    const { a, b } = features(20_000, 5_000);
    const one = new FeatureIndex(16);
    const expected = Int32Array.from(a, (x, i) => one.add(x, b[i]));
    const bulk = new FeatureIndex(16);
    const got = new Int32Array(a.length);
    // in two calls, as fit indexes a sequence at a time
    bulk.addAll(a.subarray(0, 7_000), b.subarray(0, 7_000), got.subarray(0, 7_000));
    bulk.addAll(a.subarray(7_000), b.subarray(7_000), got.subarray(7_000));
    expect(got).toEqual(expected);
    expect(bulk.size).toBe(one.size);
    expect(bulk.counts.subarray(0, bulk.size)).toEqual(one.counts.subarray(0, one.size));
  });

  it('getAll gives each feature its row, and −1 for features never added', () => {
    const { a, b } = features(3_000, 1_000);
    const index = new FeatureIndex();
    index.addAll(a.subarray(0, 1_500), b.subarray(0, 1_500), new Int32Array(1_500));
    const got = new Int32Array(a.length);
    index.getAll(a, b, got);
    expect(got).toEqual(Int32Array.from(a, (x, i) => index.get(x, b[i])));
    expect(got.some((r) => r < 0)).toBe(true);
  });
});
