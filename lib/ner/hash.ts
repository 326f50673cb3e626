// 32-bit hashing used by the feature extractor: strings hashed once per token, features combined as integers.

/** FNV-1a over the UTF-16 code units of text[s, e), as an int32 (no finaliser: a key for hash tables and filters). */
export function fnv1a(text: string, s: number, e: number): number {
  let h = 0x811c9dc5;
  for (let i = s; i < e; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h;
}

/** murmur3 32-bit finaliser: avalanches all bits. */
export function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Combines a template id with a value hash into a feature hash (hA). */
export function combineA(template: number, value: number): number {
  return fmix((Math.imul(template, 0x9e3779b1) ^ value) >>> 0);
}

/** Second, independent hash of the same feature (hB), for 2-choice bucket placement. */
export function combineB(template: number, value: number): number {
  return fmix((Math.imul(template ^ 0x5bd1e995, 0x27d4eb2f) + Math.imul(value, 0x165667b1)) >>> 0);
}

/** Second bucket of a feature (hA, hB) for 2-choice hashing; the first is hB modulo the table size. */
export function bucket2Of(a: number, b: number): number {
  return fmix((b ^ Math.imul(a, 0x2545f491)) >>> 0);
}

/** The fingerprint a feature's row is stored under (never 0, which marks an empty bucket). */
export function fingerprintOf(a: number): number {
  return (a | 0) || 1;
}

/**
 * x mod n for a uint32 x and 0 < n < 2^31, exactly, and several times faster than `%` on a uint32, which V8 computes
 * in floating point by a library call (see modU32By).
 */
export function modU32(x: number, n: number): number {
  return modU32By(x, n, 1 / n);
}

/**
 * modU32 with `inv` = 1 / n given: a multiplication instead of a division, for a hot loop with a fixed n. Exact: the
 * product's relative error (below 2^−52) moves the quotient by less than 2^−20, so its floor is off by at most one,
 * which the comparison corrects.
 */
export function modU32By(x: number, n: number, inv: number): number {
  const r = x - Math.floor(x * inv) * n;
  return r < 0 ? r + n : r >= n ? r - n : r;
}
