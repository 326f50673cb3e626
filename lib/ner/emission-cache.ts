// Emission scores of documents through the ONNX model, scoring each distinct token text once: every feature of a
// token but the gazetteer's is a function of one token of its window (see FeatureBags), so a token's scores are the
// sum of its window's cached per-text bag scores, plus its gazetteer features scored per document.
import type { FeatureBags, FeatureExtractor } from './features.js';
import { bucket2Of, fingerprintOf } from './hash.js';
import type { EmissionSession } from './onnx/session.js';
import { MAX_SEQUENCE_TOKENS, type Sequence } from './prepare.js';

export interface EmissionCacheSettings {
  /** Bound on the cached scores (4 bytes × labels × window width per token text); the least recently used go first. */
  maxBytes: number;
  /** Tokens scored per step; each step's texts stay cached until it ends, so at least this many texts fit. */
  chunkTokens: number;
}

export const DEFAULT_EMISSION_CACHE: EmissionCacheSettings = { maxBytes: 16 << 20, chunkTokens: 2048 };

/** Growable Int32Array scratch. */
class IntBuffer {
  data = new Int32Array(256);
  length = 0;

  push(v: number): void {
    if (this.length === this.data.length) {
      const d = new Int32Array(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    this.data[this.length++] = v;
  }

  reserve(n: number): Int32Array {
    if (this.data.length < n) this.data = new Int32Array(Math.max(n, this.data.length * 2));
    return this.data;
  }
}

/** Rows of one ORT call: bags of features as (bucket1, bucket2, fingerprint) slots, and where each result goes. */
class RowBatch {
  readonly b1 = new IntBuffer();
  readonly b2 = new IntBuffer();
  readonly fp = new IntBuffer();
  /** Row r's slots are [ends[r − 1], ends[r]). */
  readonly ends = new IntBuffer();
  /** Row r's result goes to `target` at `dest[r]`. */
  readonly dest = new IntBuffer();
  private readonly in1 = new IntBuffer();
  private readonly in2 = new IntBuffer();
  private readonly inFp = new IntBuffer();

  clear(): void {
    this.b1.length = this.b2.length = this.fp.length = this.ends.length = this.dest.length = 0;
  }

  add(hA: Uint32Array, hB: Uint32Array, from: number, to: number, numBuckets: number, dest: number): void {
    for (let i = from; i < to; i++) {
      const a = hA[i];
      const b = hB[i];
      this.b1.push(b % numBuckets);
      this.b2.push(bucket2Of(a, b) % numBuckets);
      this.fp.push(fingerprintOf(a));
    }
    this.ends.push(this.b1.length);
    this.dest.push(dest);
  }

  /** Scores the rows with one ORT call and writes row r to target[dest[r], dest[r] + L). */
  async run(session: EmissionSession, L: number, target: Float32Array): Promise<void> {
    const m = this.ends.length;
    if (m === 0) return;
    let F = 0;
    for (let r = 0, at = 0; r < m; r++) {
      F = Math.max(F, this.ends.data[r] - at);
      at = this.ends.data[r];
    }
    // the padded inputs reuse their buffers: fresh memory costs a page fault per 4 KiB on first touch
    const b1 = this.in1.reserve(m * F);
    const b2 = this.in2.reserve(m * F);
    const fp = this.inFp.reserve(m * F);
    // padding: fingerprint 0, bucket 0 (emissions' contract)
    b1.fill(0, 0, m * F);
    b2.fill(0, 0, m * F);
    fp.fill(0, 0, m * F);
    const s1 = this.b1.data;
    const s2 = this.b2.data;
    const sf = this.fp.data;
    for (let r = 0, at = 0; r < m; r++) {
      const end = this.ends.data[r];
      for (let i = at, o = r * F; i < end; i++, o++) {
        b1[o] = s1[i];
        b2[o] = s2[i];
        fp[o] = sf[i];
      }
      at = end;
    }
    const E = await session.emissions(b1, b2, fp, m, F);
    const dest = this.dest.data;
    for (let r = 0; r < m; r++) {
      const o = dest[r];
      for (let y = 0, i = r * L; y < L; y++, i++) target[o + y] = E[i];
    }
  }
}

/**
 * Per loaded model: token text → its bags' emission scores, bounded by `maxBytes`, filled by the model's ORT
 * session. Entry 0 is the edge pseudo-token beyond the sequence ends.
 */
export class EmissionCache {
  private readonly L: number;
  private readonly R: number;
  /** Floats per entry: one score vector per offset −R..R. */
  private readonly stride: number;
  private readonly maxEntries: number;
  private size = 1;
  private edgeReady = false;
  private keys: string[] = [''];
  private hashes!: Int32Array;
  private lowers!: Uint32Array;
  /** The step that last used an entry: entries of the running step are never evicted. */
  private stamps!: Int32Array;
  private recent!: Uint8Array;
  /** Whether an entry is in the table (one whose scoring failed is not, until it is reused). */
  private live!: Uint8Array;
  private vectors!: Float32Array;
  /** Open addressing: entry + 1, 0 empty. */
  private table!: Int32Array;
  private mask = 0;
  private hand = 1;
  private step = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly bags: FeatureBags;
  private readonly batches: RowBatch[];
  private readonly gazBatch = new RowBatch();
  /** The running step's gazetteer rows: the token (within the step) of each and its scores. */
  private readonly gazTokens = new IntBuffer();
  private gazScores = new Float32Array(0);
  private readonly missing = new IntBuffer();
  private readonly entryOf = new IntBuffer();

  constructor(
    private readonly session: EmissionSession,
    private readonly extractor: FeatureExtractor,
    private readonly numBuckets: number,
    numLabels: number,
    private readonly settings: EmissionCacheSettings = DEFAULT_EMISSION_CACHE,
  ) {
    this.L = numLabels;
    this.R = extractor.radius;
    this.stride = (2 * this.R + 1) * numLabels;
    // a step holds up to max(chunkTokens, the longest sequence) texts, plus the edge
    this.maxEntries = Math.max(Math.max(settings.chunkTokens, MAX_SEQUENCE_TOKENS) + 2, Math.floor(settings.maxBytes / (4 * this.stride)));
    this.bags = extractor.newBags();
    // one ORT call per distance |d|: bags at the same distance have similar sizes, so little padding
    this.batches = Array.from({ length: this.R + 1 }, () => new RowBatch());
  }

  /** Token texts held. */
  get entries(): number {
    return this.size - 1;
  }

  /** Bytes the cache may hold (scores only). */
  get capacityBytes(): number {
    return this.maxEntries * this.stride * 4;
  }

  /** Emission scores [n × L] of each sequence of one document. Calls run one at a time. */
  document(seqs: Sequence[]): Promise<Float32Array[]> {
    const run = this.queue.then(() => this.compute(seqs));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private init(): void {
    const cap = this.maxEntries;
    let tableSize = 1024;
    while (tableSize < cap * 2) tableSize *= 2;
    // allocated whole but filled only as texts arrive (the pages are touched on first write)
    this.hashes = new Int32Array(cap);
    this.lowers = new Uint32Array(cap);
    this.stamps = new Int32Array(cap);
    this.recent = new Uint8Array(cap);
    this.live = new Uint8Array(cap);
    this.vectors = new Float32Array(cap * this.stride);
    this.table = new Int32Array(tableSize);
    this.mask = tableSize - 1;
  }

  private async compute(seqs: Sequence[]): Promise<Float32Array[]> {
    if (!this.vectors) this.init();
    const L = this.L;
    let total = 0;
    for (const s of seqs) {
      if (s.starts.length > this.maxEntries - 2) throw new RangeError(`EmissionCache: a sequence of ${s.starts.length} tokens exceeds ${this.maxEntries - 2}`);
      total += s.starts.length;
    }
    const out = new Float32Array(total * L);
    const result: Float32Array[] = [];
    let base = 0;
    for (let i = 0; i < seqs.length; ) {
      let j = i;
      let n = 0;
      while (j < seqs.length && (j === i || n + seqs[j].starts.length <= this.settings.chunkTokens)) n += seqs[j++].starts.length;
      await this.chunk(seqs, i, j, out, base);
      for (let k = i; k < j; k++) {
        const len = seqs[k].starts.length;
        result.push(out.subarray(base * L, (base + len) * L));
        base += len;
      }
      i = j;
    }
    return result;
  }

  /** Scores sequences [from, to) into out from token `base` on. */
  private async chunk(seqs: Sequence[], from: number, to: number, out: Float32Array, base: number): Promise<void> {
    const step = ++this.step;
    this.stamps[0] = step;
    const missing = this.missing;
    missing.length = 0;
    if (!this.edgeReady) missing.push(0);
    const entryOf = this.entryOf;
    entryOf.length = 0;
    for (let q = from; q < to; q++) {
      const { text, starts, ends } = seqs[q];
      for (let k = 0; k < starts.length; k++) entryOf.push(this.entry(text, starts[k], ends[k], step, missing));
    }
    try {
      await this.score(seqs, from, to);
    } catch (err) {
      // entries without scores must not stay findable
      for (let m = 0; m < missing.length; m++) if (missing.data[m] > 0) this.remove(missing.data[m]);
      throw err;
    }
    this.edgeReady = true;
    this.sum(seqs, from, to, out, base);
  }

  /** The entry of text[s, e), added (and listed in `missing`) when new. */
  private entry(text: string, s: number, e: number, step: number, missing: IntBuffer): number {
    let h = 0x811c9dc5;
    for (let i = s; i < e; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    const len = e - s;
    let slot = h & this.mask;
    for (;;) {
      const v = this.table[slot];
      if (v === 0) break;
      const ent = v - 1;
      if (this.hashes[ent] === h) {
        const key = this.keys[ent];
        let same = key.length === len;
        for (let i = 0; same && i < len; i++) same = key.charCodeAt(i) === text.charCodeAt(s + i);
        if (same) {
          this.stamps[ent] = step;
          this.recent[ent] = 1;
          return ent;
        }
      }
      slot = (slot + 1) & this.mask;
    }
    let ent: number;
    if (this.size < this.maxEntries) ent = this.size++;
    else {
      ent = this.evict(step);
      // the deletion may have freed a slot earlier on this probe sequence: insert at the first free one
      slot = h & this.mask;
      while (this.table[slot] !== 0) slot = (slot + 1) & this.mask;
    }
    this.table[slot] = ent + 1;
    this.keys[ent] = text.slice(s, e);
    this.hashes[ent] = h;
    this.stamps[ent] = step;
    this.recent[ent] = 1;
    this.live[ent] = 1;
    missing.push(ent);
    return ent;
  }

  /** Frees an entry the running step does not use (clock order: recently used entries get a second chance). */
  private evict(step: number): number {
    // the running step holds at most maxEntries − 2 texts (see compute), so two rounds always find one
    for (let tries = 2 * this.size; tries > 0; tries--) {
      const ent = this.hand;
      this.hand = this.hand + 1 < this.size ? this.hand + 1 : 1;
      if (this.stamps[ent] === step) continue;
      if (this.recent[ent] && this.live[ent]) {
        this.recent[ent] = 0;
        continue;
      }
      if (this.live[ent]) this.remove(ent);
      return ent;
    }
    throw new Error('EmissionCache: no entry to evict');
  }

  /** Takes an entry out of the table (backward-shift deletion keeps every probe sequence unbroken). */
  private remove(ent: number): void {
    const t = this.table;
    const mask = this.mask;
    let i = this.hashes[ent] & mask;
    while (t[i] !== ent + 1) i = (i + 1) & mask;
    for (let j = (i + 1) & mask; t[j] !== 0; j = (j + 1) & mask) {
      const home = this.hashes[t[j] - 1] & mask;
      // t[j] may move to i only if i lies on its probe path home..j
      if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
        t[i] = t[j];
        i = j;
      }
    }
    t[i] = 0;
    this.keys[ent] = '';
    this.live[ent] = 0;
  }

  /** Scores the missing entries' bags and the chunk's gazetteer features. */
  private async score(seqs: Sequence[], from: number, to: number): Promise<void> {
    const { bags, extractor, numBuckets, L, R, stride, vectors } = this;
    for (const b of this.batches) b.clear();
    const missing = this.missing;
    for (let m = 0; m < missing.length; m++) {
      const ent = missing.data[m];
      if (ent === 0) extractor.edgeBags(bags);
      else {
        const key = this.keys[ent];
        extractor.tokenBags(key, 0, key.length, bags);
        this.lowers[ent] = bags.lower;
      }
      for (let d = -R, at = 0; d <= R; d++) {
        const end = bags.ends[d + R];
        const dest = ent * stride + (d + R) * L;
        if (end > at) this.batches[Math.abs(d)].add(bags.hA, bags.hB, at, end, numBuckets, dest);
        else vectors.fill(0, dest, dest + L);
        at = end;
      }
    }
    for (const b of this.batches) await b.run(this.session, L, vectors);
    // gazetteer matches span tokens: scored per chunk, one row per token with matches
    const gaz = this.gazBatch;
    gaz.clear();
    this.gazTokens.length = 0;
    if (!extractor.hasGazetteer) return;
    let pos = 0;
    for (let q = from; q < to; q++) {
      const n = seqs[q].starts.length;
      const lower = new Uint32Array(n);
      for (let k = 0; k < n; k++) lower[k] = this.lowers[this.entryOf.data[pos + k]];
      const f = extractor.gazetteerFeatures(lower, n);
      if (f)
        for (let k = 0; k < n; k++) {
          if (f.offsets[k + 1] === f.offsets[k]) continue;
          gaz.add(f.hA, f.hB, f.offsets[k], f.offsets[k + 1], numBuckets, this.gazTokens.length * L);
          this.gazTokens.push(pos + k);
        }
      pos += n;
    }
    if (this.gazScores.length < this.gazTokens.length * L) this.gazScores = new Float32Array(this.gazTokens.length * L);
    await gaz.run(this.session, L, this.gazScores);
  }

  /** Adds each token's window of cached vectors (and its gazetteer scores) into out. */
  private sum(seqs: Sequence[], from: number, to: number, out: Float32Array, base: number): void {
    const { L, R, stride, vectors } = this;
    const entryOf = this.entryOf.data;
    let pos = 0;
    for (let q = from; q < to; q++) {
      const n = seqs[q].starts.length;
      for (let k = 0; k < n; k++) {
        const o = (base + pos + k) * L;
        if (R === 2) {
          // the default window, unrolled: one write per score
          const a = (k >= 2 ? entryOf[pos + k - 2] * stride : 0);
          const b = (k >= 1 ? entryOf[pos + k - 1] * stride : 0) + L;
          const c = entryOf[pos + k] * stride + 2 * L;
          const d = (k + 1 < n ? entryOf[pos + k + 1] * stride : 0) + 3 * L;
          const e = (k + 2 < n ? entryOf[pos + k + 2] * stride : 0) + 4 * L;
          for (let y = 0; y < L; y++) out[o + y] = vectors[a + y] + vectors[b + y] + vectors[c + y] + vectors[d + y] + vectors[e + y];
          continue;
        }
        for (let d = -R; d <= R; d++) {
          const j = k + d;
          const v = (j < 0 || j >= n ? 0 : entryOf[pos + j] * stride) + (d + R) * L;
          if (d === -R) for (let y = 0; y < L; y++) out[o + y] = vectors[v + y];
          else for (let y = 0; y < L; y++) out[o + y] += vectors[v + y];
        }
      }
      pos += n;
    }
    const g = this.gazScores;
    const tokens = this.gazTokens;
    for (let r = 0; r < tokens.length; r++) {
      const o = (base + tokens.data[r]) * L;
      for (let y = 0; y < L; y++) out[o + y] += g[r * L + y];
    }
  }
}
