import { describe, expect, it } from 'vitest';
import { reanchorLabels } from '../../../lib/documents/reanchor.js';
import type { Label } from '../../../lib/documents/schemas.js';

const lab = (id: string, text: string, word: string, nth = 0, category = 'Person'): Label => {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = text.indexOf(word, at + 1);
  return { id, category, offset: at, length: word.length };
};

describe('reanchorLabels', () => {
  it('moves labels after an insertion and keeps those before it in place', () => {
    const old = 'Alice met Bob in Paris.';
    const next = 'Alice, the CEO, met Bob in Paris.';
    const r = reanchorLabels(old, next, [lab('a', old, 'Alice'), lab('b', old, 'Bob'), lab('c', old, 'Paris')]);
    expect(r.needsReview).toBe(0);
    expect(r.labels.map((l) => next.slice(l.offset, l.offset + l.length))).toEqual(['Alice', 'Bob', 'Paris']);
    expect(r.labels.every((l) => l.status === undefined)).toBe(true);
  });

  it('prefers the occurrence with the same context when the text occurs several times', () => {
    const old = 'Bob said hi. Later Bob left.';
    const next = 'Bob said hi. Then Bob waved. Later Bob left.';
    const r = reanchorLabels(old, next, [lab('x', old, 'Bob', 1)]);
    expect(r.labels[0].offset).toBe(next.indexOf('Later Bob') + 6);
  });

  it('marks labels whose text is gone as needsReview with their old text, never dropping them', () => {
    const old = 'Alice met Bob.';
    const next = 'Alice met Carol.';
    const r = reanchorLabels(old, next, [lab('a', old, 'Alice'), lab('b', old, 'Bob')]);
    expect(r.labels).toHaveLength(2);
    expect(r.labels.find((l) => l.id === 'b')).toMatchObject({ status: 'needsReview', originalText: 'Bob' });
    expect(r.kept).toBe(1);
    expect(r.needsReview).toBe(1);
  });

  it('does not put two labels on the same occurrence', () => {
    const old = 'Bob and Bob.';
    const next = 'Bob.';
    const r = reanchorLabels(old, next, [lab('a', old, 'Bob', 0), lab('b', old, 'Bob', 1)]);
    expect(r.kept).toBe(1);
    expect(r.needsReview).toBe(1);
  });

  it('restores a needsReview label when its text comes back', () => {
    const r1 = reanchorLabels('Alice met Bob.', 'Alice met Carol.', [lab('b', 'Alice met Bob.', 'Bob')]);
    const r2 = reanchorLabels('Alice met Carol.', 'Alice met Bob again.', r1.labels);
    expect(r2.labels[0]).toMatchObject({ id: 'b', offset: 10, length: 3, status: 'accepted' });
  });
});
