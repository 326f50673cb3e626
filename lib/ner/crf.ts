// Linear-chain CRF: AdaGrad training of sparse emission weights and label transitions, Viterbi decoding,
// scaled forward-backward for marginals and exact span probabilities (the entity confidence).
import type { LabelSet } from './labels.js';
import { trainKernels, type TrainKernels } from './simd.js';
import { latticeKernels, type LatticeKernels } from './wasm-lattice.js';
import { growTo, Regions } from './wasm-encode.js';

/** A training sequence: token t owns feature ids ids[offsets[t] .. offsets[t+1]); gold tags. */
export interface TrainSequence {
  n: number;
  offsets: Int32Array;
  ids: Int32Array;
  tags: Int32Array;
}

/** Transition structure and scores shared by training and inference. */
export interface ChainScores {
  L: number;
  /** [L*L] from-row, to-column; disallowed entries are -Infinity-like (DISALLOWED). */
  trans: Float64Array;
  start: Float64Array;
  end: Float64Array;
  /**
   * Present when the cross-category pairs of a BILOU chain are factored (see CrossFactors); trans holds u + v (+ w)
   * there.
   */
  cross?: CrossFactors;
}

/**
 * Trained parameters. From trainCrf, the arrays are views of the trainer's WebAssembly memory and keep all of it (the
 * trainer's tables, about twice the weights' bytes) alive as long as they are referenced.
 */
export interface CrfParams extends ChainScores {
  numFeatures: number;
  /** [numFeatures * L] emission weights. */
  W: Float64Array;
  /** With CrfTrainOptions.float16: W's values as float16 bits, and each row's L1 norm (see roundRowsToFloat16). */
  float16?: { bits: Uint16Array; norms: Float64Array };
}

export interface CrfTrainOptions {
  epochs: number;
  /** AdaGrad base learning rate. */
  eta: number;
  /** L2 strength applied to touched weights. */
  l2: number;
  seed: number;
  /** Return the average of all iterates instead of the last one (better generalisation from few documents). */
  average?: boolean;
  /**
   * Shared label parts: each feature also gets one weight per group of labels (e.g. per tag prefix B/I/L/U/O
   * across categories, and per category across prefixes), so what marks an entity boundary is learned from all
   * categories together. Folded into W at the end: the model's shape does not change.
   */
  labelGroups?: Int32Array[];
  /**
   * BILOU only: score the transitions from an entity's end to the next entity's start of another category as
   * u[from] + v[to] (2L parameters instead of L²/4) — decoding and training become O(L) per token instead of O(L²).
   */
  factorCross?: boolean;
  /**
   * Factored chains: corrected pairs (CrossFactors.pairs) whose correction ends below this are dropped when training
   * ends (default 0: all kept). Each kept pair costs decoding the same work whatever its size.
   */
  minPairCorrection?: number;
  /**
   * Per feature row, a multiplier of eta (all 1 when absent): features that are many and weak each (the far context)
   * learn more slowly, so a few documents do not make them carry what the token's own features should.
   */
  rowRates?: Float32Array;
  /** Gradient entries smaller than this are skipped (they barely move a weight; skipping them is most of the speed). */
  minGradient?: number;
  /** After each pass over the data, with the number of passes in all. */
  onEpoch?: (epoch: number, loss: number, epochs: number) => void;
  /** Round the trained emission weights to float16 (roundRowsToFloat16's values, bits and norms: CrfParams.float16). */
  float16?: boolean;
}

export const DISALLOWED = -1e4;

/**
 * BILOU chains with factored cross-category transitions: between an entity's end (L-x, U-x) and the next
 * entity's start (B-y, U-y) of another category, trans = u[from] + v[to] (+ w for a corrected pair, see `pairs`);
 * every other allowed transition has its own score. The K² cross pairs are what made decoding O(L²); factored,
 * forward, backward and Viterbi are O(L).
 * Labels: O = 0, then per category c: B = 1 + 4c, I = 2 + 4c, L = 3 + 4c, U = 4 + 4c (LabelSet's BILOU layout).
 */
export interface CrossFactors {
  /** [L], used at L-x and U-x. */
  u: Float64Array;
  /** [L], used at B-y and U-y. */
  v: Float64Array;
  /**
   * Sparse corrections: the pair from[j] → to[j] (a cross pair) scores u + v + w[j], w[j] ≥ 0. Training lists the
   * pairs its gold paths contain (adjacent entities, e.g. a month then a day of the same date): what u + v alone
   * cannot say is that this category follows that one more often than the factors predict. Non-negative, so the
   * O(L) Viterbi stays exact (a pair can only beat the factored maximum). In increasing (from, to) order.
   */
  pairs?: CrossPairs;
}

export interface CrossPairs {
  from: Int32Array;
  to: Int32Array;
  w: Float64Array;
}

/** Whether a → b is a cross-category pair (scored u[a] + v[b], + w if corrected) in a BILOU label layout. */
export function isCrossPair(a: number, b: number): boolean {
  if (a === 0 || b === 0) return false;
  const pa = (a - 1) & 3;
  const pb = (b - 1) & 3;
  return (pa === 2 || pa === 3) && (pb === 0 || pb === 3) && (a - 1) >> 2 !== (b - 1) >> 2;
}

/**
 * Writes u[a] + v[b] (+ w for a corrected pair) into the cross pairs of `trans` (the matrix stays the full table of
 * scores). `list` is the cross pairs as (a, b) flat, when the caller has it (training, once per sequence).
 */
export function materializeCross(trans: Float64Array, L: number, cross: CrossFactors, list?: Int32Array): void {
  if (list) for (let j = 0; j < list.length; j += 2) trans[list[j] * L + list[j + 1]] = cross.u[list[j]] + cross.v[list[j + 1]];
  else for (let a = 1; a < L; a++) for (let b = 1; b < L; b++) if (isCrossPair(a, b)) trans[a * L + b] = cross.u[a] + cross.v[b];
  const p = cross.pairs;
  if (p) for (let j = 0; j < p.w.length; j++) trans[p.from[j] * L + p.to[j]] += p.w[j];
}

/** For each label, the labels allowed before it (pred) and after it (succ): the tag scheme makes most pairs impossible. */
export interface Adjacency {
  predOff: Int32Array;
  pred: Int32Array;
  succOff: Int32Array;
  succ: Int32Array;
  /** trans[pred[k] → y] aligned with pred (y owns predOff[y]..predOff[y+1]): contiguous in the inner loops. */
  predTrans: Float64Array;
  /** exp of predTrans. */
  predExpT: Float64Array;
  /** exp(trans[a → succ[k]]) aligned with succ. */
  succExpT: Float64Array;
}

export function adjacency(c: ChainScores): Adjacency {
  const L = c.L;
  const predOff = new Int32Array(L + 1);
  const succOff = new Int32Array(L + 1);
  const pred: number[] = [];
  const succ: number[] = [];
  for (let y = 0; y < L; y++) {
    predOff[y] = pred.length;
    for (let a = 0; a < L; a++) if (c.trans[a * L + y] > DISALLOWED) pred.push(a);
    succOff[y] = succ.length;
    for (let b = 0; b < L; b++) if (c.trans[y * L + b] > DISALLOWED) succ.push(b);
  }
  predOff[L] = pred.length;
  succOff[L] = succ.length;
  const adj: Adjacency = {
    predOff, pred: Int32Array.from(pred), succOff, succ: Int32Array.from(succ),
    predTrans: new Float64Array(pred.length), predExpT: new Float64Array(pred.length), succExpT: new Float64Array(succ.length),
  };
  updateAdjacency(adj, c);
  return adj;
}

/** Refreshes the aligned transition scores after the scores changed (the structure never does). */
export function updateAdjacency(adj: Adjacency, c: ChainScores): void {
  const L = c.L;
  const { predOff, pred, succOff, succ, predTrans, predExpT, succExpT } = adj;
  for (let y = 0; y < L; y++)
    for (let k = predOff[y]; k < predOff[y + 1]; k++) {
      predTrans[k] = c.trans[pred[k] * L + y];
      predExpT[k] = Math.exp(predTrans[k]);
    }
  for (let a = 0; a < L; a++) for (let k = succOff[a]; k < succOff[a + 1]; k++) succExpT[k] = Math.exp(c.trans[a * L + succ[k]]);
}

// ln2/64 split so that n · EXP_STEP_HI is exact (fdlibm's ln2_hi has 32 significant bits): no cancellation error
export const EXP_STEP_HI = 6.93147180369123816490e-1 / 64;
export const EXP_STEP_LO = 1.90821492927058770002e-10 / 64;
export const EXP_INV_STEP = 64 / Math.LN2;
export const EXP_FRAC = Float64Array.from({ length: 64 }, (_, j) => 2 ** (j / 64));
export const EXP_POW2 = Float64Array.from({ length: 1076 }, (_, k) => 2 ** -k);

/**
 * exp(x) for x ≤ 0, within a few ulps of Math.exp (relative error < 1e-14 down to −708) and about 3× faster: 2^(n/64) from two
 * tables times a short Taylor series on the remainder (< ln2/64). The emission potentials are most of the exps.
 */
export function expNonPositive(x: number): number {
  const n = Math.floor(x * EXP_INV_STEP);
  if (n < -68_800) return 0;
  const r = x - n * EXP_STEP_HI - n * EXP_STEP_LO;
  return EXP_POW2[-(n >> 6)] * EXP_FRAC[n & 63] * (1 + r * (1 + r * (0.5 + r * (1 / 6 + r * (1 / 24 + r / 120)))));
}

/** mulberry32: small seeded PRNG for deterministic shuffling. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Structural transition masks from the tag scheme (e.g. O → I-X is impossible). */
export function initialScores(labels: LabelSet): ChainScores {
  const L = labels.size;
  const trans = new Float64Array(L * L);
  const start = new Float64Array(L);
  const end = new Float64Array(L);
  for (let a = 0; a < L; a++) {
    start[a] = labels.allowedStart(a) ? 0 : DISALLOWED;
    end[a] = labels.allowedEnd(a) ? 0 : DISALLOWED;
    for (let b = 0; b < L; b++) trans[a * L + b] = labels.allowed(a, b) ? 0 : DISALLOWED;
  }
  return { L, trans, start, end };
}

/** Per-category parameter slots of the factored BILOU kernels (stride CAT). */
const enum P {
  OB, OU, LO, UO, LB, LU, UB, UU, BI, BL, II, IL, UL, UU_, VB, VU, CAT,
}

/**
 * The factored BILOU chain's scores per category, in one flat array (P slots) plus O → O: as scores (`log`) for
 * Viterbi and as exp(score) (`exp`) for forward-backward. Slots UL/UU_ hold u at L-x/U-x, VB/VU hold v at B-x/U-x.
 */
export class BilouChain {
  readonly K: number;
  readonly log: Float64Array;
  readonly exp: Float64Array;
  logOO = 0;
  expOO = 1;
  /** The corrected cross pairs (see CrossFactors.pairs): from, to, u + v + w, exp(u + v), exp(u + v)·(e^w − 1). */
  np = 0;
  pFrom = new Int32Array(0);
  pTo = new Int32Array(0);
  pLog = new Float64Array(0);
  pExpUV = new Float64Array(0);
  pExtra = new Float64Array(0);

  constructor(readonly L: number) {
    this.K = (L - 1) >> 2;
    this.log = new Float64Array(this.K * P.CAT);
    this.exp = new Float64Array(this.K * P.CAT);
  }

  /** Whether a chain can use these kernels: factored cross pairs over a BILOU layout. */
  static fits(c: ChainScores): boolean {
    return c.cross !== undefined && c.L >= 1 && (c.L - 1) % 4 === 0;
  }

  set(c: ChainScores): void {
    const { L, trans } = c;
    const { u, v } = c.cross!;
    // rows of trans by index, no helper closure: training calls this once per sequence
    this.logOO = trans[0];
    this.expOO = Math.exp(this.logOO);
    for (let k = 0; k < this.K; k++) {
      const B = 1 + 4 * k, I = B + 1, Lk = B + 2, U = B + 3;
      const s = k * P.CAT;
      const l = this.log;
      l[s + P.OB] = trans[B]; l[s + P.OU] = trans[U]; l[s + P.LO] = trans[Lk * L]; l[s + P.UO] = trans[U * L];
      l[s + P.LB] = trans[Lk * L + B]; l[s + P.LU] = trans[Lk * L + U]; l[s + P.UB] = trans[U * L + B]; l[s + P.UU] = trans[U * L + U];
      l[s + P.BI] = trans[B * L + I]; l[s + P.BL] = trans[B * L + Lk]; l[s + P.II] = trans[I * L + I]; l[s + P.IL] = trans[I * L + Lk];
      l[s + P.UL] = u[Lk]; l[s + P.UU_] = u[U]; l[s + P.VB] = v[B]; l[s + P.VU] = v[U];
      for (let i = s; i < s + P.CAT; i++) this.exp[i] = Math.exp(l[i]);
    }
    const pairs = c.cross!.pairs;
    const np = (this.np = pairs ? pairs.w.length : 0);
    if (pairs && np > 0) {
      if (this.pFrom.length !== np) {
        this.pFrom = new Int32Array(np);
        this.pTo = new Int32Array(np);
        this.pLog = new Float64Array(np);
        this.pExpUV = new Float64Array(np);
        this.pExtra = new Float64Array(np);
      }
      for (let j = 0; j < np; j++) {
        const a = pairs.from[j];
        const b = pairs.to[j];
        const uv = u[a] + v[b];
        this.pFrom[j] = a;
        this.pTo[j] = b;
        this.pLog[j] = uv + pairs.w[j];
        this.pExpUV[j] = Math.exp(uv);
        this.pExtra[j] = this.pExpUV[j] * Math.expm1(pairs.w[j]);
      }
    }
  }
}

/** Work buffers for forward-backward over sequences of up to `cap` tokens. */
export class Lattice {
  alpha: Float64Array;
  beta: Float64Array;
  /** exp(emission − row maximum) of the last run: the lattice's own, or the rows the caller handed in. */
  psi: Float64Array;
  private ownPsi: Float64Array;
  scale: Float64Array;
  expStart: Float64Array;
  expEnd: Float64Array;
  K = 1;
  n = 0;
  /** The allowed pairs with their scores, for chains the factored kernels do not cover. */
  adj: Adjacency | undefined;
  /** Viterbi work buffers for decoders that own this lattice. */
  readonly viterbiBuffers = new ViterbiBuffers();
  /** Set when the chain is a factored BILOU chain: the O(L) kernels run instead of the adjacency lists. */
  bilou: BilouChain | undefined;
  /**
   * For a decoder that owns this lattice, moving averages over recent sequences: the share with entities, and the
   * share whose path `certainPath` settled when tried (it orders its passes by them: see DocumentDecoder.decode).
   */
  readonly decodeStats = { entities: 0, certain: 1, sequences: 0 };
  private readonly w: Float64Array;
  /** Per-category sums (prefix, own) for the factored kernels. */
  private readonly pre: Float64Array;
  private readonly own: Float64Array;
  /** (prefix, own) pairs per category of the second family of sums in expectationsBilou. */
  private readonly pairs: Float64Array;
  private cap = 0;
  private chain: ChainScores | undefined;
  private expTCache: Float64Array | undefined;
  /** Runs forward-backward with the caller's exponentials by the WebAssembly kernels for this chain (see accelerate). */
  private kernel: WasmForwardBackward | undefined;

  constructor(readonly L: number) {
    this.alpha = this.beta = this.psi = this.ownPsi = this.scale = new Float64Array(0);
    this.expStart = new Float64Array(L);
    this.expEnd = new Float64Array(L);
    this.w = new Float64Array(L);
    this.pre = new Float64Array(L);
    this.own = new Float64Array(L);
    this.pairs = new Float64Array(2 * L);
  }

  private ensure(n: number): void {
    if (n <= this.cap) return;
    this.cap = Math.max(n, this.cap * 2, 64);
    this.alpha = new Float64Array(this.cap * this.L);
    this.beta = new Float64Array(this.cap * this.L);
    this.psi = this.ownPsi = new Float64Array(this.cap * this.L);
    this.scale = new Float64Array(this.cap);
  }

  /**
   * Goes back to the lattice's own exponentials after a run with the caller's (whose memory may be reused): the
   * results of that run are no longer readable.
   */
  releasePsi(): void {
    this.psi = this.ownPsi;
    this.n = 0;
  }

  /**
   * Takes the results of a forward-backward over this lattice's chain run elsewhere (the WebAssembly kernels): n
   * tokens' alpha, beta, psi (n·L), scale (n) and K, read in place until the next run or adopt. A later run goes back
   * to buffers of the lattice's own.
   */
  adopt(n: number, alpha: Float64Array, beta: Float64Array, psi: Float64Array, scale: Float64Array, K: number): void {
    this.n = n;
    this.alpha = alpha;
    this.beta = beta;
    this.psi = psi;
    this.scale = scale;
    this.K = K;
    this.cap = 0;
  }

  /**
   * Hands runs given their exponentials (the decoder's) to `kernel`: the same results, bit for bit, computed by the
   * WebAssembly kernels and adopted. Only while the lattice's chain is the kernel's (a factored BILOU chain).
   */
  accelerate(kernel: WasmForwardBackward): void {
    this.kernel = kernel;
  }

  /** Takes the chain's scores (call again after they change). */
  setChain(c: ChainScores): void {
    const L = this.L;
    this.chain = c;
    this.expTCache = undefined;
    if (BilouChain.fits(c)) {
      this.bilou ??= new BilouChain(L);
      this.bilou.set(c);
    } else this.bilou = undefined;
    // the allowed pairs come from the tag scheme and never change; only the scores do (the factored kernels need
    // no adjacency lists: training calls this once per sequence, so they are not refreshed for nothing)
    if (!this.bilou) {
      if (this.adj) updateAdjacency(this.adj, c);
      else this.adj = adjacency(c);
    }
    for (let i = 0; i < L; i++) {
      this.expStart[i] = c.start[i] <= DISALLOWED ? 0 : Math.exp(c.start[i]);
      this.expEnd[i] = c.end[i] <= DISALLOWED ? 0 : Math.exp(c.end[i]);
    }
  }

  /** exp of every transition score (0 where disallowed; cross pairs from their factors), built on first use. */
  get expT(): Float64Array {
    if (this.expTCache) return this.expTCache;
    const c = this.chain!;
    const L = this.L;
    const e = new Float64Array(L * L);
    for (let a = 0; a < L; a++)
      for (let b = 0; b < L; b++) {
        const i = a * L + b;
        if (c.trans[i] <= DISALLOWED) continue;
        e[i] = Math.exp(c.cross && isCrossPair(a, b) ? c.cross.u[a] + c.cross.v[b] : c.trans[i]);
      }
    const p = c.cross?.pairs;
    if (p) for (let j = 0; j < p.w.length; j++) e[p.from[j] * L + p.to[j]] = Math.exp(c.cross!.u[p.from[j]] + c.cross!.v[p.to[j]] + p.w[j]);
    return (this.expTCache = e);
  }

  /**
   * Runs scaled forward-backward over emissions E[t*L + y] for n tokens. `rowMax`, when given, is each row's largest
   * emission (exactly: it shifts the exponentials, so the results are those of computing it here). `psi`, when given,
   * is exp(E − rowMax) already computed (n·L values, used in place until the next run; E is then not read).
   */
  run(E: ArrayLike<number>, n: number, rowMax?: ArrayLike<number>, psiGiven?: Float64Array): void {
    const kernel = this.kernel;
    if (psiGiven && kernel && kernel.chain === this.chain && this.bilou) {
      if (psiGiven.length < n * this.L) throw new RangeError(`Lattice.run: psi has ${psiGiven.length} values for ${n * this.L}`);
      kernel.run(this, psiGiven, n);
      return;
    }
    const L = this.L;
    this.ensure(n);
    this.n = n;
    if (psiGiven) {
      if (psiGiven.length < n * L) throw new RangeError(`Lattice.run: psi has ${psiGiven.length} values for ${n * L}`);
      this.psi = psiGiven;
    } else {
      const psi = (this.psi = this.ownPsi);
      for (let t = 0; t < n; t++) {
        const o = t * L;
        let m = -Infinity;
        if (rowMax) m = rowMax[t];
        else for (let y = 0; y < L; y++) if (E[o + y] > m) m = E[o + y];
        for (let y = 0; y < L; y++) psi[o + y] = expNonPositive(E[o + y] - m);
      }
    }
    const { alpha, beta, psi, scale, expStart, expEnd } = this;
    let z = 0;
    for (let y = 0; y < L; y++) {
      alpha[y] = expStart[y] * psi[y];
      z += alpha[y];
    }
    scale[0] = z || 1e-300;
    for (let y = 0; y < L; y++) alpha[y] /= scale[0];
    for (let t = 1; t < n; t++) {
      const o = t * L;
      z = this.bilou ? this.forwardBilou(o) : this.forwardGeneric(o);
      scale[t] = z || 1e-300;
      const inv = 1 / scale[t];
      for (let y = 0; y < L; y++) alpha[o + y] *= inv;
    }
    const last = (n - 1) * L;
    for (let y = 0; y < L; y++) beta[last + y] = expEnd[y];
    const w = this.w;
    for (let t = n - 2; t >= 0; t--) {
      const o = t * L;
      const q = o + L;
      const inv = 1 / scale[t + 1];
      for (let y = 0; y < L; y++) w[y] = psi[q + y] * beta[q + y] * inv;
      if (this.bilou) this.backwardBilou(o);
      else this.backwardGeneric(o);
    }
    let K = 0;
    for (let y = 0; y < L; y++) K += alpha[last + y] * beta[last + y];
    this.K = K || 1e-300;
  }

  /** alpha at row offset o (unnormalised) from the row before it; returns the row's sum. */
  private forwardGeneric(o: number): number {
    const { alpha, psi } = this;
    const { predOff, pred, predExpT } = this.adj!;
    const p = o - this.L;
    let z = 0;
    for (let y = 0; y < this.L; y++) {
      let s = 0;
      for (let k = predOff[y], e = predOff[y + 1]; k < e; k++) s += alpha[p + pred[k]] * predExpT[k];
      const v = s * psi[o + y];
      alpha[o + y] = v;
      z += v;
    }
    return z;
  }

  private forwardBilou(o: number): number {
    const { alpha, psi, pre, own } = this;
    const { K, exp: X, expOO } = this.bilou!;
    const p = o - this.L;
    const aO = alpha[p];
    let sO = aO * expOO;
    let total = 0;
    for (let k = 0, s = 0, b = p + 1; k < K; k++, s += P.CAT, b += 4) {
      const aL = alpha[b + 2];
      const aU = alpha[b + 3];
      sO += aL * X[s + P.LO] + aU * X[s + P.UO];
      const x = aL * X[s + P.UL] + aU * X[s + P.UU_];
      pre[k] = total;
      own[k] = x;
      total += x;
    }
    let z = 0;
    let suffix = 0;
    for (let k = K - 1; k >= 0; k--) {
      // entity ends of every other category, summed without cancellation
      const others = pre[k] + suffix;
      suffix += own[k];
      const s = k * P.CAT;
      const b = p + 1 + 4 * k;
      const aB = alpha[b], aI = alpha[b + 1], aL = alpha[b + 2], aU = alpha[b + 3];
      const r = o + 1 + 4 * k;
      const vB = (aO * X[s + P.OB] + aL * X[s + P.LB] + aU * X[s + P.UB] + X[s + P.VB] * others) * psi[r];
      const vI = (aB * X[s + P.BI] + aI * X[s + P.II]) * psi[r + 1];
      const vL = (aB * X[s + P.BL] + aI * X[s + P.IL]) * psi[r + 2];
      const vU = (aO * X[s + P.OU] + aL * X[s + P.LU] + aU * X[s + P.UU] + X[s + P.VU] * others) * psi[r + 3];
      alpha[r] = vB;
      alpha[r + 1] = vI;
      alpha[r + 2] = vL;
      alpha[r + 3] = vU;
      z += vB + vI + vL + vU;
    }
    const vO = sO * psi[o];
    alpha[o] = vO;
    z += vO;
    // the corrected pairs: what their w adds to the factored sums
    const { np, pFrom, pTo, pExtra } = this.bilou!;
    for (let j = 0; j < np; j++) {
      const r = o + pTo[j];
      const x = alpha[p + pFrom[j]] * pExtra[j] * psi[r];
      alpha[r] += x;
      z += x;
    }
    return z;
  }

  /** beta at row offset o from w (= psi · beta / scale of the next row). */
  private backwardGeneric(o: number): void {
    const { beta, w } = this;
    const { succOff, succ, succExpT } = this.adj!;
    for (let a = 0; a < this.L; a++) {
      let s = 0;
      for (let k = succOff[a], e = succOff[a + 1]; k < e; k++) s += succExpT[k] * w[succ[k]];
      beta[o + a] = s;
    }
  }

  private backwardBilou(o: number): void {
    const { beta, w, pre, own } = this;
    const { K, exp: X, expOO } = this.bilou!;
    const wO = w[0];
    let bO = expOO * wO;
    let total = 0;
    for (let k = 0, s = 0, b = 1; k < K; k++, s += P.CAT, b += 4) {
      const wB = w[b];
      const wU = w[b + 3];
      bO += X[s + P.OB] * wB + X[s + P.OU] * wU;
      const y = X[s + P.VB] * wB + X[s + P.VU] * wU;
      pre[k] = total;
      own[k] = y;
      total += y;
    }
    beta[o] = bO;
    let suffix = 0;
    for (let k = K - 1; k >= 0; k--) {
      const others = pre[k] + suffix;
      suffix += own[k];
      const s = k * P.CAT;
      const b = 1 + 4 * k;
      const wB = w[b], wI = w[b + 1], wL = w[b + 2], wU = w[b + 3];
      const r = o + b;
      beta[r] = X[s + P.BI] * wI + X[s + P.BL] * wL;
      beta[r + 1] = X[s + P.II] * wI + X[s + P.IL] * wL;
      beta[r + 2] = X[s + P.LO] * wO + X[s + P.LB] * wB + X[s + P.LU] * wU + X[s + P.UL] * others;
      beta[r + 3] = X[s + P.UO] * wO + X[s + P.UB] * wB + X[s + P.UU] * wU + X[s + P.UU_] * others;
    }
    const { np, pFrom, pTo, pExtra } = this.bilou!;
    for (let j = 0; j < np; j++) beta[o + pFrom[j]] += pExtra[j] * w[pTo[j]];
  }

  /**
   * Adds the expected transition counts of the last run (pairs t−1 → t for t ≥ 1) to gT [L*L]; for a factored
   * chain the cross pairs go to gu/gv [L] instead (their sums over the pairs each factor takes part in), and each
   * corrected pair's own count to gw [pairs].
   */
  transitionExpectations(gT: Float64Array, gu: Float64Array, gv: Float64Array, gw?: Float64Array): void {
    const { L, n, alpha, beta, psi, scale, w } = this;
    for (let t = 1; t < n; t++) {
      const p = (t - 1) * L;
      const o = t * L;
      const inv = 1 / (scale[t] * this.K);
      for (let y = 0; y < L; y++) w[y] = psi[o + y] * beta[o + y] * inv;
      if (this.bilou) {
        this.expectationsBilou(p, gT, gu, gv);
        if (this.bilou.np > 0) this.expectationsPairs(p, gu, gv, gw);
      } else {
        const { succOff, succ, succExpT } = this.adj!;
        for (let a = 0; a < L; a++) {
          const al = alpha[p + a];
          if (al === 0) continue;
          for (let k = succOff[a]; k < succOff[a + 1]; k++) gT[a * L + succ[k]] += al * succExpT[k] * w[succ[k]];
        }
      }
    }
  }

  /** The corrected pairs' share of the expected counts (w = psi · beta / (scale · K) of the row after p). */
  private expectationsPairs(p: number, gu: Float64Array, gv: Float64Array, gw: Float64Array | undefined): void {
    const { alpha, w } = this;
    const { np, pFrom, pTo, pExpUV, pExtra } = this.bilou!;
    for (let j = 0; j < np; j++) {
      const a = pFrom[j];
      const b = pTo[j];
      const x = alpha[p + a] * w[b];
      // u and v take part in the pair's whole count; expectationsBilou counted it as if w were 0
      const extra = x * pExtra[j];
      gu[a] += extra;
      gv[b] += extra;
      if (gw) gw[j] += x * pExpUV[j] + extra;
    }
  }

  private expectationsBilou(p: number, gT: Float64Array, gu: Float64Array, gv: Float64Array): void {
    const { L, alpha, w, pre, own } = this;
    const { K, exp: X, expOO } = this.bilou!;
    const aO = alpha[p];
    const wO = w[0];
    gT[0] += aO * expOO * wO;
    // pass 1: entity ends weighted by u (for v's sums) and entity starts weighted by v (for u's sums)
    let totalX = 0;
    let totalY = 0;
    const preY = this.pairs;
    for (let k = 0, s = 0, b = 1; k < K; k++, s += P.CAT, b += 4) {
      const x = alpha[p + b + 2] * X[s + P.UL] + alpha[p + b + 3] * X[s + P.UU_];
      pre[k] = totalX;
      own[k] = x;
      totalX += x;
      const y = X[s + P.VB] * w[b] + X[s + P.VU] * w[b + 3];
      preY[2 * k] = totalY;
      preY[2 * k + 1] = y;
      totalY += y;
    }
    let sufX = 0;
    let sufY = 0;
    for (let k = K - 1; k >= 0; k--) {
      const othersX = pre[k] + sufX;
      sufX += own[k];
      const othersY = preY[2 * k] + sufY;
      sufY += preY[2 * k + 1];
      const s = k * P.CAT;
      const B = 1 + 4 * k, I = B + 1, Lk = B + 2, U = B + 3;
      const aB = alpha[p + B], aI = alpha[p + I], aL = alpha[p + Lk], aU = alpha[p + U];
      const wB = w[B], wI = w[I], wL = w[Lk], wU = w[U];
      gT[B] += aO * X[s + P.OB] * wB;
      gT[U] += aO * X[s + P.OU] * wU;
      gT[Lk * L] += aL * X[s + P.LO] * wO;
      gT[U * L] += aU * X[s + P.UO] * wO;
      gT[Lk * L + B] += aL * X[s + P.LB] * wB;
      gT[Lk * L + U] += aL * X[s + P.LU] * wU;
      gT[U * L + B] += aU * X[s + P.UB] * wB;
      gT[U * L + U] += aU * X[s + P.UU] * wU;
      gT[B * L + I] += aB * X[s + P.BI] * wI;
      gT[B * L + Lk] += aB * X[s + P.BL] * wL;
      gT[I * L + I] += aI * X[s + P.II] * wI;
      gT[I * L + Lk] += aI * X[s + P.IL] * wL;
      gu[Lk] += aL * X[s + P.UL] * othersY;
      gu[U] += aU * X[s + P.UU_] * othersY;
      gv[B] += X[s + P.VB] * wB * othersX;
      gv[U] += X[s + P.VU] * wU * othersX;
    }
  }

  /**
   * The most probable path, when the last run's marginals prove which it is: the tags ŷ of highest marginal at each
   * token, if Σ_t (1 − P(y_t = ŷ_t)) < 0.45. Then P(ŷ) > 0.55 (union bound over the tokens where a path can differ
   * from ŷ), so every other path is below 0.45: ŷ is the path Viterbi finds, by a score margin of at least
   * ln(0.55 / 0.45) ≈ 0.2, far above any rounding. Undefined when the marginals do not settle it. Cheap either way:
   * a token whose O is above one half costs one marginal, another stops at its tag above one half, and the scan gives
   * up as soon as the sum passes the bound.
   */
  certainPath(): Int32Array | undefined {
    const { L, n, alpha, beta } = this;
    const inv = 1 / this.K;
    const out = new Int32Array(n);
    let doubt = 0;
    for (let t = 0, o = 0; t < n; t++, o += L) {
      let best = 0;
      let p = alpha[o] * beta[o] * inv;
      if (p <= 0.5) {
        // not O: the tag above one half, if any (the only candidate for a bound below one half)
        for (let y = 1; y < L; y++) {
          const q = alpha[o + y] * beta[o + y] * inv;
          if (q > p) {
            p = q;
            best = y;
            if (q > 0.5) break;
          }
        }
      }
      doubt += 1 - p;
      if (!(doubt < CERTAIN_PATH_DOUBT)) return undefined;
      out[t] = best;
    }
    return out;
  }

  /** Marginal probability of tag y at token t (after run). */
  marginal(t: number, y: number): number {
    const o = t * this.L + y;
    return (this.alpha[o] * this.beta[o]) / this.K;
  }

  /** Probability that tokens s..e carry exactly tags[s..e] (after run). */
  segmentProbability(tags: ArrayLike<number>, s: number, e: number): number {
    const L = this.L;
    const expT = this.expT;
    let p = this.alpha[s * L + tags[s]];
    for (let t = s + 1; t <= e; t++) {
      p *= (expT[tags[t - 1] * L + tags[t]] * this.psi[t * L + tags[t]]) / this.scale[t];
    }
    p *= this.beta[e * L + tags[e]];
    return Math.min(1, Math.max(0, p / this.K));
  }

  /** log Z − (the max-shift constants), usable only for the training loss. */
  logZShifted(): number {
    return logZShifted(this.K, this.scale, this.n);
  }
}

/** See Lattice.certainPath. */
const CERTAIN_PATH_DOUBT = 0.45;

/** log K + Σ log scale[t] over n tokens: a forward-backward's log Z less the max shifts (for the training loss). */
function logZShifted(K: number, scale: Float64Array, n: number): number {
  let s = Math.log(K);
  for (let t = 0; t < n; t++) s += Math.log(scale[t]);
  return s;
}

/**
 * Forward-backward over a factored BILOU chain (fixed: the scores as they are when this is made) by the WebAssembly
 * kernels, for a decoder's lattice (Lattice.accelerate): the caller's exponentials are copied into its memory, and the
 * lattice adopts alpha, beta, scale and K, the same bits as its own run would give.
 */
export class WasmForwardBackward {
  private readonly memory: WebAssembly.Memory;
  private readonly kernels: LatticeKernels;
  private readonly expOO: number;
  private readonly np: number;
  private cap = 0;
  private at: Record<'psi' | 'alpha' | 'beta' | 'scale', number> | undefined;
  private readonly fixed: ChainRegions & { top: number };

  constructor(readonly chain: ChainScores) {
    if (!BilouChain.fits(chain)) throw new RangeError('WasmForwardBackward: needs a factored BILOU chain');
    const L = chain.L;
    const bilou = new BilouChain(L);
    bilou.set(chain);
    const np = (this.np = bilou.np);
    this.expOO = bilou.expOO;
    const r = new Regions();
    this.fixed = { ...chainRegions(r, L, np), top: 0 };
    this.fixed.top = r.take(0);
    this.memory = new WebAssembly.Memory({ initial: Math.ceil(r.bytes / 65536) });
    this.kernels = latticeKernels(this.memory);
    writeChain(chainViews(this.memory.buffer, this.fixed, L, np), bilou, chain);
  }

  /** Forward-backward of n tokens with exponentials psi (n·L), adopted by `lattice`. */
  run(lattice: Lattice, psi: Float64Array, n: number): void {
    const L = this.chain.L;
    if (!this.at || n > this.cap) {
      const cap = Math.max(n, 2 * this.cap, 64);
      const r = new Regions(this.fixed.top);
      const rows = cap * L * 8;
      const at = { psi: r.take(rows), alpha: r.take(rows), beta: r.take(rows), scale: r.take(cap * 8) };
      growTo(this.memory, r.bytes);
      this.at = at;
      this.cap = cap;
    }
    const at = this.at;
    const f = this.fixed;
    const buf = this.memory.buffer;
    const view = (offset: number, size: number) => new Float64Array(buf, offset, size);
    const p = view(at.psi, n * L);
    p.set(psi.length === n * L ? psi : psi.subarray(0, n * L));
    const K = this.kernels.forwardBackward(n, L, at.psi, at.alpha, at.beta, at.scale, f.start, f.end, f.X, this.expOO, this.np, f.pFrom, f.pTo, f.pExtra, f.w, f.pre, f.own);
    lattice.adopt(n, view(at.alpha, n * L), view(at.beta, n * L), p, view(at.scale, n), K);
  }
}

/** Where a factored BILOU chain's arrays for the forward-backward kernel go in a memory (see wasm-lattice.ts). */
export type ChainRegions = Record<'X' | 'pFrom' | 'pTo' | 'pExtra' | 'start' | 'end' | 'w' | 'pre' | 'own', number>;

/**
 * Regions for a factored BILOU chain of L tags with np corrected pairs: its factors, corrected pairs, start and end,
 * and the kernel's scratch.
 */
export function chainRegions(r: Regions, L: number, np: number): ChainRegions {
  const K = (L - 1) >> 2;
  return {
    X: r.take(K * P.CAT * 8), pFrom: r.take(np * 4), pTo: r.take(np * 4), pExtra: r.take(np * 8), start: r.take(L * 8), end: r.take(L * 8),
    w: r.take(L * 8), pre: r.take(K * 8), own: r.take(K * 8),
  };
}

/** Regions for the tables of expNonPositive (EXP_FRAC, EXP_POW2), which psiRows reads. */
export function expRegions(r: Regions): { frac: number; pow2: number } {
  return { frac: r.take(EXP_FRAC.length * 8), pow2: r.take(EXP_POW2.length * 8) };
}

/** Writes the tables of expNonPositive into their regions. */
export function writeExpTables(buf: ArrayBufferLike, at: { frac: number; pow2: number }): void {
  new Float64Array(buf, at.frac, EXP_FRAC.length).set(EXP_FRAC);
  new Float64Array(buf, at.pow2, EXP_POW2.length).set(EXP_POW2);
}

/** Views of a chain's regions (see chainRegions) in `buf`, for writeChain. */
export interface ChainViews {
  X: Float64Array;
  pFrom: Int32Array;
  pTo: Int32Array;
  pExtra: Float64Array;
  start: Float64Array;
  end: Float64Array;
}

/** The views writeChain writes through, made once per memory. */
export function chainViews(buf: ArrayBufferLike, at: ChainRegions, L: number, np: number): ChainViews {
  const K = (L - 1) >> 2;
  return {
    X: new Float64Array(buf, at.X, K * P.CAT), pFrom: new Int32Array(buf, at.pFrom, np), pTo: new Int32Array(buf, at.pTo, np),
    pExtra: new Float64Array(buf, at.pExtra, np), start: new Float64Array(buf, at.start, L), end: new Float64Array(buf, at.end, L),
  };
}

/** Writes what forwardBackward reads of `chain` (with `bilou` set to it, as many pairs as laid out), as Lattice.setChain has it. */
export function writeChain(v: ChainViews, bilou: BilouChain, chain: ChainScores): void {
  const { L } = chain;
  const np = bilou.np;
  v.X.set(bilou.exp);
  v.pFrom.set(bilou.pFrom.subarray(0, np));
  v.pTo.set(bilou.pTo.subarray(0, np));
  v.pExtra.set(bilou.pExtra.subarray(0, np));
  const { start, end } = v;
  for (let i = 0; i < L; i++) {
    start[i] = chain.start[i] <= DISALLOWED ? 0 : Math.exp(chain.start[i]);
    end[i] = chain.end[i] <= DISALLOWED ? 0 : Math.exp(chain.end[i]);
  }
}

/** Reusable Viterbi buffers (one per decoder: decoding allocates nothing per sequence once grown). */
export class ViterbiBuffers {
  delta = new Float64Array(0);
  back = new Int32Array(0);
  ensure(size: number): void {
    if (this.delta.length >= size) return;
    const cap = Math.max(size, this.delta.length * 2, 1024);
    this.delta = new Float64Array(cap);
    this.back = new Int32Array(cap);
  }
}

/** Best tag sequence for emissions E (n × L); `prepared` is a Lattice (or parts) on which setChain(c) was called. */
export function viterbi(
  E: ArrayLike<number>,
  n: number,
  c: ChainScores,
  prepared?: { adj?: Adjacency; bilou?: BilouChain },
  buffers: ViterbiBuffers = new ViterbiBuffers(),
): Int32Array {
  const L = c.L;
  const out = new Int32Array(n);
  if (n === 0) return out;
  let bilou = prepared?.bilou;
  if (!prepared && BilouChain.fits(c)) {
    bilou = new BilouChain(L);
    bilou.set(c);
  }
  const adj = bilou ? undefined : (prepared?.adj ?? adjacency(c));
  buffers.ensure(n * L);
  const { delta, back } = buffers;
  for (let y = 0; y < L; y++) delta[y] = c.start[y] + E[y];
  for (let t = 1; t < n; t++) {
    if (bilou) viterbiStepBilou(delta, back, t * L, bilou, E);
    else viterbiStepGeneric(delta, back, t * L, L, adj!, E);
  }
  let best = -Infinity;
  let arg = 0;
  const last = (n - 1) * L;
  for (let y = 0; y < L; y++) {
    const v = delta[last + y] + c.end[y];
    if (v > best) {
      best = v;
      arg = y;
    }
  }
  out[n - 1] = arg;
  for (let t = n - 1; t > 0; t--) out[t - 1] = back[t * L + out[t]];
  return out;
}

function viterbiStepGeneric(delta: Float64Array, back: Int32Array, o: number, L: number, adj: Adjacency, E: ArrayLike<number>): void {
  const { predOff, pred, predTrans } = adj;
  const p = o - L;
  for (let y = 0; y < L; y++) {
    let best = -Infinity;
    let arg = 0;
    for (let k = predOff[y], e = predOff[y + 1]; k < e; k++) {
      const a = pred[k];
      const v = delta[p + a] + predTrans[k];
      if (v > best) {
        best = v;
        arg = a;
      }
    }
    delta[o + y] = best + E[o + y];
    back[o + y] = arg;
  }
}

const maxPre = new Float64Array(256);
const argPre = new Int32Array(256);

function viterbiStepBilou(delta: Float64Array, back: Int32Array, o: number, ch: BilouChain, E: ArrayLike<number>): void {
  const { K, log: S, logOO } = ch;
  const p = o - ch.L;
  const dO = delta[p];
  let bestO = dO + logOO;
  let argO = 0;
  // best entity end of each category (with u), as prefix maxima over the categories before it
  const mx = K <= 256 ? maxPre : new Float64Array(K);
  const ag = K <= 256 ? argPre : new Int32Array(K);
  let runMax = -Infinity;
  let runArg = 0;
  for (let k = 0, s = 0, b = p + 1; k < K; k++, s += P.CAT, b += 4) {
    const dL = delta[b + 2];
    const dU = delta[b + 3];
    let v = dL + S[s + P.LO];
    if (v > bestO) {
      bestO = v;
      argO = b + 2 - p;
    }
    v = dU + S[s + P.UO];
    if (v > bestO) {
      bestO = v;
      argO = b + 3 - p;
    }
    mx[k] = runMax;
    ag[k] = runArg;
    const xL = dL + S[s + P.UL];
    const xU = dU + S[s + P.UU_];
    if (xL > runMax) {
      runMax = xL;
      runArg = b + 2 - p;
    }
    if (xU > runMax) {
      runMax = xU;
      runArg = b + 3 - p;
    }
  }
  delta[o] = bestO + E[o];
  back[o] = argO;
  let sufMax = -Infinity;
  let sufArg = 0;
  for (let k = K - 1; k >= 0; k--) {
    const s = k * P.CAT;
    const B = 1 + 4 * k;
    const dB = delta[p + B], dI = delta[p + B + 1], dL = delta[p + B + 2], dU = delta[p + B + 3];
    // the best end of another category: max of the prefix before k and the suffix after k
    let oMax = mx[k];
    let oArg = ag[k];
    if (sufMax > oMax) {
      oMax = sufMax;
      oArg = sufArg;
    }
    const xL = dL + S[s + P.UL];
    const xU = dU + S[s + P.UU_];
    if (xL > sufMax) {
      sufMax = xL;
      sufArg = B + 2;
    }
    if (xU > sufMax) {
      sufMax = xU;
      sufArg = B + 3;
    }
    // B-k
    let best = dO + S[s + P.OB];
    let arg = 0;
    let v = dL + S[s + P.LB];
    if (v > best) { best = v; arg = B + 2; }
    v = dU + S[s + P.UB];
    if (v > best) { best = v; arg = B + 3; }
    v = oMax + S[s + P.VB];
    if (v > best) { best = v; arg = oArg; }
    delta[o + B] = best + E[o + B];
    back[o + B] = arg;
    // I-k
    best = dB + S[s + P.BI];
    arg = B;
    v = dI + S[s + P.II];
    if (v > best) { best = v; arg = B + 1; }
    delta[o + B + 1] = best + E[o + B + 1];
    back[o + B + 1] = arg;
    // L-k
    best = dB + S[s + P.BL];
    arg = B;
    v = dI + S[s + P.IL];
    if (v > best) { best = v; arg = B + 1; }
    delta[o + B + 2] = best + E[o + B + 2];
    back[o + B + 2] = arg;
    // U-k
    best = dO + S[s + P.OU];
    arg = 0;
    v = dL + S[s + P.LU];
    if (v > best) { best = v; arg = B + 2; }
    v = dU + S[s + P.UU];
    if (v > best) { best = v; arg = B + 3; }
    v = oMax + S[s + P.VU];
    if (v > best) { best = v; arg = oArg; }
    delta[o + B + 3] = best + E[o + B + 3];
    back[o + B + 3] = arg;
  }
  // corrected pairs: w ≥ 0, so the factored maximum above never overstates a pair, and a pair beats it or not
  const { np, pFrom, pTo, pLog } = ch;
  for (let j = 0; j < np; j++) {
    const b = pTo[j];
    const v = delta[p + pFrom[j]] + pLog[j] + E[o + b];
    if (v > delta[o + b]) {
      delta[o + b] = v;
      back[o + b] = pFrom[j];
    }
  }
}

/** out[o + c] = 0 + M[ids[k0]·size + c] + M[ids[k0 + 1]·size + c] + … (left to right) for c < size. */
export function addRows(out: Float64Array, o: number, size: number, M: Float64Array, ids: Int32Array, k0: number, k1: number): void {
  for (let c = 0; c < size; c++) out[o + c] = 0;
  let k = k0;
  for (; k + 3 < k1; k += 4) {
    const a = ids[k] * size;
    const b = ids[k + 1] * size;
    const d = ids[k + 2] * size;
    const e = ids[k + 3] * size;
    for (let c = 0; c < size; c++) out[o + c] = out[o + c] + M[a + c] + M[b + c] + M[d + c] + M[e + c];
  }
  for (; k < k1; k++) {
    const a = ids[k] * size;
    for (let c = 0; c < size; c++) out[o + c] += M[a + c];
  }
}

/**
 * Weights shared by a group of labels (see CrfTrainOptions.labelGroups): label y's share is column of[y] of a table
 * of `size` columns (in the trainer's memory: see Layout.groups), its rows `stride` floats apart (size rounded up to a
 * multiple of 4, for the SIMD sums).
 */
interface Group {
  of: Int32Array;
  size: number;
  stride: number;
}

/**
 * Trains a CRF by AdaGrad SGD, one sequence at a time, in a seeded shuffled order: deterministic for the same
 * sequences, settings and seed.
 */
export function trainCrf(seqs: TrainSequence[], numFeatures: number, labels: LabelSet, opts: CrfTrainOptions): CrfParams {
  const trainer = new CrfTrainer(seqs, numFeatures, labels, opts);
  const rand = prng(opts.seed);
  const order = seqs.map((_, i) => i);
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    let loss = 0;
    for (const si of order) if (seqs[si].n > 0) loss += trainer.step(si);
    opts.onEpoch?.(epoch, loss, opts.epochs);
  }
  return trainer.finish();
}

/**
 * The state of one `trainCrf` run. The work is split into small methods on purpose: a short training run (a few
 * thousand tokens) is over before one big function would be optimized, so each step here is compiled on its own,
 * early and cheaply.
 */
class CrfTrainer {
  private readonly L: number;
  /** The emission tables' row stride: L rounded up to a multiple of 4. */
  private readonly Lp: number;
  private readonly chain: ChainScores;
  private readonly GT: Float64Array;
  private readonly GS: Float64Array;
  private readonly GE: Float64Array;
  private readonly gT: Float64Array;
  private readonly gS: Float64Array;
  private readonly gE: Float64Array;
  /** Factored cross-category transitions (BILOU only): u, v with their AdaGrad sums and averaging accumulators. */
  private readonly cross: CrossFactors | undefined;
  private readonly gu: Float64Array;
  private readonly gv: Float64Array;
  private readonly Gu: Float64Array;
  private readonly Gv: Float64Array;
  private readonly Uu: Float64Array;
  private readonly Uv: Float64Array;
  private readonly lat: Lattice;
  /** A sequence's emission scores (n × L, float64), in the WebAssembly memory: the kernels write them. */
  private readonly E: Float64Array;
  private readonly kernels: TrainKernels;
  /** The float64 kernels (wasm-lattice.ts) over the same memory: forward-backward, and finishing the weights. */
  private readonly f64Kernels: LatticeKernels;
  private readonly float16: boolean;
  private readonly memory: WebAssembly.Memory;
  /**
   * Forward-backward for a factored BILOU chain (the default) as WebAssembly, over views of the memory (the same bits
   * as `lat`, which runs for other chains): the chain's factors as BilouChain gives them, copied in per step.
   */
  private readonly wasm: { kernels: LatticeKernels; bilou: BilouChain; chain: ChainViews; pExpUV: Float64Array; alpha: Float64Array; beta: Float64Array; scale: Float64Array; rowMax: Float64Array } | undefined;
  /** The last forward-backward's alpha, beta and K (wasm's or lat's). */
  private alpha: Float64Array = new Float64Array(0);
  private beta: Float64Array = new Float64Array(0);
  private Kz = 1;
  /** Where each table is in the memory (byte offsets: see `layout`). */
  /**
   * Where each table is in the memory (byte offsets: see `layout`). The emission weights, their AdaGrad sums and
   * averaging accumulators (float32 rows of Lp), and each group's, are only there: the kernels sum and update them.
   */
  private readonly at: Layout;
  private readonly eta: number;
  private readonly l2: number;
  /**
   * Averaging: U accumulates step·Δ so that the mean iterate is W − U/step (lazy: O(1) per update; exact but for the
   * float32 rounding of UW and the groups' U).
   */
  private readonly avg: boolean;
  private readonly UT: Float64Array;
  private readonly US: Float64Array;
  private readonly UE: Float64Array;
  private stepNo = 1;
  private readonly groups: Group[];
  private readonly gmin: number;
  /**
   * The transitions the tag scheme allows (a disallowed one is never updated, so it stays disallowed) or that are
   * cross pairs (which materializeCross writes), and those cross pairs (a, b): listed once instead of scanning L²
   * entries per sequence.
   */
  private readonly allowedT: Int32Array;
  private readonly crossPairs: Int32Array;
  /** Corrected pairs (cross.pairs): index by a·L + b (−1: none), gradient, AdaGrad sums, averaging accumulators. */
  private readonly pairIndex: Int32Array;
  private readonly gw: Float64Array;
  private readonly Gw: Float64Array;
  private readonly Uw: Float64Array;
  private readonly minPairCorrection: number;

  constructor(private readonly seqs: TrainSequence[], private readonly numFeatures: number, labels: LabelSet, opts: CrfTrainOptions) {
    const L = (this.L = labels.size);
    const Lp = (this.Lp = pad4(L));
    const chain = (this.chain = initialScores(labels));
    const groupOf = opts.labelGroups ?? [];
    const sizes = groupOf.map((of) => Math.max(...of) + 1);
    let maxN = 1;
    for (const s of seqs) maxN = Math.max(maxN, s.n);
    const avg = (this.avg = opts.average ?? false);
    if (opts.rowRates && opts.rowRates.length !== numFeatures) throw new RangeError(`trainCrf: rowRates has ${opts.rowRates.length} rates for ${numFeatures} features`);
    const factored = opts.factorCross === true && labels.scheme === 'BILOU';
    // the cross pairs the gold paths contain get a correction each, in (a, b) order
    const goldPairs = factored ? crossPairsIn(seqs, L) : { from: [], to: [] };
    const np = goldPairs.from.length;
    const { at, bytes } = layout(seqs, numFeatures, L, sizes, maxN, avg, opts.rowRates !== undefined, factored ? np : -1);
    const memory = (this.memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) }));
    this.at = at;
    this.kernels = trainKernels(memory);
    const buf = memory.buffer;
    seqs.forEach((s, i) => {
      new Int32Array(buf, at.ids[i], s.offsets[s.n]).set(s.ids.subarray(0, s.offsets[s.n]));
      new Int32Array(buf, at.offsets[i], s.n + 1).set(s.offsets.subarray(0, s.n + 1));
      new Int32Array(buf, at.tags[i], s.n).set(s.tags.subarray(0, s.n));
    });
    groupOf.forEach((of, g) => new Int32Array(buf, at.groups[g].of, L).set(of));
    this.E = new Float64Array(buf, at.E, maxN * L);
    const f64 = (offset: number, n: number) => new Float64Array(buf, offset, n);
    // the chain's scores, their gradients, AdaGrad sums and averaging accumulators live in the memory too (the
    // transition updates are a kernel): the scores start as the tag scheme's
    const c = at.chain;
    f64(c.trans, L * L).set(chain.trans);
    f64(c.start, L).set(chain.start);
    f64(c.end, L).set(chain.end);
    chain.trans = f64(c.trans, L * L);
    chain.start = f64(c.start, L);
    chain.end = f64(c.end, L);
    this.GT = f64(c.GT, L * L);
    this.GS = f64(c.GS, L);
    this.GE = f64(c.GE, L);
    this.gT = f64(at.gT, L * L);
    this.gS = f64(c.gS, L);
    this.gE = f64(c.gE, L);
    const cross: CrossFactors | undefined = (this.cross = factored ? { u: f64(c.u, L), v: f64(c.v, L) } : undefined);
    if (cross) chain.cross = cross;
    this.gu = f64(at.gu, L);
    this.gv = f64(at.gv, L);
    this.Gu = f64(c.Gu, L);
    this.Gv = f64(c.Gv, L);
    this.Uu = f64(c.Uu, L);
    this.Uv = f64(c.Uv, L);
    this.lat = new Lattice(L);
    this.eta = opts.eta;
    if (opts.rowRates) new Float32Array(buf, at.rates, numFeatures).set(opts.rowRates);
    this.l2 = opts.l2;
    this.UT = f64(c.UT, L * L);
    this.US = f64(c.US, L);
    this.UE = f64(c.UE, L);
    this.groups = groupOf.map((of, g) => {
      const size = sizes[g];
      const stride = pad4(size);
      return { of, size, stride };
    });
    this.gmin = opts.minGradient ?? 1e-4;
    const allowed: number[] = [];
    for (let i = 0; i < L * L; i++) if (chain.trans[i] > DISALLOWED || (cross && isCrossPair((i / L) | 0, i % L))) allowed.push(i);
    this.allowedT = new Int32Array(buf, c.allowed, allowed.length);
    this.allowedT.set(allowed);
    const pairs: number[] = [];
    if (cross) for (let a = 1; a < L; a++) for (let b = 1; b < L; b++) if (isCrossPair(a, b)) pairs.push(a, b);
    this.crossPairs = new Int32Array(buf, c.crossList, pairs.length);
    this.crossPairs.set(pairs);
    this.pairIndex = new Int32Array(cross ? L * L : 0).fill(-1);
    goldPairs.from.forEach((a, j) => (this.pairIndex[a * L + goldPairs.to[j]] = j));
    if (cross && np > 0) cross.pairs = { from: Int32Array.from(goldPairs.from), to: Int32Array.from(goldPairs.to), w: f64(c.pw, np) };
    this.gw = f64(at.gw, Math.max(np, 0));
    this.f64Kernels = latticeKernels(memory);
    this.float16 = opts.float16 ?? false;
    if (factored) {
      const P = at.lattice!;
      writeExpTables(buf, P);
      this.wasm = {
        kernels: this.f64Kernels, bilou: new BilouChain(L), chain: chainViews(buf, P, L, np), pExpUV: f64(P.pExpUV, np),
        alpha: f64(at.alpha, maxN * L), beta: f64(at.beta, maxN * L), scale: f64(P.scale, maxN), rowMax: f64(P.rowMax, maxN),
      };
    }
    this.Gw = f64(c.pGw, Math.max(np, 0));
    this.Uw = f64(c.pUw, Math.max(np, 0));
    this.minPairCorrection = opts.minPairCorrection ?? 0;
  }

  /** One SGD step on a sequence of at least one token; returns its loss (log Z − score of the gold tags). */
  step(si: number): number {
    const { lat, E, L, at, kernels, groups } = this;
    const seq = this.seqs[si];
    // the sums of the token's weight rows (float32, SIMD), then each group's shares added (float64)
    kernels.rowSums(at.ids[si], at.offsets[si], seq.n, at.W, this.Lp * 4, L, at.E, at.scratch);
    for (let g = 0; g < groups.length; g++)
      kernels.groupAdd(at.ids[si], at.offsets[si], seq.n, at.groups[g].W, groups[g].stride * 4, at.groups[g].of, L, at.E, at.scratch);
    let loss: number;
    if (this.wasm) loss = this.forwardBackward(this.wasm, seq);
    else {
      lat.setChain(this.chain);
      lat.run(E, seq.n);
      this.alpha = lat.alpha;
      this.beta = lat.beta;
      this.Kz = lat.K;
      loss = logZShifted(lat.K, lat.scale, seq.n) - goldScore(this.chain, E, seq.tags, seq.n);
    }
    this.emissionUpdates(si);
    this.transitionStep(seq);
    this.stepNo++;
    return loss;
  }

  /** Forward-backward by the WebAssembly kernels; returns the loss. */
  private forwardBackward(wasm: NonNullable<CrfTrainer['wasm']>, seq: TrainSequence): number {
    const { L, chain, at } = this;
    const P = at.lattice!;
    const { bilou, kernels } = wasm;
    bilou.set(chain);
    const np = bilou.np;
    if (np !== wasm.pExpUV.length) throw new Error(`trainCrf: ${np} corrected pairs, laid out for ${wasm.pExpUV.length}`);
    writeChain(wasm.chain, bilou, chain);
    if (np > 0) wasm.pExpUV.set(bilou.pExpUV);
    const n = seq.n;
    kernels.psiRows(at.E, P.psi, P.rowMax, n, L, P.frac, P.pow2, EXP_INV_STEP, EXP_STEP_HI, EXP_STEP_LO);
    const Kz = kernels.forwardBackward(n, L, P.psi, at.alpha, at.beta, P.scale, P.start, P.end, P.X, bilou.expOO, np, P.pFrom, P.pTo, P.pExtra, P.w, P.pre, P.own);
    this.alpha = wasm.alpha;
    this.beta = wasm.beta;
    this.Kz = Kz;
    return logZShifted(Kz, wasm.scale, n) - goldScore(chain, this.E, seq.tags, n, wasm.rowMax);
  }

  /**
   * Emission updates of a sequence, by the WebAssembly kernels: each token's gradient, then for each group and then
   * the labels, per token, the columns whose gradient is large enough, each feature row updated for them (each
   * weight sees the same operations, in the same order, as a token at a time).
   */
  private emissionUpdates(si: number): void {
    const { L, gmin, groups, eta, l2, stepNo, at, avg } = this;
    const n = this.seqs[si].n;
    const k = this.f64Kernels;
    if (!this.wasm) {
      // Lattice's results, copied where the kernels read them
      new Float64Array(this.memory.buffer, at.alpha, n * L).set(this.alpha.subarray(0, n * L));
      new Float64Array(this.memory.buffer, at.beta, n * L).set(this.beta.subarray(0, n * L));
    }
    k.gradients(n, L, at.alpha, at.beta, this.Kz, at.tags[si], at.gy);
    groups.forEach((g, i) => {
      const t = at.groups[i];
      k.groupUpdates(n, L, at.gy, gmin, t.of, g.size, at.grad, at.ids[si], at.offsets[si], g.stride * 4, t.W, t.G, avg ? t.U : -1, at.rates, at.gAct, at.gActG, eta, l2, stepNo);
    });
    k.labelUpdates(n, L, at.gy, gmin, at.ids[si], at.offsets[si], this.Lp * 4, at.W, at.GW, avg ? at.UW : -1, at.rates, at.act, at.actG, eta, l2, stepNo);
  }

  /** Transition, start and end updates after a sequence's forward-backward. */
  private transitionStep(seq: TrainSequence): void {
    const { L, lat, gT, gS, gE, gu, gv, cross } = this;
    const n = seq.n;
    gT.fill(0);
    gS.fill(0);
    gE.fill(0);
    const { alpha, beta, Kz } = this;
    const last = (n - 1) * L;
    for (let y = 0; y < L; y++) {
      gS[y] = (alpha[y] * beta[y]) / Kz;
      gE[y] = (alpha[last + y] * beta[last + y]) / Kz;
    }
    gS[seq.tags[0]] -= 1;
    gE[seq.tags[n - 1]] -= 1;
    gu.fill(0);
    gv.fill(0);
    this.gw.fill(0);
    const wasm = this.wasm;
    if (wasm) {
      const P = this.at.lattice!;
      wasm.kernels.expectations(
        n, L, P.psi, this.at.alpha, this.at.beta, P.scale, Kz, P.X, wasm.bilou.expOO, wasm.bilou.np, P.pFrom, P.pTo, P.pExtra, P.pExpUV, P.w, P.pre, P.own, P.preY,
        this.at.gT, this.at.gu, this.at.gv, this.at.gw,
      );
    } else lat.transitionExpectations(gT, gu, gv, this.gw);
    for (let t = 1; t < n; t++) {
      const a = seq.tags[t - 1];
      const b = seq.tags[t];
      if (cross && isCrossPair(a, b)) {
        gu[a] -= 1;
        gv[b] -= 1;
        this.gw[this.pairIndex[a * L + b]] -= 1;
      } else gT[a * L + b] -= 1;
    }
    // updateTransitions, updateCross (with materializeCross) and updateStartEnd, as one kernel
    const c = this.at.chain;
    const at = this.at;
    this.f64Kernels.transitionUpdates(
      L, this.allowedT.length, c.allowed, c.trans, c.GT, c.UT, at.gT, c.start, c.GS, c.US, c.gS, c.end, c.GE, c.UE, c.gE,
      this.crossPairs.length >> 1, c.crossList, cross ? c.u : -1, c.Gu, c.Uu, at.gu, c.v, c.Gv, c.Uv, at.gv,
      cross?.pairs ? cross.pairs.w.length : 0, at.lattice?.pFrom ?? -1, at.lattice?.pTo ?? -1, c.pw, c.pGw, c.pUw, at.gw, this.eta, this.stepNo,
    );
  }

  /** The trained parameters: the averaged iterate (if averaging), group weights folded into W. */
  finish(): CrfParams {
    const { L, chain, cross, groups, numFeatures, stepNo: step, at, avg } = this;
    // the averaged emission weights (W − UW / step) with the groups' shares (each W − U / step) folded in, then rounded.
    // With averaging the result is written over GW and UW (float32 rows of Lp, one after the other): row f's L
    // float64s end at byte 8·(f·L + y + 1) for its weight y, before UW's next weight to read, at 4·(N·Lp + f·Lp + y + 1)
    // (as L ≤ Lp), so each UW value is read before it is overwritten; the groups' tables lie beyond.
    const k = this.f64Kernels;
    k.finishBase(at.W, avg ? at.UW : -1, this.Lp, L, numFeatures, step, at.out);
    groups.forEach((g, i) => k.finishGroup(at.groups[i].W, avg ? at.groups[i].U : -1, g.stride, at.groups[i].of, L, numFeatures, step, at.out));
    const buf = this.memory.buffer;
    const W = new Float64Array(buf, at.out, numFeatures * L);
    if (this.float16) k.round16(at.out, numFeatures, L, at.bits16, at.norms);
    const float16 = this.float16 ? { bits: new Uint16Array(buf, at.bits16, numFeatures * L), norms: new Float64Array(buf, at.norms, numFeatures) } : undefined;
    if (this.avg) {
      for (let i = 0; i < L * L; i++) if (chain.trans[i] > DISALLOWED) chain.trans[i] -= this.UT[i] / step;
      if (cross) {
        for (let i = 0; i < L; i++) {
          cross.u[i] -= this.Uu[i] / step;
          cross.v[i] -= this.Uv[i] / step;
        }
        const p = cross.pairs;
        if (p) for (let j = 0; j < p.w.length; j++) p.w[j] = Math.max(0, p.w[j] - this.Uw[j] / step);
      }
      for (let i = 0; i < L; i++) {
        if (chain.start[i] > DISALLOWED) chain.start[i] -= this.US[i] / step;
        if (chain.end[i] > DISALLOWED) chain.end[i] -= this.UE[i] / step;
      }
    }
    if (cross) {
      keepStrongPairs(cross, this.minPairCorrection);
      materializeCross(chain.trans, L, cross);
    }
    // views of the trainer's memory, which they keep alive (copies measured no lower peak: 290 against 262 MB, wnut17)
    return { ...chain, numFeatures, W, ...(float16 ? { float16 } : {}) };
  }
}

/** Drops the corrected pairs below `min` (see CrfTrainOptions.minPairCorrection). */
function keepStrongPairs(cross: CrossFactors, min: number): void {
  const p = cross.pairs;
  if (!p) return;
  const keep: number[] = [];
  // a correction of 0 changes no score but costs decoding work: dropped whatever min is
  for (let j = 0; j < p.w.length; j++) if (p.w[j] > 0 && p.w[j] >= min) keep.push(j);
  if (keep.length === p.w.length) return;
  cross.pairs = keep.length > 0
    ? { from: Int32Array.from(keep, (j) => p.from[j]), to: Int32Array.from(keep, (j) => p.to[j]), w: Float64Array.from(keep, (j) => p.w[j]) }
    : undefined;
}

/** Score of the gold tags with each token's emissions shifted by their maximum (as `Lattice.run` shifts them). */
function goldScore(chain: ChainScores, E: Float64Array, tags: Int32Array, n: number, rowMax?: Float64Array): number {
  const L = chain.L;
  let gold = chain.start[tags[0]] + chain.end[tags[n - 1]];
  for (let t = 0; t < n; t++) {
    let m = -Infinity;
    if (rowMax) m = rowMax[t];
    else for (let y = 0; y < L; y++) if (E[t * L + y] > m) m = E[t * L + y];
    gold += E[t * L + tags[t]] - m;
    if (t > 0) gold += chain.trans[tags[t - 1] * L + tags[t]];
  }
  return gold;
}

/** One AdaGrad step of x[i] by gradient g, with its sum of squares G[i] and averaging accumulator U[i]. */
export function adagradScalar(x: Float64Array, G: Float64Array, U: Float64Array, i: number, g: number, eta: number, step: number): void {
  G[i] += g * g;
  const d = (eta * g) / (Math.sqrt(G[i]) + 1e-8);
  x[i] -= d;
  U[i] -= step * d;
}

/**
 * `adagradScalar` projected onto x[i] ≥ 0: a step that would take x[i] below 0 stops at 0, and the averaging
 * accumulator records the step actually taken (so x − U/step stays the mean of the iterates).
 */
export function adagradNonNegative(x: Float64Array, G: Float64Array, U: Float64Array, i: number, g: number, eta: number, step: number): void {
  adagradScalar(x, G, U, i, g, eta, step);
  if (x[i] < 0) {
    U[i] -= step * x[i];
    x[i] = 0;
  }
}

const pad4 = (n: number) => (n + 3) & ~3;

/** The cross pairs (a, b) the gold tag paths contain, in (a, b) order. */
function crossPairsIn(seqs: TrainSequence[], L: number): { from: number[]; to: number[] } {
  const seen = new Uint8Array(L * L);
  for (const s of seqs) for (let t = 1; t < s.n; t++) if (isCrossPair(s.tags[t - 1], s.tags[t])) seen[s.tags[t - 1] * L + s.tags[t]] = 1;
  const from: number[] = [];
  const to: number[] = [];
  for (let i = 0; i < L * L; i++) {
    if (!seen[i]) continue;
    from.push((i / L) | 0);
    to.push(i % L);
  }
  return { from, to };
}

/** The largest WebAssembly memory (4 GiB). */
const MAX_MEMORY_BYTES = 65536 * 65536;

/**
 * Byte offsets of the trainer's tables in its WebAssembly memory (up to 4 GiB: the per-sequence ones are kept as
 * float64, an offset past 2 GiB being no int32); −1 for a table it does not have.
 */
interface Layout {
  /** Emission weights, AdaGrad sums, averaging accumulators: float32, numFeatures rows of L rounded up to 4. */
  W: number;
  GW: number;
  UW: number;
  /** Each group's weights, sums and accumulators (rows of its size rounded up to 4), and its of[] (int32 × L). */
  groups: Array<{ W: number; G: number; U: number; of: number }>;
  /** Per-row rates (float32 × numFeatures). */
  rates: number;
  /** A token's active labels (int32 × L) and their gradients (float64 × L); the same for a group's columns. */
  act: number;
  actG: number;
  gAct: number;
  gActG: number;
  /** Each sequence's feature ids and offsets (int32). */
  ids: Float64Array;
  offsets: Float64Array;
  /** One sequence's scores (float64, maxN × L) and a scratch row. */
  E: number;
  scratch: number;
  /** The transition gradients: gT (L × L), gu, gv (L), gw (the corrected pairs). */
  gT: number;
  gu: number;
  gv: number;
  gw: number;
  /**
   * A sequence's alpha and beta (n × L: the WebAssembly forward-backward's, or copies of Lattice's), its emission
   * gradients gy (n × L), each sequence's gold tags (int32), a group's column gradients.
   */
  alpha: number;
  beta: number;
  gy: number;
  tags: Float64Array;
  grad: number;
  /**
   * The chain: transition, start, end scores with their AdaGrad sums (G…) and averaging accumulators (U…), start and
   * end gradients, the allowed transitions and cross pairs (int32), the cross factors and the corrected pairs'
   * weights (pw, pGw, pUw; their from/to are the lattice's).
   */
  chain: Record<
    'trans' | 'GT' | 'UT' | 'allowed' | 'crossList' | 'start' | 'GS' | 'US' | 'gS' | 'end' | 'GE' | 'UE' | 'gE' | 'u' | 'Gu' | 'Uu' | 'v' | 'Gv' | 'Uv' | 'pw' | 'pGw' | 'pUw',
    number
  >;
  /** The trained weights (float64, numFeatures × L), as float16 bits (uint16) and their rows' norms (float64). */
  out: number;
  bits16: number;
  norms: number;
  /**
   * For the WebAssembly forward-backward (factored BILOU chains): the chain as writeChain puts it (its corrected pairs'
   * from/to also serve transitionUpdates), and psi, scale, row maxima, pExpUV, preY and the exp tables (see
   * wasm-lattice.ts for each array).
   */
  lattice?: ChainRegions & { psi: number; scale: number; rowMax: number; pExpUV: number; preY: number; frac: number; pow2: number };
}

/** Where the trainer's tables go in its WebAssembly memory, each 16-byte aligned, and how many bytes they take. */
function layout(seqs: TrainSequence[], numFeatures: number, L: number, sizes: number[], maxN: number, avg: boolean, rates: boolean, pairs: number): { at: Layout; bytes: number } {
  const r = new Regions();
  const take = (n: number) => r.take(n);
  const table = (width: number) => take(numFeatures * pad4(width) * 4);
  const at: Layout = {
    W: table(L),
    GW: table(L),
    UW: avg ? table(L) : -1,
    groups: sizes.map((size) => ({ W: table(size), G: table(size), U: avg ? table(size) : -1, of: take(L * 4) })),
    rates: rates ? take(numFeatures * 4) : -1,
    act: take(L * 4),
    actG: take(L * 8),
    gAct: take(Math.max(1, ...sizes) * 4),
    gActG: take(Math.max(1, ...sizes) * 8),
    ids: Float64Array.from(seqs, (s) => take(s.offsets[s.n] * 4)),
    offsets: Float64Array.from(seqs, (s) => take((s.n + 1) * 4)),
    E: take(maxN * L * 8),
    scratch: take(Math.max(pad4(L), ...sizes.map(pad4)) * 4),
    gT: take(L * L * 8),
    gu: take(L * 8),
    gv: take(L * 8),
    gw: take(Math.max(pairs, 0) * 8),
    // with averaging, the trained weights go where GW and UW were (dead by then; see finish), else to new pages
    out: avg ? -1 : take(numFeatures * L * 8),
    bits16: take(numFeatures * L * 2),
    norms: take(numFeatures * 8),
    alpha: take(maxN * L * 8),
    beta: take(maxN * L * 8),
    gy: take(maxN * L * 8),
    tags: Float64Array.from(seqs, (s) => take(s.n * 4)),
    grad: take(Math.max(1, ...sizes) * 8),
    chain: {
      trans: take(L * L * 8), GT: take(L * L * 8), UT: take(L * L * 8), allowed: take(L * L * 4), crossList: take(2 * L * L * 4),
      start: take(L * 8), GS: take(L * 8), US: take(L * 8), gS: take(L * 8), end: take(L * 8), GE: take(L * 8), UE: take(L * 8), gE: take(L * 8),
      u: take(L * 8), Gu: take(L * 8), Uu: take(L * 8), v: take(L * 8), Gv: take(L * 8), Uv: take(L * 8),
      pw: take(Math.max(pairs, 0) * 8), pGw: take(Math.max(pairs, 0) * 8), pUw: take(Math.max(pairs, 0) * 8),
    },
  };
  // pairs ≥ 0: a factored BILOU chain with that many corrected pairs
  if (pairs >= 0) {
    const K = (L - 1) >> 2;
    const rows = maxN * L * 8;
    at.lattice = {
      ...chainRegions(r, L, pairs), ...expRegions(r),
      psi: take(rows), scale: take(maxN * 8), rowMax: take(maxN * 8), pExpUV: take(pairs * 8), preY: take(2 * K * 8),
    };
  }
  if (r.bytes > MAX_MEMORY_BYTES)
    throw new RangeError(`trainCrf: ${numFeatures} features × ${L} labels need ${Math.ceil(r.bytes / 2 ** 20)} MiB of tables, over the 4 GiB a WebAssembly memory holds`);
  if (avg) at.out = at.GW;
  return { at, bytes: r.bytes };
}
