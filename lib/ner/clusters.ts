// Word clusters learned from a project's own text (labelled and unlabelled): each frequent word gets a context
// vector (PPMI-weighted left/right neighbours, randomly projected), and recursive spherical 2-means splits the
// vocabulary into a binary tree; a word's path in that tree is its cluster id, and prefixes of it are features
// (coarse to fine, like Brown clusters). Rare and unseen words inherit nothing; deterministic for a seed.
import { lowerHash } from './features.js';
import { Lexicon } from './lexicon.js';
import { prng } from './crf.js';
import { tokenize } from './tokenizer.js';
import { fmix } from './hash.js';

export interface ClusterSettings {
  bits: number;
  minCount: number;
  maxVocab: number;
  contextWords: number;
  dims: number;
}

export const DEFAULT_CLUSTERS: ClusterSettings = { bits: 16, minCount: 2, maxVocab: 40000, contextWords: 1000, dims: 64 };

/** Learns a cluster table from texts; returns undefined when there is too little text to say anything. */
export function learnClusters(texts: string[], st: ClusterSettings, seed: number): Lexicon | undefined {
  // token stream of lower-cased word hashes; -1 marks a text/line boundary
  const counts = new Map<number, number>();
  const stream: number[] = [];
  for (const text of texts) {
    const tok = tokenize(text);
    for (let i = 0; i < tok.starts.length; i++) {
      if (i > 0 && hasNewline(text, tok.ends[i - 1], tok.starts[i])) stream.push(-1);
      const h = lowerHash(text, tok.starts[i], tok.ends[i]);
      stream.push(h);
      counts.set(h, (counts.get(h) ?? 0) + 1);
    }
    stream.push(-1);
  }
  const byFreq = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  const vocab = byFreq.filter(([, c]) => c >= st.minCount).slice(0, st.maxVocab);
  if (vocab.length < 50) return undefined;
  const vIndex = new Map<number, number>(vocab.map(([h], i) => [h, i]));
  const ctxIndex = new Map<number, number>(byFreq.slice(0, st.contextWords).map(([h], i) => [h, i]));
  const C = ctxIndex.size;
  const V = vocab.length;
  // co-occurrence counts (w, context slot) where slot = side * C + ctx
  const co = new Map<number, number>();
  const ctxTotals = new Float64Array(2 * C);
  const wTotals = new Float64Array(V);
  let total = 0;
  const count = (w: number, j: number, side: number) => {
    const h = j >= 0 && j < stream.length ? stream[j] : -1;
    const c = h === -1 ? undefined : ctxIndex.get(h);
    if (c === undefined) return;
    const slot = side * C + c;
    const key = w * 2 * C + slot;
    co.set(key, (co.get(key) ?? 0) + 1);
    ctxTotals[slot]++;
    wTotals[w]++;
    total++;
  };
  for (let i = 0; i < stream.length; i++) {
    const w = vIndex.get(stream[i]);
    if (w === undefined) continue;
    count(w, i - 1, 0);
    count(w, i + 1, 1);
  }
  // random projection of PPMI rows
  const D = st.dims;
  const emb = new Float64Array(V * D);
  const R = randomSigns(2 * C * D, seed ^ 0x5eed);
  for (const [key, n] of co) {
    const w = Math.floor(key / (2 * C));
    const slot = key - w * 2 * C;
    // context distribution smoothing (alpha 0.75) as in word2vec-style PMI
    const pmi = Math.log((n * total) / (wTotals[w] * Math.pow(ctxTotals[slot], 0.75) * Math.pow(total, 0.25)));
    if (pmi <= 0) continue;
    addScaled(emb, w * D, R, slot * D, pmi, D);
  }
  for (let w = 0; w < V; w++) normalize(emb, w * D, D);
  const path = bisectClusters(emb, V, D, st.bits, seed);
  return Lexicon.fromEntries(st.bits, vocab.map(([h], w) => [h, path[w]] as [number, number]));
}

/**
 * Hierarchical clusters of V unit vectors (emb is V × D): recursive bisection along each cluster's principal
 * direction (power iteration), to `bits` levels. Returns each vector's path, most significant bit = first split.
 */
export function bisectClusters(emb: Float64Array, V: number, D: number, bits: number, seed: number): Uint32Array {
  const rand = prng(seed ^ 0xb15ec7);
  const path = new Uint32Array(V);
  const mean = new Float64Array(D);
  const v = new Float64Array(D);
  const nv = new Float64Array(D);
  const split = (members: Int32Array, depth: number) => {
    if (depth >= bits || members.length < 2) return;
    mean.fill(0);
    for (let k = 0; k < members.length; k++) addRow(mean, emb, members[k] * D, D);
    for (let d = 0; d < D; d++) mean[d] /= members.length;
    for (let d = 0; d < D; d++) v[d] = rand() - 0.5;
    for (let it = 0; it < 6; it++) {
      nv.fill(0);
      for (let k = 0; k < members.length; k++) {
        const o = members[k] * D;
        addCenteredScaled(nv, emb, o, mean, centeredDot(emb, o, mean, v, D), D);
      }
      let norm = 0;
      for (let d = 0; d < D; d++) norm += nv[d] * nv[d];
      norm = Math.sqrt(norm) || 1;
      for (let d = 0; d < D; d++) v[d] = nv[d] / norm;
    }
    const side = new Uint8Array(members.length);
    let right = 0;
    for (let k = 0; k < members.length; k++) {
      if (centeredDot(emb, members[k] * D, mean, v, D) > 0) {
        side[k] = 1;
        right++;
      }
    }
    if (right === 0 || right === members.length) return;
    const R = new Int32Array(right);
    const Lm = new Int32Array(members.length - right);
    let r = 0;
    let l = 0;
    for (let k = 0; k < members.length; k++) {
      const m = members[k];
      if (side[k]) {
        R[r++] = m;
        path[m] |= 1 << (bits - 1 - depth);
      } else Lm[l++] = m;
    }
    split(Lm, depth + 1);
    split(R, depth + 1);
  };
  split(Int32Array.from({ length: V }, (_, i) => i), 0);
  return path;
}

// The loops below are small functions on purpose: called thousands of times, V8 optimizes them within the first
// milliseconds of a short run, where the same loops written inline would run in the interpreter until the
// enclosing function is optimized (most of learnClusters' time on a small project).

/** True when text[from..to) holds a line feed. */
function hasNewline(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 10) return true;
  return false;
}

/**
 * n random ±1 values: −1 where prng(seed)() < 0.5, the same sequence as drawing from `prng`, with the generator's
 * state in a local (a closure's state is a heap number per draw until the closure is optimized).
 */
export function randomSigns(n: number, seed: number): Int8Array {
  const out = new Int8Array(n);
  let a = seed >>> 0;
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (t ^ (t >>> 14)) >>> 0 < 0x80000000 ? -1 : 1;
  }
  return out;
}

/** out[o..o+D) += s · R[r..r+D) */
function addScaled(out: Float64Array, o: number, R: Int8Array, r: number, s: number, D: number): void {
  for (let d = 0; d < D; d++) out[o + d] += s * R[r + d];
}

/** Scales a[o..o+D) to unit length (a zero vector stays zero). */
function normalize(a: Float64Array, o: number, D: number): void {
  let s = 0;
  for (let d = 0; d < D; d++) s += a[o + d] ** 2;
  s = Math.sqrt(s) || 1;
  for (let d = 0; d < D; d++) a[o + d] /= s;
}

/** out[0..D) += emb[o..o+D) */
function addRow(out: Float64Array, emb: Float64Array, o: number, D: number): void {
  for (let d = 0; d < D; d++) out[d] += emb[o + d];
}

/** (emb[o..o+D) − mean) · v */
function centeredDot(emb: Float64Array, o: number, mean: Float64Array, v: Float64Array, D: number): number {
  let p = 0;
  for (let d = 0; d < D; d++) p += (emb[o + d] - mean[d]) * v[d];
  return p;
}

/** out += p · (emb[o..o+D) − mean) */
function addCenteredScaled(out: Float64Array, emb: Float64Array, o: number, mean: Float64Array, p: number, D: number): void {
  for (let d = 0; d < D; d++) out[d] += p * (emb[o + d] - mean[d]);
}
