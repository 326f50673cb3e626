// Emission scores of documents through the ONNX model, scoring each distinct token text once: every feature of a
// token but the gazetteer's is a function of one token of its window (see FeatureBags), so a token's scores are the
// sum of its window's cached per-text bag scores, plus the far bags of the tokens a few back (FarContext), plus its
// gazetteer features scored per document.
import type { FarContext, FeatureBags, FeatureExtractor } from './features.js';
import { bucket2Of, fingerprintOf, fnv1a, modU32By } from './hash.js';
import { appendMatchingRows, type EmissionSession, type RowMatrix } from './onnx/session.js';
import { MAX_SEQUENCE_TOKENS, type Sequence } from './prepare.js';
import { sumKernels, type SumKernels } from './simd.js';
import { Regions } from './wasm-encode.js';

export interface EmissionCacheSettings {
  /**
   * Bound on the cached scores (4 bytes × labels per bag, 2 × window + 1 bags per token text, one more with far
   * context) and, at an eighth of
   * it, on the texts themselves; when the next step could pass either, the cache starts over. One step's texts are
   * held while it runs, whatever it says.
   */
  maxBytes: number;
  /** Tokens scored per step: one step's texts are held at once, whatever maxBytes says. */
  chunkTokens: number;
}

export const DEFAULT_EMISSION_CACHE: EmissionCacheSettings = { maxBytes: 16 << 20, chunkTokens: 2048 };

/**
 * Scores of documents up to this many floats (256K tokens·labels, 1 MiB) go to one reused region; a longer document's
 * region is made for it and given back at the next document that fits.
 */
const REUSED_FLOATS = 1 << 18;
const WASM_PAGE = 65536;

/**
 * Largest share of one batch in an ORT call, in looked-up rows (a call carries one share of the own bags and one of
 * the context bags, so up to twice this): ORT's scratch memory grows to the largest call (≈ rows × labels × 6
 * bytes), and fresh memory costs a page fault per 4 KiB on first touch (≈ 15 µs each on the benchmark VM).
 */
const MAX_CALL_CELLS = 8192;

/** The largest of a[o .. o + L). */
function rowMaximum(a: Float32Array, o: number, L: number): number {
  let m = -Infinity;
  for (let i = o; i < o + L; i++) if (a[i] > m) m = a[i];
  return m;
}

/** Growable Int32Array scratch. */
class IntBuffer {
  data = new Int32Array(256);
  length = 0;

  push(v: number): void {
    if (this.length === this.data.length) this.grow(this.length + 1);
    this.data[this.length++] = v;
  }

  /** The buffer, at least n long (contents kept). */
  reserve(n: number): Int32Array {
    if (this.data.length < n) this.grow(n);
    return this.data;
  }

  private grow(n: number): void {
    const d = new Int32Array(Math.max(n, this.data.length * 2));
    d.set(this.data.subarray(0, this.length));
    this.data = d;
  }
}

/** One ORT call's scores: rows [first, first + count) of the batch, row first + r at E[r * L]. */
interface Scored {
  E: Float32Array;
  first: number;
  count: number;
}

/**
 * Bags of features to score, one ORT row each, kept as their matching weight rows (`appendMatchingRows`, the rule
 * `matchingRows` applies, made while hashing), so a bag nothing matches needs no row.
 */
class RowBatch {
  /** Matching weight rows of all bags; bag r's are [ends[r − 1], ends[r]). */
  private readonly cells = new IntBuffer();
  private readonly ends = new IntBuffer();
  /** Caller's tag of each bag. */
  readonly dest = new IntBuffer();
  private readonly inputCells = new IntBuffer();
  /** `EmissionSession.buckets`: per bucket its fingerprint and weight row. */
  private readonly buckets: Int32Array;
  private readonly numBuckets: number;

  /** 1 / numBuckets, for modU32By. */
  private readonly inverse: number;

  constructor(private readonly session: EmissionSession) {
    this.buckets = session.buckets;
    this.numBuckets = session.numBuckets;
    this.inverse = 1 / this.numBuckets;
  }

  clear(): void {
    this.cells.length = this.ends.length = this.dest.length = 0;
  }

  /** The first matching row of the last bag added. */
  get lastRow(): number {
    return this.cells.data[this.ends.length > 1 ? this.ends.data[this.ends.length - 2] : 0];
  }

  /** Takes the last bag added back out. */
  undo(): void {
    this.ends.length--;
    this.dest.length--;
    this.cells.length = this.ends.length > 0 ? this.ends.data[this.ends.length - 1] : 0;
  }

  /** Adds the bag hA/hB[from, to) tagged `dest`; returns its number of matching rows (0: none, nothing added). */
  add(hA: Uint32Array, hB: Uint32Array, from: number, to: number, dest: number): number {
    const nb = this.numBuckets;
    const inv = this.inverse;
    const t = this.buckets;
    const before = this.cells.length;
    // room for two rows a feature, written unconditionally (one spare cell)
    const cells = this.cells.reserve(before + 2 * (to - from) + 1);
    let c = before;
    for (let i = from; i < to; i++) {
      const a = hA[i];
      const b = hB[i];
      const b1 = modU32By(b, nb, inv);
      const b2 = modU32By(bucket2Of(a, b), nb, inv);
      c = appendMatchingRows(t, b1, b2, fingerprintOf(a), cells, c);
    }
    this.cells.length = c;
    if (c === before) return 0;
    this.ends.push(this.cells.length);
    this.dest.push(dest);
    return this.cells.length - before;
  }

  /** Rows (bags) per call and row width of the planned calls; see `plan`. */
  private per = 1;
  private k = 0;

  /** Plans the ORT calls for all bags: at most MAX_CALL_CELLS cells each (rows padded with the all-zero row). Returns how many. */
  plan(): number {
    const rows = this.ends.length;
    const ends = this.ends.data;
    let k = 0;
    for (let r = 0, at = 0; r < rows; r++) {
      k = Math.max(k, ends[r] - at);
      at = ends[r];
    }
    this.k = k;
    this.per = Math.max(1, Math.floor(MAX_CALL_CELLS / k));
    return rows === 0 ? 0 : Math.ceil(rows / this.per);
  }

  /** The input of planned call i (valid until the next call of `input`: the buffer is reused) and its first bag. */
  input(i: number): { x: RowMatrix; first: number } {
    const { per, k } = this;
    const rows = this.ends.length;
    const ends = this.ends.data;
    const cells = this.cells.data;
    const first = i * per;
    const m = Math.min(per, rows - first);
    // a reused input: fresh memory is slow to touch the first time
    const x = this.inputCells.reserve(m * k).fill(this.session.missRow, 0, m * k);
    for (let r = 0, at = first === 0 ? 0 : ends[first - 1]; r < m; r++) {
      const end = ends[first + r];
      for (let j = at, o = r * k; j < end; j++, o++) x[o] = cells[j];
      at = end;
    }
    return { x: { rows: x, n: m, k }, first };
  }

  /** Scores all bags, one ORT call per planned call. */
  async run(): Promise<Scored[]> {
    const out: Scored[] = [];
    for (let i = 0, calls = this.plan(); i < calls; i++) {
      const { x, first } = this.input(i);
      out.push({ E: await this.session.emissionsForRows(x.rows, x.n, x.k), first, count: x.n });
    }
    return out;
  }
}

/**
 * Per loaded model: token text → the scores of its bags, filled by the model's ORT session and copied into one
 * arena. Entry 0 is the edge pseudo-token beyond the sequence ends.
 */
export class EmissionCache {
  private readonly L: number;
  private readonly R: number;
  /** Bags per entry: offsets −R..R, then the far bag when the model has far context. */
  private readonly D: number;
  private readonly far: FarContext | undefined;
  /** The far bags' running sum over a token's far window. */
  private readonly farSum: Float64Array;
  private readonly maxEntries: number;
  private readonly table: Int32Array;
  private readonly mask: number;
  private size = 0;
  /** Entry texts, as UTF-16 code units in one pool (no strings: a substring may keep its whole document alive). */
  private readonly keyAt: Int32Array;
  private readonly keyLength: Int32Array;
  private pool = new Uint16Array(1 << 14);
  private poolUsed = 0;
  private readonly maxPool: number;
  private readonly hashes: Int32Array;
  private readonly lowers: Uint32Array;
  /** Per (entry, bag): where its scores start in the arena (0: the zero vector). */
  private readonly rowAt: Int32Array;
  /**
   * All cached scores in one array (the byte bound; more only while one step needs more): the zero vector, then the
   * rows copied in from ORT's outputs, filled from the start again when the cache starts over, so memory once
   * touched is reused. One array, not blocks: the sum over a token's five bags runs about 40% faster. It is the
   * start of a WebAssembly memory, whose SIMD kernels sum the default window (see `layout`): then the document's
   * scores (`out`, from float `outAt` on) and the far sum (`acc`, from float `accAt` on, L floats).
   */
  private arena!: Float32Array;
  private out!: Float32Array;
  private acc!: Float32Array;
  private outAt = 0;
  private accAt = 0;
  private kernels!: SumKernels;
  /** Floats of the arena in use (the zero vector included). */
  private used: number;
  private queue: Promise<unknown> = Promise.resolve();
  /** Each scored token's largest score (see `document`), reused; grows to the longest document. */
  private maxima!: Float32Array;
  /** exp(score − the token's largest) of each scored token, float64 (what forward-backward takes). */
  private psi!: Float64Array;
  private maximaAt = 0;
  private psiAt = 0;
  private readonly bags: FeatureBags;
  private readonly batches: RowBatch[];
  private readonly gazBatch: RowBatch;
  private readonly missing = new IntBuffer();
  /**
   * Per weight row, 1 + the slot of the first bag whose only matching row it is (0: none yet): such bags (a rare
   * word's far context often matches only its shape) share that bag's scores. `aliases` holds this step's
   * (slot, first slot) pairs.
   */
  private readonly singleRow: Int32Array;
  private readonly aliases = new IntBuffer();
  /** Where each missing entry's text first occurs: sequence, start, end. */
  private readonly missingAt = new IntBuffer();
  private readonly entryOf = new IntBuffer();
  /** The running step's gazetteer scores (gazBatch.dest: the tokens). */
  private gazScores: Scored[] = [];

  constructor(
    private readonly session: EmissionSession,
    private readonly extractor: FeatureExtractor,
    private readonly settings: EmissionCacheSettings = DEFAULT_EMISSION_CACHE,
  ) {
    const numLabels = session.numLabels;
    this.L = numLabels;
    this.R = extractor.radius;
    this.far = extractor.settings.farContext;
    this.D = 2 * this.R + 1 + (this.far ? 1 : 0);
    this.farSum = new Float64Array(this.far ? numLabels : 0);
    // entries, the edge included; a step holds max(chunkTokens, its one sequence) texts, plus the edge
    this.maxEntries = Math.max(settings.chunkTokens + 1, MAX_SEQUENCE_TOKENS + 1, Math.floor(settings.maxBytes / (4 * this.D * numLabels)));
    let tableSize = 1024;
    while (tableSize < this.maxEntries * 2) tableSize *= 2;
    this.table = new Int32Array(tableSize);
    this.mask = tableSize - 1;
    this.hashes = new Int32Array(this.maxEntries);
    this.keyAt = new Int32Array(this.maxEntries);
    this.keyLength = new Int32Array(this.maxEntries);
    this.maxPool = Math.floor(settings.maxBytes / 16); // code units, 2 bytes each
    this.lowers = new Uint32Array(this.maxEntries);
    this.rowAt = new Int32Array(this.maxEntries * this.D);
    this.used = numLabels;
    this.layout(Math.max(2 * numLabels, Math.floor(settings.maxBytes / 4)), REUSED_FLOATS);
    this.bags = extractor.newBags();
    this.singleRow = new Int32Array(session.missRow + 1);
    // two batches a step, scored together by one ORT call (the graph's two row inputs): the tokens' own bags (the
    // large ones) and their context bags (a few rows each), so neither is padded to the other's width
    this.batches = [new RowBatch(session), new RowBatch(session)];
    this.gazBatch = new RowBatch(session);
  }

  /** Token texts held (besides the edge). */
  get entries(): number {
    return Math.max(0, this.size - 1);
  }

  /** Bytes of cached scores (the arena in use, less the zero vector). */
  private get scoreBytes(): number {
    return 4 * (this.used - this.L);
  }

  /** Bytes held: scores and texts. */
  get bytes(): number {
    return this.scoreBytes + 2 * this.poolUsed;
  }

  /**
   * Emission scores [n × L] of each sequence of one document, each token's largest score [n], and exp(score − that
   * largest) [n × L] (see Lattice.run), handed to `use` (and valid only until it returns: the memory is reused). Calls
   * run one at a time.
   */
  document<T>(seqs: Sequence[], use: (emissions: Float32Array[], rowMax: Float32Array[], psi: Float64Array[]) => T): Promise<T> {
    const run = this.queue.then(async () => {
      const { emissions, rowMax, psi } = await this.compute(seqs);
      return use(emissions, rowMax, psi);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async compute(seqs: Sequence[]): Promise<{ emissions: Float32Array[]; rowMax: Float32Array[]; psi: Float64Array[] }> {
    const L = this.L;
    let total = 0;
    for (const s of seqs) {
      if (s.starts.length >= this.maxEntries) throw new RangeError(`EmissionCache: a sequence of ${s.starts.length} tokens, more than ${this.maxEntries - 1}`);
      total += s.starts.length;
    }
    // the scores' region: the reused one, or one made for a longer document (given back at the next that fits)
    const wanted = Math.max(REUSED_FLOATS, total * L);
    if (this.out.length < wanted || (this.out.length > REUSED_FLOATS && wanted === REUSED_FLOATS)) this.layout(this.arena.length, wanted);
    const result: Float32Array[] = [];
    const rowMax: Float32Array[] = [];
    const psi: Float64Array[] = [];
    let base = 0;
    for (let i = 0; i < seqs.length; ) {
      let j = i;
      let n = 0;
      while (j < seqs.length && (j === i || n + seqs[j].starts.length <= this.settings.chunkTokens)) n += seqs[j++].starts.length;
      try {
        await this.chunk(seqs, i, j, n, base);
      } catch (err) {
        this.clear(); // entries whose scores did not arrive must not stay findable
        throw err;
      }
      // the region as it is now (a step that grows the arena moves it; what earlier steps wrote stays where it was)
      const { out, maxima, psi: p } = this;
      for (let k = i; k < j; k++) {
        const len = seqs[k].starts.length;
        result.push(out.subarray(base * L, (base + len) * L));
        rowMax.push(maxima.subarray(base, base + len));
        psi.push(p.subarray(base * L, (base + len) * L));
        base += len;
      }
      i = j;
    }
    return { emissions: result, rowMax, psi };
  }

  /** Forgets every text (the scores' memory goes with them). */
  private clear(): void {
    this.table.fill(0);
    this.poolUsed = 0;
    this.size = 0;
    this.used = this.L;
    this.singleRow.fill(0);
  }

  /**
   * Writes the whole memory (the arena's byte bound, the reused regions of a document's scores, maxima and
   * exponentials) once, before the cache is used. Memory is slow to touch the first time (a page fault per 4 KiB,
   * ~13 µs each on the benchmark VM): a cache that has been running has touched all of it, and this makes a freshly
   * loaded model start in that state instead of paying for it while tagging.
   */
  reserve(): void {
    new Float64Array(this.arena.buffer).fill(0);
  }

  /**
   * A fresh memory of `arenaFloats` of arena (its rows in use copied over), `outFloats` of scores and the far sum,
   * and the kernels over it. The old memory is not touched: scores already handed out of it stay valid.
   */
  private layout(arenaFloats: number, outFloats: number): void {
    const L = this.L;
    const tokens = Math.ceil(outFloats / L);
    // the arena from byte 0, then the regions at 16-byte boundaries, their offsets kept in floats; 4 values of room
    // after out and psi (the psi kernel runs past a row's end)
    const r = new Regions(4 * arenaFloats);
    const outAt = r.take(4 * (outFloats + 4)) / 4;
    const maximaAt = r.take(4 * tokens) / 4;
    const accAt = r.take(4 * L) / 4;
    const psiAt = r.take(8 * (outFloats + 4)) / 4; // psi is float64 from byte 4·psiAt
    const memory = new WebAssembly.Memory({ initial: Math.ceil(r.bytes / WASM_PAGE) });
    const arena = new Float32Array(memory.buffer, 0, arenaFloats);
    if (this.arena) arena.set(this.arena.subarray(0, this.used));
    this.arena = arena;
    this.out = new Float32Array(memory.buffer, 4 * outAt, outFloats);
    this.maxima = new Float32Array(memory.buffer, 4 * maximaAt, tokens);
    this.acc = new Float32Array(memory.buffer, 4 * accAt, L);
    this.psi = new Float64Array(memory.buffer, 4 * psiAt, outFloats);
    this.outAt = outAt;
    this.maximaAt = maximaAt;
    this.accAt = accAt;
    this.psiAt = psiAt;
    this.kernels = sumKernels(memory);
  }

  /** Copies rows [0, count) of E (L floats each) into the arena; row r's place goes to the slots dest[first + r]. */
  private keep(E: Float32Array, count: number, dest: Int32Array, first: number): void {
    const L = this.L;
    const need = this.used + count * L;
    // one step alone passes the bound: the arena grows for it (and stays grown: never more than one step's scores)
    if (need > this.arena.length) this.layout(Math.max(need, 2 * this.arena.length), this.out.length);
    this.arena.set(count * L === E.length ? E : E.subarray(0, count * L), this.used);
    for (let i = 0; i < count; i++) this.rowAt[dest[first + i]] = this.used + i * L;
    this.used = need;
  }

  /** Scores sequences [from, to) (n tokens) into out (and their largest scores into maxima) from token `base` on. */
  private async chunk(seqs: Sequence[], from: number, to: number, n: number, base: number): Promise<void> {
    let chars = 0;
    for (let q = from; q < to; q++) {
      const { starts, ends } = seqs[q];
      if (starts.length > 0) chars += ends[ends.length - 1] - starts[0];
    }
    // room for every text of this step and the edge (scores are at most D × L floats per entry)
    if (this.size + n + 1 > this.maxEntries || this.poolUsed + chars > this.maxPool) this.clear();
    const missing = this.missing;
    missing.length = 0;
    this.missingAt.length = 0;
    if (this.size === 0) {
      this.size = 1;
      missing.push(0);
      this.missingAt.push(-1);
      this.missingAt.push(0);
      this.missingAt.push(0);
    }
    const entryOf = this.entryOf;
    const ids = entryOf.reserve(n);
    let p = 0;
    for (let q = from; q < to; q++) {
      const { text, starts, ends } = seqs[q];
      for (let k = 0; k < starts.length; k++) ids[p++] = this.entry(text, starts[k], ends[k], q);
    }
    entryOf.length = n;
    await this.score(seqs, from, to);
    this.sum(seqs, from, to, this.maxima, base);
    const L = this.L;
    this.kernels.psi(4 * (this.outAt + base * L), 4 * (this.maximaAt + base), n, L, 4 * this.psiAt + 8 * base * L);
    // a step that alone passes the bound (very long tokens, or a tiny maxBytes) is held only while it runs
    if (this.poolUsed > this.maxPool || this.scoreBytes > this.settings.maxBytes) this.clear();
  }

  /** The entry of text[s, e) (of sequence q), added (and listed in `missing`) when new. */
  private entry(text: string, s: number, e: number, q: number): number {
    const h = fnv1a(text, s, e);
    const len = e - s;
    const pool = this.pool;
    let slot = h & this.mask;
    for (let v = this.table[slot]; v !== 0; v = this.table[slot]) {
      const ent = v - 1;
      if (this.hashes[ent] === h && this.keyLength[ent] === len) {
        const at = this.keyAt[ent];
        let same = true;
        for (let i = 0; same && i < len; i++) same = pool[at + i] === text.charCodeAt(s + i);
        if (same) return ent;
      }
      slot = (slot + 1) & this.mask;
    }
    const ent = this.size++;
    this.table[slot] = ent + 1;
    if (this.poolUsed + len > pool.length) {
      const grown = new Uint16Array(Math.max(this.poolUsed + len, 2 * pool.length));
      grown.set(pool.subarray(0, this.poolUsed));
      this.pool = grown;
    }
    const at = this.poolUsed;
    for (let i = 0; i < len; i++) this.pool[at + i] = text.charCodeAt(s + i);
    this.poolUsed += len;
    this.keyAt[ent] = at;
    this.keyLength[ent] = len;
    this.hashes[ent] = h;
    this.missing.push(ent);
    this.missingAt.push(q);
    this.missingAt.push(s);
    this.missingAt.push(e);
    return ent;
  }

  /** Scores the new entries' bags and the step's gazetteer features. */
  private async score(seqs: Sequence[], from: number, to: number): Promise<void> {
    const { bags, extractor, D, R } = this;
    for (const b of this.batches) b.clear();
    const { missing, aliases, singleRow } = this;
    aliases.length = 0;
    for (let m = 0; m < missing.length; m++) {
      const ent = missing.data[m];
      if (ent === 0) extractor.edgeBags(bags);
      else {
        const at = this.missingAt.data;
        extractor.tokenBags(seqs[at[3 * m]].text, at[3 * m + 1], at[3 * m + 2], bags);
        this.lowers[ent] = bags.lower;
      }
      // bags −R..R, then the far bag (one feature at most: the texts of a cluster share its scores)
      for (let b = 0, at = 0; b < D; b++) {
        const end = bags.ends[b];
        const slot = ent * D + b;
        const batch = this.batches[b === R ? 0 : 1];
        const rows = end > at ? batch.add(bags.hA, bags.hB, at, end, slot) : 0;
        if (rows === 0) this.rowAt[slot] = 0;
        else if (rows === 1) {
          const row = batch.lastRow;
          if (singleRow[row] > 0) {
            batch.undo();
            aliases.push(slot);
            aliases.push(singleRow[row] - 1);
          } else singleRow[row] = slot + 1;
        }
        at = end;
      }
    }
    // a token's own bag and its context bags: one ORT call scores a call's worth of each
    const [own, context] = this.batches;
    const ownCalls = own.plan();
    const contextCalls = context.plan();
    for (let i = 0; i < Math.max(ownCalls, contextCalls); i++) {
      if (i < ownCalls && i < contextCalls) {
        const a = own.input(i);
        const b = context.input(i);
        const [Ea, Eb] = await this.session.emissionsForRowPair(a.x, b.x);
        this.keep(Ea, a.x.n, own.dest.data, a.first);
        this.keep(Eb, b.x.n, context.dest.data, b.first);
      } else {
        const batch = i < ownCalls ? own : context;
        const { x, first } = batch.input(i);
        this.keep(await this.session.emissionsForRows(x.rows, x.n, x.k), x.n, batch.dest.data, first);
      }
    }
    for (let i = 0; i < aliases.length; i += 2) this.rowAt[aliases.data[i]] = this.rowAt[aliases.data[i + 1]];
    // gazetteer matches span tokens: scored per step, one row per token with matches
    const gaz = this.gazBatch;
    gaz.clear();
    this.gazScores = [];
    if (!extractor.hasGazetteer) return;
    let pos = 0;
    for (let q = from; q < to; q++) {
      const n = seqs[q].starts.length;
      const lower = new Uint32Array(n);
      for (let k = 0; k < n; k++) lower[k] = this.lowers[this.entryOf.data[pos + k]];
      const f = extractor.gazetteerFeatures(lower, n);
      if (f) for (let k = 0; k < n; k++) if (f.offsets[k + 1] > f.offsets[k]) gaz.add(f.hA, f.hB, f.offsets[k], f.offsets[k + 1], pos + k);
      pos += n;
    }
    this.gazScores = await gaz.run();
  }

  /**
   * Adds to each token k of a sequence (entries ids[pos..pos + n), scores in out from o on) the far bags of the
   * tokens k − to .. k − from, kept as a running sum (in float64: what leaves the window is taken back out).
   */
  private addFar(ids: Int32Array, pos: number, n: number, out: Float32Array, o: number): void {
    const { L, D, arena: A, rowAt, farSum: acc } = this;
    const { from, to } = this.far!;
    let live = 0;
    for (let k = 0; k < n; k++, o += L) {
      const enter = k - from >= 0 ? rowAt[ids[pos + k - from] * D + D - 1] : 0;
      if (enter !== 0) {
        if (live++ === 0) acc.fill(0);
        for (let y = 0; y < L; y++) acc[y] += A[enter + y];
      }
      const leave = k - to - 1 >= 0 ? rowAt[ids[pos + k - to - 1] * D + D - 1] : 0;
      if (leave !== 0 && --live > 0) for (let y = 0; y < L; y++) acc[y] -= A[leave + y];
      if (live > 0) for (let y = 0; y < L; y++) out[o + y] += acc[y];
    }
  }

  /**
   * Writes each token's sum of its window's bag scores (and its gazetteer scores) into out, and the largest of them
   * into maxima (as stored: rounding to float32 keeps the order, so the rounded maximum of the sums is the maximum).
   */
  private sum(seqs: Sequence[], from: number, to: number, maxima: Float32Array, base: number): void {
    const { L, R, D, arena: A, out, rowAt, far, acc, kernels } = this;
    const ids = this.entryOf.data;
    // far context: the far bags of tokens k − farTo .. k − farFrom, as a running sum (acc) of `live` nonzero ones
    const farFrom = far ? far.from : 0;
    const farTo = far ? far.to : -1;
    const F = D - 1;
    // byte offsets for the kernels: the arena starts the memory, so a row at float r is at byte 4r
    const outByte = 4 * this.outAt;
    const accByte = 4 * this.accAt;
    let pos = 0;
    for (let q = from; q < to; q++) {
      const n = seqs[q].starts.length;
      let live = 0;
      for (let k = 0; k < n; k++) {
        const o = (base + pos + k) * L;
        if (R === 2) {
          // the default window: the SIMD kernels, one write per score, the far sum's update made in the same pass
          const a = 4 * rowAt[k >= 2 ? ids[pos + k - 2] * D : 0];
          const b = 4 * rowAt[(k >= 1 ? ids[pos + k - 1] * D : 0) + 1];
          const c = 4 * rowAt[ids[pos + k] * D + 2];
          const d = 4 * rowAt[(k + 1 < n ? ids[pos + k + 1] * D : 0) + 3];
          const e = 4 * rowAt[(k + 2 < n ? ids[pos + k + 2] * D : 0) + 4];
          const enter = far && k >= farFrom ? rowAt[ids[pos + k - farFrom] * D + F] : 0;
          const leave = far && k > farTo ? rowAt[ids[pos + k - farTo - 1] * D + F] : 0;
          // as addFar: the running sum starts from zero whenever its window stops being empty
          if (enter !== 0 && live === 0) acc.fill(0);
          live += (enter !== 0 ? 1 : 0) - (leave !== 0 ? 1 : 0);
          maxima[base + pos + k] =
            live > 0 ? kernels.sum5far(outByte + 4 * o, a, b, c, d, e, accByte, 4 * enter, 4 * leave, L) : kernels.sum5(outByte + 4 * o, a, b, c, d, e, L);
          continue;
        }
        for (let d = -R; d <= R; d++) {
          const j = k + d;
          const slot = (j < 0 || j >= n ? 0 : ids[pos + j] * D) + d + R;
          const at = rowAt[slot];
          if (d === -R) for (let y = 0; y < L; y++) out[o + y] = A[at + y];
          else for (let y = 0; y < L; y++) out[o + y] += A[at + y];
        }
      }
      if (R !== 2) {
        if (far) this.addFar(ids, pos, n, out, (base + pos) * L);
        for (let k = 0; k < n; k++) maxima[base + pos + k] = rowMaximum(out, (base + pos + k) * L, L);
      }
      pos += n;
    }
    const gazTokens = this.gazBatch.dest.data;
    for (const { E, first, count } of this.gazScores)
      for (let r = 0; r < count; r++) {
        const t = base + gazTokens[first + r];
        const o = t * L;
        for (let y = 0; y < L; y++) out[o + y] += E[r * L + y];
        maxima[t] = rowMaximum(out, o, L);
      }
  }
}
