// Word-cluster lexicons: a compact sorted table of (lower-cased word hash → cluster path), searched in place, used for
// the built-in English clusters (from pre-trained GloVe vectors) and stored inside model files.
import { readFileSync } from 'node:fs';

/** Longest cluster path a lexicon holds (paths are stored as uint16). */
export const MAX_LEXICON_BITS = 16;

/**
 * Sorted word hashes with their cluster paths; lookups by search (no load-time index building), so a model file's
 * tables can be used in place.
 */
export class Lexicon {
  constructor(
    readonly bits: number,
    /** Ascending, unique. */
    readonly hashes: Uint32Array,
    readonly paths: Uint16Array,
  ) {
    if (!Number.isInteger(bits) || bits < 1 || bits > MAX_LEXICON_BITS) throw new RangeError(`lexicon paths are 1 to ${MAX_LEXICON_BITS} bits, got ${bits}`);
    if (hashes.length !== paths.length) throw new RangeError(`lexicon has ${hashes.length} hashes but ${paths.length} paths`);
  }

  get size(): number {
    return this.hashes.length;
  }

  /**
   * The word's cluster path, or -1 when the word is not in the lexicon. The keys are hashes, close to uniform over
   * uint32, so a few interpolation steps land next to the key (a lookup in the 341K-word English lexicon reads a
   * handful of cache lines instead of the ~19 of a binary search, most of them misses); a binary search finishes,
   * which also bounds the steps for keys that are not uniform.
   */
  lookup(hash: number): number {
    const h = this.hashes;
    let lo = 0;
    let hi = h.length - 1;
    for (let step = 0; step < 3 && lo < hi; step++) {
      const a = h[lo];
      const b = h[hi];
      if (hash < a || hash > b) return -1;
      if (a === b) break; // a table that is not strictly ascending (read from a file): binary search decides
      const mid = lo + Math.floor(((hash - a) / (b - a)) * (hi - lo));
      const v = h[mid];
      if (v === hash) return this.paths[mid];
      if (v < hash) lo = mid + 1;
      else hi = mid - 1;
    }
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = h[mid];
      if (v === hash) return this.paths[mid];
      if (v < hash) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  static fromEntries(bits: number, entries: Array<[number, number]>): Lexicon {
    const sorted = [...entries].sort((a, b) => a[0] - b[0]);
    const hashes = new Uint32Array(sorted.length);
    const paths = new Uint16Array(sorted.length);
    let n = 0;
    for (const [h, p] of sorted) {
      if (n > 0 && hashes[n - 1] === h) continue;
      hashes[n] = h;
      paths[n] = p;
      n++;
    }
    return new Lexicon(bits, hashes.slice(0, n), paths.slice(0, n));
  }
}

const MAGIC = 0x4c584e43; // "CNXL"

/** Binary layout: magic, bits, count (uint32 LE each), then count hashes (uint32) and count paths (uint16). */
export function encodeLexicon(bits: number, entries: Array<[number, number]>): Uint8Array {
  return lexiconBytes(Lexicon.fromEntries(bits, entries));
}

/** The binary layout of a lexicon (already sorted and unique). */
export function lexiconBytes(lx: Lexicon): Uint8Array {
  const n = lx.size;
  const buf = new ArrayBuffer(12 + n * 4 + n * 2);
  const dv = new DataView(buf);
  dv.setUint32(0, MAGIC, true);
  dv.setUint32(4, lx.bits, true);
  dv.setUint32(8, n, true);
  for (let i = 0; i < n; i++) dv.setUint32(12 + 4 * i, lx.hashes[i], true);
  for (let i = 0; i < n; i++) dv.setUint16(12 + 4 * n + 2 * i, lx.paths[i], true);
  return new Uint8Array(buf);
}

/**
 * The lexicon in `bytes` (see `lexiconBytes`). Its arrays are views into `bytes` when they are aligned for that
 * (the built-in table is used where it was read: no copy), else copies.
 */
export function decodeLexicon(bytes: Uint8Array): Lexicon {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 12 || dv.getUint32(0, true) !== MAGIC) throw new Error('not a lexicon');
  const bits = dv.getUint32(4, true);
  const n = dv.getUint32(8, true);
  if (bytes.byteLength !== 12 + 6 * n) throw new Error('truncated lexicon');
  const at = bytes.byteOffset;
  if (littleEndian && (at + 12) % 4 === 0) return new Lexicon(bits, new Uint32Array(bytes.buffer, at + 12, n), new Uint16Array(bytes.buffer, at + 12 + 4 * n, n));
  const hashes = new Uint32Array(n);
  const paths = new Uint16Array(n);
  for (let i = 0; i < n; i++) hashes[i] = dv.getUint32(12 + 4 * i, true);
  for (let i = 0; i < n; i++) paths[i] = dv.getUint16(12 + 4 * n + 2 * i, true);
  return new Lexicon(bits, hashes, paths);
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

let english: Lexicon | undefined;

/** The built-in English clusters (GloVe-derived), loaded once. */
export function englishLexicon(): Lexicon {
  english ??= decodeLexicon(readFileSync(new URL('./lexicon/en-clusters.bin', import.meta.url)));
  return english;
}
