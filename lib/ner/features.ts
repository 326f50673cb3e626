// Feature extraction: per token, a set of hashed sparse features (word, shape, affixes, character n-grams,
// context window, word clusters learned from unlabelled text, gazetteer matches). No strings are built per
// feature: each token's base values are hashed once and features are integer combinations of them.
import { combineA, combineB, fmix } from './hash.js';

/** Settings stored in the model so prediction extracts exactly the features training saw. */
export interface FeatureSettings {
  version: 1;
  /** Context window radius for word features. */
  window: number;
  /** Longest prefix/suffix length. */
  affixes: number;
  /** Character n-gram length (0 disables), counted over the lower-cased word with boundary marks. */
  charNgram: number;
  /** Cluster-id prefix lengths (bits) used as features; empty when no clusters. */
  clusterPrefixes: number[];
  /**
   * Far context: token k gets, unpositioned, the cluster (the first `bits` bits of its path) of each token at
   * k − to .. k − from, as one bag of words: what a word several tokens back says of this one ("arrive … on
   * Monday"). Absent: none (models from before it).
   */
  farContext?: FarContext;
}

export interface FarContext {
  from: number;
  to: number;
  bits: number;
}

export const DEFAULT_FEATURES: FeatureSettings = {
  version: 1,
  window: 2,
  affixes: 4,
  charNgram: 0,
  clusterPrefixes: [4, 8, 12, 16],
  farContext: { from: 3, to: 8, bits: 12 },
};

/** The far-context settings a model file may hold: a few tokens back, within a sequence's reach. */
export const FAR_CONTEXT_LIMITS = { maxTo: 32, maxBits: 16 } as const;

/** Word → cluster bit path (most significant bit first, `bits` long); looked up by lower-cased word hash. */
export interface ClusterTable {
  bits: number;
  /** The path, or -1 for an unknown word. */
  lookup(hash: number): number;
}

/** Gazetteer: token sequences (lower-cased word hashes) → category index. */
export interface Gazetteer {
  /** first token hash → entries starting with it */
  byFirst: Map<number, Array<{ hashes: number[]; category: number }>>;
  maxLength: number;
}

/** The features of a token sequence: token t owns hA/hB[offsets[t] .. offsets[t+1]). */
export interface SequenceFeatures {
  n: number;
  offsets: Int32Array;
  hA: Uint32Array;
  hB: Uint32Array;
}

/**
 * A token's features sorted by the token that receives them: bag d (d in −radius..radius) holds what the token at
 * position k − d gets from this one at k, so token k's features are the union over d of bag d of the token at k + d
 * (the edge pseudo-token beyond the sequence ends), plus the far bags of the tokens at k − to .. k − from within the
 * sequence (see FarContext), plus its gazetteer features. Bag d is hA/hB[ends[d + radius − 1], ends[d + radius]),
 * from 0 for the first; the far bag is hA/hB[ends[2 · radius], ends[2 · radius + 1]) (empty without far context).
 * Filled by `FeatureExtractor.tokenBags`/`edgeBags`, reusable.
 */
export class FeatureBags {
  readonly ends: Int32Array;
  readonly hA: Uint32Array;
  readonly hB: Uint32Array;
  /** The token's lower-cased text hash (what the gazetteer matches); 0 for the edge. */
  lower = 0;
  /** Features written. */
  size = 0;
  /** Appends a feature: one closure per object, as a closure per call would cost about as much as the work. */
  readonly emit = (template: number, value: number): void => {
    this.hA[this.size] = combineA(template, value);
    this.hB[this.size++] = combineB(template, value);
  };

  constructor(readonly radius: number, capacity: number) {
    this.ends = new Int32Array(2 * radius + 2);
    this.hA = new Uint32Array(capacity);
    this.hB = new Uint32Array(capacity);
  }
}

// Template ids: each distinct feature kind gets its own id; context offsets add to it.
const T = {
  BIAS: 1, W: 10, SHAPE: 20, SHAPEL: 30, PRE: 40, SUF: 50, FLAG: 60, NG: 70, BOS: 82, EOS: 83,
  SUF3: 90, CL: 100, CLG: 300, GAZ: 200, GAZW: 210, LEN: 84, FARG: 400, FARC: 401,
} as const;

const SEED_LOWER = 0x811c9dc5;
const SEED_SHAPE = 0x1b873593;
const SEED_SHAPEL = 0x2f1b5c77;

/** Per-token base values, computed once per token. */
interface TokenInfo {
  lower: Uint32Array;
  shape: Uint32Array;
  shapeLong: Uint32Array;
  flags: Uint32Array;
  len: Uint32Array;
  suf3: Uint32Array;
}

const FLAG_UPPER = 1, FLAG_TITLE = 2, FLAG_DIGIT = 4, FLAG_HASDIGIT = 8, FLAG_HYPHEN = 16, FLAG_PUNCT = 32,
  FLAG_MIXED = 64, FLAG_ALPHANUM = 128, FLAG_SLASH = 256, FLAG_DOT = 512, FLAG_NONASCII = 1024;

function lowerCode(c: number): number {
  if (c >= 65 && c <= 90) return c | 0x20;
  if (c < 128) return c;
  const s = String.fromCharCode(c).toLowerCase();
  return s.length === 1 ? s.charCodeAt(0) : c;
}

/** Character class for shapes: X upper, x lower, d digit, else the code unit itself. */
function shapeCode(c: number): number {
  if (c >= 65 && c <= 90) return 88;
  if (c >= 97 && c <= 122) return 120;
  if (c >= 48 && c <= 57) return 100;
  if (c < 128) return c;
  const s = String.fromCharCode(c);
  if (s !== s.toLowerCase()) return 88;
  if (s !== s.toUpperCase()) return 120;
  if (/\p{Nd}/u.test(s)) return 100;
  if (/\p{L}/u.test(s)) return 97; // caseless letter (CJK, Arabic…)
  return c;
}

/** Writes the base values of token text[s, e) into `info` at index k. */
function baseValues(text: string, s: number, e: number, info: TokenInfo, k: number): void {
  let hl = SEED_LOWER, hs = SEED_SHAPE, hsl = SEED_SHAPEL;
  let prevShape = -1, longCount = 0;
  let upper = 0, lowerN = 0, digit = 0, other = 0, flags = 0;
  for (let i = s; i < e; i++) {
    const c = text.charCodeAt(i);
    hl ^= lowerCode(c);
    hl = Math.imul(hl, 0x01000193);
    const sc = shapeCode(c);
    if (sc !== prevShape) {
      hs ^= sc;
      hs = Math.imul(hs, 0x01000193);
      prevShape = sc;
    }
    if (longCount < 8) {
      hsl ^= sc;
      hsl = Math.imul(hsl, 0x01000193);
      longCount++;
    }
    if (sc === 88) upper++;
    else if (sc === 120) lowerN++;
    else if (sc === 100) digit++;
    else if (sc !== 97) {
      other++;
      if (c === 45) flags |= FLAG_HYPHEN;
      else if (c === 47) flags |= FLAG_SLASH;
      else if (c === 46) flags |= FLAG_DOT;
    }
    if (c >= 128) flags |= FLAG_NONASCII;
  }
  const letters = upper + lowerN;
  if (upper > 0 && lowerN === 0) flags |= FLAG_UPPER;
  if (shapeCode(text.charCodeAt(s)) === 88 && upper === 1 && lowerN > 0) flags |= FLAG_TITLE;
  if (upper > 1 && lowerN > 0) flags |= FLAG_MIXED;
  if (digit > 0 && digit === e - s) flags |= FLAG_DIGIT;
  if (digit > 0) flags |= FLAG_HASDIGIT;
  if (digit > 0 && letters > 0) flags |= FLAG_ALPHANUM;
  if (other > 0 && letters === 0 && digit === 0) flags |= FLAG_PUNCT;
  info.lower[k] = fmix(hl);
  info.shape[k] = fmix(hs);
  info.shapeLong[k] = fmix(hsl ^ Math.min(e - s, 12));
  info.flags[k] = flags;
  info.len[k] = Math.min(e - s, 10);
  let h3 = 0x3c6ef372;
  for (let i = Math.max(s, e - 3); i < e; i++) {
    h3 ^= lowerCode(text.charCodeAt(i));
    h3 = Math.imul(h3, 0x01000193);
  }
  info.suf3[k] = fmix(h3);
}

/** Prefixes, suffixes and character n-grams of token text[s, e), over lower-cased code units. */
function affixFeatures(text: string, s: number, e: number, st: FeatureSettings, emit: (template: number, value: number) => void): void {
  let hp = 0x9747b28c;
  for (let i = 0; i < st.affixes && s + i < e; i++) {
    hp ^= lowerCode(text.charCodeAt(s + i));
    hp = Math.imul(hp, 0x01000193);
    emit(T.PRE + i, fmix(hp));
  }
  let hs = 0x85ebca6b;
  for (let i = 0; i < st.affixes && e - 1 - i >= s; i++) {
    hs ^= lowerCode(text.charCodeAt(e - 1 - i));
    hs = Math.imul(hs, 0x01000193);
    emit(T.SUF + i, fmix(hs));
  }
  if (st.charNgram > 0 && e - s > st.charNgram - 2) {
    // n-grams of "^word$"; at most 40 of them
    const len = e - s + 2;
    const g = st.charNgram;
    let count = 0;
    for (let a = 0; a + g <= len && count < 40; a++, count++) {
      let h = 0xcc9e2d51;
      for (let i = a; i < a + g; i++) {
        const c = i === 0 ? 94 : i === len - 1 ? 36 : lowerCode(text.charCodeAt(s + i - 1));
        h ^= c;
        h = Math.imul(h, 0x01000193);
      }
      emit(T.NG, fmix(h));
    }
  }
}

/** Cluster features token k gets from the token at k + d (|d| <= 1) whose cluster path is `c` (−1: unknown word). */
function clusterFeatures(
  table: ClusterTable, c: number, d: number, base: number, shift: number, prefixes: number[],
  emit: (template: number, value: number) => void,
): void {
  if (c < 0) {
    if (d === 0) emit(base, 0xffffffff);
    return;
  }
  for (let q = 0; q < prefixes.length; q++) {
    const bitsUsed = Math.min(prefixes[q], table.bits);
    emit(base + 10 * (d + shift) + q, (c >>> (table.bits - bitsUsed)) + 1);
  }
}

/**
 * The far-context feature of a token (see FarContext) through `emit`, if it has one: its pre-trained cluster's
 * prefix, else its project cluster's; `pretrained` and `own` are its paths (−1: unknown word).
 */
function farFeature(far: FarContext, pretrained: number, pretrainedBits: number, own: number, ownBits: number, emit: (template: number, value: number) => void): void {
  if (pretrained >= 0) emit(T.FARG, (pretrained >>> Math.max(0, pretrainedBits - far.bits)) + 1);
  else if (own >= 0) emit(T.FARC, (own >>> Math.max(0, ownBits - far.bits)) + 1);
}

/** Hash of the lower-cased token text text[s, e). */
export function lowerHash(text: string, s: number, e: number): number {
  let h = SEED_LOWER;
  for (let i = s; i < e; i++) {
    h ^= lowerCode(text.charCodeAt(i));
    h = Math.imul(h, 0x01000193);
  }
  return fmix(h);
}

/** Extracts features for token sequences of one text. */
export class FeatureExtractor {
  /** Scratch base values of one token, for `tokenBags`. */
  private one?: TokenInfo;

  constructor(
    readonly settings: FeatureSettings,
    private readonly clusters?: ClusterTable,
    private readonly gazetteer?: Gazetteer,
    /** Built-in clusters from pre-trained vectors (e.g. English GloVe), a second, independent feature family. */
    private readonly pretrained?: ClusterTable,
  ) {}

  private tokenInfo(text: string, starts: ArrayLike<number>, ends: ArrayLike<number>, from: number, to: number): TokenInfo {
    const n = to - from;
    const info: TokenInfo = {
      lower: new Uint32Array(n), shape: new Uint32Array(n), shapeLong: new Uint32Array(n),
      flags: new Uint32Array(n), len: new Uint32Array(n), suf3: new Uint32Array(n),
    };
    for (let k = 0; k < n; k++) baseValues(text, starts[from + k], ends[from + k], info, k);
    return info;
  }

  /**
   * Features of tokens [from, to) of `text` (a sequence, e.g. a sentence). Context features do not cross the
   * sequence boundary.
   */
  extract(text: string, starts: ArrayLike<number>, ends: ArrayLike<number>, from = 0, to = starts.length): SequenceFeatures {
    const n = to - from;
    const st = this.settings;
    const info = this.tokenInfo(text, starts, ends, from, to);
    const cl = this.clusters;
    const pt = this.pretrained;
    const pretrainedOf = new Int32Array(n).fill(-1);
    if (pt) for (let k = 0; k < n; k++) pretrainedOf[k] = pt.lookup(info.lower[k]);
    // the project's own clusters speak for the words the pre-trained clusters do not know (domain vocabulary)
    const clusterOf = new Int32Array(n).fill(-1);
    if (cl) for (let k = 0; k < n; k++) if (pretrainedOf[k] < 0) clusterOf[k] = cl.lookup(info.lower[k]);
    const gaz = this.gazetteerTags(info.lower, n);

    const far = st.farContext;
    // upper bound of features per token
    const maxPer = 60 + (far ? far.to - far.from + 1 : 0) + (st.charNgram > 0 ? 40 : 0) + (cl ? st.clusterPrefixes.length * 3 + 1 : 0) + (pt ? st.clusterPrefixes.length * 3 + 1 : 0) + (gaz ? 8 : 0);
    const hA = new Uint32Array(n * maxPer);
    const hB = new Uint32Array(n * maxPer);
    const offsets = new Int32Array(n + 1);
    let p = 0;
    const emit = (template: number, value: number) => {
      hA[p] = combineA(template, value);
      hB[p] = combineB(template, value);
      p++;
    };
    const clusters = (k: number, table: ClusterTable, of: Int32Array, base: number, shift: number) => {
      for (let d = -1; d <= 1; d++) {
        const j = k + d;
        if (j >= 0 && j < n) clusterFeatures(table, of[j], d, base, shift, st.clusterPrefixes, emit);
      }
    };

    for (let k = 0; k < n; k++) {
      offsets[k] = p;
      const s = starts[from + k];
      const e = ends[from + k];
      emit(T.BIAS, 0);
      emit(T.W, info.lower[k]);
      emit(T.SHAPE, info.shape[k]);
      emit(T.SHAPEL, info.shapeLong[k]);
      emit(T.LEN, info.len[k]);
      const f = info.flags[k];
      for (let b = 0; b < 11; b++) if (f & (1 << b)) emit(T.FLAG, b);
      affixFeatures(text, s, e, st, emit);
      for (let d = -st.window; d <= st.window; d++) {
        if (d === 0) continue;
        const j = k + d;
        const off = d + 4;
        if (j < 0 || j >= n) {
          emit(T.W + off, d < 0 ? 1 : 2); // beyond the sequence edge
          continue;
        }
        emit(T.W + off, info.lower[j]);
        emit(T.SHAPE + off, info.shape[j]);
        if (d === -1 || d === 1) {
          emit(T.SUF3 + off, info.suf3[j]);
          const fj = info.flags[j];
          if (fj & FLAG_TITLE) emit(T.FLAG + off, 1);
          if (fj & FLAG_UPPER) emit(T.FLAG + off, 0);
        }
      }
      if (far) {
        for (let j = Math.max(0, k - far.to); j <= k - far.from; j++) farFeature(far, pretrainedOf[j], pt?.bits ?? 0, clusterOf[j], cl?.bits ?? 0, emit);
      }
      if (k === 0) emit(T.BOS, 0);
      if (k === n - 1) emit(T.EOS, 0);
      // cluster paths of the token and its neighbours at several prefix lengths, unknown words marked
      if (cl) clusters(k, cl, clusterOf, T.CL, 2);
      if (pt) clusters(k, pt, pretrainedOf, T.CLG, 3);
      if (gaz) {
        const g = gaz[k];
        for (const tag of g) emit(T.GAZ, tag);
        for (const tag of g) emit(T.GAZW, fmix(tag ^ info.lower[k]));
      }
    }
    offsets[n] = p;
    return { n, offsets, hA: hA.subarray(0, p), hB: hB.subarray(0, p) };
  }

  /**
   * Every far-context feature this extractor can give (see FarContext), whether seen or not: the trainer updates
   * them at a rate of their own.
   */
  farFeatures(): { hA: Uint32Array; hB: Uint32Array } {
    const far = this.settings.farContext;
    const tables: Array<[ClusterTable | undefined, number]> = [[this.pretrained, T.FARG], [this.clusters, T.FARC]];
    let total = 0;
    for (const [table] of tables) if (far && table) total += 2 ** Math.min(far.bits, table.bits);
    const hA = new Uint32Array(total);
    const hB = new Uint32Array(total);
    let p = 0;
    for (const [table, template] of tables) {
      if (!far || !table) continue;
      for (let v = 1, count = 2 ** Math.min(far.bits, table.bits); v <= count; v++, p++) {
        hA[p] = combineA(template, v);
        hB[p] = combineB(template, v);
      }
    }
    return { hA, hB };
  }

  /** Whether gazetteer features exist (see `gazetteerFeatures`). */
  get hasGazetteer(): boolean {
    return !!this.gazetteer && this.gazetteer.byFirst.size > 0;
  }

  /** How far (in tokens) a token's features reach: the context window, and ±1 for clusters and the sequence edges. */
  get radius(): number {
    return Math.max(this.settings.window, 1);
  }

  /** Buffers for `tokenBags` and `edgeBags`, reusable across calls. */
  newBags(): FeatureBags {
    const st = this.settings;
    const R = this.radius;
    const perTable = st.clusterPrefixes.length * 3 + 1;
    const max = 17 + 2 * st.affixes + (st.charNgram > 0 ? 40 : 0) + 12 * R + 2 + (this.clusters ? perTable : 0) + (this.pretrained ? perTable : 0);
    return new FeatureBags(R, max);
  }

  /**
   * The bags (see `FeatureBags`) of token text[s, e): the same features `extract` gives its neighbours, a function
   * of the token's text alone, so a caller can score each distinct token text once.
   */
  tokenBags(text: string, s: number, e: number, out: FeatureBags): void {
    const st = this.settings;
    const R = out.radius;
    const info = (this.one ??= {
      lower: new Uint32Array(1), shape: new Uint32Array(1), shapeLong: new Uint32Array(1),
      flags: new Uint32Array(1), len: new Uint32Array(1), suf3: new Uint32Array(1),
    });
    baseValues(text, s, e, info, 0);
    const lower = info.lower[0];
    const f = info.flags[0];
    const emit = out.emit;
    out.size = 0;
    // `| 0` as extract's Int32Array store does
    const pretrained = this.pretrained ? this.pretrained.lookup(lower) | 0 : -1;
    const own = this.clusters && pretrained < 0 ? this.clusters.lookup(lower) | 0 : -1;
    for (let d = -R; d <= R; d++) {
      const off = d + 4;
      if (d === 0) {
        emit(T.BIAS, 0);
        emit(T.W, lower);
        emit(T.SHAPE, info.shape[0]);
        emit(T.SHAPEL, info.shapeLong[0]);
        emit(T.LEN, info.len[0]);
        for (let b = 0; b < 11; b++) if (f & (1 << b)) emit(T.FLAG, b);
        affixFeatures(text, s, e, st, emit);
      } else if (d >= -st.window && d <= st.window) {
        emit(T.W + off, lower);
        emit(T.SHAPE + off, info.shape[0]);
        if (d === -1 || d === 1) {
          emit(T.SUF3 + off, info.suf3[0]);
          if (f & FLAG_TITLE) emit(T.FLAG + off, 1);
          if (f & FLAG_UPPER) emit(T.FLAG + off, 0);
        }
      }
      if (d >= -1 && d <= 1) {
        if (this.clusters) clusterFeatures(this.clusters, own, d, T.CL, 2, st.clusterPrefixes, emit);
        if (this.pretrained) clusterFeatures(this.pretrained, pretrained, d, T.CLG, 3, st.clusterPrefixes, emit);
      }
      out.ends[d + R] = out.size;
    }
    if (st.farContext) farFeature(st.farContext, pretrained, this.pretrained?.bits ?? 0, own, this.clusters?.bits ?? 0, emit);
    out.ends[2 * R + 1] = out.size;
    out.lower = lower;
  }

  /** The bags of the edge pseudo-token: bag d < 0 for the start of a sequence, d > 0 for its end. */
  edgeBags(out: FeatureBags): void {
    const st = this.settings;
    const R = out.radius;
    const emit = out.emit;
    out.size = 0;
    for (let d = -R; d <= R; d++) {
      if (d !== 0 && d >= -st.window && d <= st.window) emit(T.W + d + 4, d < 0 ? 1 : 2);
      if (d === -1) emit(T.BOS, 0);
      if (d === 1) emit(T.EOS, 0);
      out.ends[d + R] = out.size;
    }
    out.ends[2 * R + 1] = out.size;
    out.lower = 0;
  }

  /**
   * The gazetteer features of a sequence's tokens, given their lower-cased hashes (see `FeatureBags.lower`): the
   * only features that depend on several tokens. Undefined when no entry matches.
   */
  gazetteerFeatures(lower: ArrayLike<number>, n: number): SequenceFeatures | undefined {
    const gz = this.gazetteer;
    if (!gz || gz.byFirst.size === 0) return undefined;
    let candidate = false;
    for (let k = 0; k < n && !candidate; k++) candidate = gz.byFirst.has(lower[k]);
    if (!candidate) return undefined;
    const tags = this.gazetteerTags(lower, n)!;
    let total = 0;
    for (const g of tags) total += 2 * g.length;
    if (total === 0) return undefined;
    const offsets = new Int32Array(n + 1);
    const hA = new Uint32Array(total);
    const hB = new Uint32Array(total);
    let p = 0;
    for (let k = 0; k < n; k++) {
      offsets[k] = p;
      for (const tag of tags[k]) {
        hA[p] = combineA(T.GAZ, tag);
        hB[p++] = combineB(T.GAZ, tag);
      }
      for (const tag of tags[k]) {
        const v = fmix(tag ^ lower[k]);
        hA[p] = combineA(T.GAZW, v);
        hB[p++] = combineB(T.GAZW, v);
      }
    }
    offsets[n] = p;
    return { n, offsets, hA, hB };
  }

  /** Per token, the gazetteer position tags (category*4 + B/I/L/U) of the longest matches covering it. */
  private gazetteerTags(lower: ArrayLike<number>, n: number): number[][] | undefined {
    const gz = this.gazetteer;
    if (!gz || gz.byFirst.size === 0) return undefined;
    const out: number[][] = Array.from({ length: n }, () => []);
    for (let k = 0; k < n; k++) {
      const cands = gz.byFirst.get(lower[k]);
      if (!cands) continue;
      for (const c of cands) {
        const m = c.hashes.length;
        if (k + m > n) continue;
        let ok = true;
        for (let i = 1; i < m && ok; i++) if (lower[k + i] !== c.hashes[i]) ok = false;
        if (!ok) continue;
        if (m === 1) out[k].push(c.category * 4 + 3);
        else {
          out[k].push(c.category * 4);
          for (let i = 1; i < m - 1; i++) out[k + i].push(c.category * 4 + 1);
          out[k + m - 1].push(c.category * 4 + 2);
        }
      }
    }
    return out;
  }
}

/** Builds a gazetteer from token-hash sequences with categories (duplicates collapse). */
export function buildGazetteer(entries: Iterable<{ hashes: number[]; category: number }>): Gazetteer {
  const byFirst = new Map<number, Array<{ hashes: number[]; category: number }>>();
  const seen = new Set<string>();
  let maxLength = 0;
  for (const e of entries) {
    if (e.hashes.length === 0 || e.hashes.length > 12) continue;
    const key = `${e.category}:${e.hashes.join(',')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const list = byFirst.get(e.hashes[0]) ?? [];
    list.push({ hashes: e.hashes, category: e.category });
    byFirst.set(e.hashes[0], list);
    maxLength = Math.max(maxLength, e.hashes.length);
  }
  return { byFirst, maxLength };
}
