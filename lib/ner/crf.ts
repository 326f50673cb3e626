// Linear-chain CRF: AdaGrad training of sparse emission weights and label transitions, Viterbi decoding,
// scaled forward-backward for marginals and exact span probabilities (the entity confidence).
import type { LabelSet } from './labels.js';

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
}

export interface CrfParams extends ChainScores {
  numFeatures: number;
  /** [numFeatures * L] emission weights. */
  W: Float64Array;
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
  /** Gradient entries smaller than this are skipped (they barely move a weight; skipping them is most of the speed). */
  minGradient?: number;
  onEpoch?: (epoch: number, loss: number) => void;
}

export const DISALLOWED = -1e4;

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

/** Work buffers for forward-backward over sequences of up to `cap` tokens. */
export class Lattice {
  alpha: Float64Array;
  beta: Float64Array;
  psi: Float64Array;
  scale: Float64Array;
  expT: Float64Array;
  expStart: Float64Array;
  expEnd: Float64Array;
  K = 1;
  n = 0;
  adj: Adjacency | undefined;
  private readonly w: Float64Array;
  private cap = 0;

  constructor(readonly L: number) {
    this.alpha = this.beta = this.psi = this.scale = new Float64Array(0);
    this.expT = new Float64Array(L * L);
    this.expStart = new Float64Array(L);
    this.expEnd = new Float64Array(L);
    this.w = new Float64Array(L);
  }

  private ensure(n: number): void {
    if (n <= this.cap) return;
    this.cap = Math.max(n, this.cap * 2, 64);
    this.alpha = new Float64Array(this.cap * this.L);
    this.beta = new Float64Array(this.cap * this.L);
    this.psi = new Float64Array(this.cap * this.L);
    this.scale = new Float64Array(this.cap);
  }

  /** exp of the transition scores (0 where disallowed). */
  setChain(c: ChainScores): void {
    const L = this.L;
    // the allowed pairs come from the tag scheme and never change; only the scores do
    if (this.adj) updateAdjacency(this.adj, c);
    else this.adj = adjacency(c);
    for (let i = 0; i < L * L; i++) this.expT[i] = c.trans[i] <= DISALLOWED ? 0 : Math.exp(c.trans[i]);
    for (let i = 0; i < L; i++) {
      this.expStart[i] = c.start[i] <= DISALLOWED ? 0 : Math.exp(c.start[i]);
      this.expEnd[i] = c.end[i] <= DISALLOWED ? 0 : Math.exp(c.end[i]);
    }
  }

  /** Runs scaled forward-backward over emissions E[t*L + y] for n tokens. */
  run(E: ArrayLike<number>, n: number): void {
    const L = this.L;
    this.ensure(n);
    this.n = n;
    const { alpha, beta, psi, scale, expT, expStart, expEnd } = this;
    for (let t = 0; t < n; t++) {
      let m = -Infinity;
      const o = t * L;
      for (let y = 0; y < L; y++) if (E[o + y] > m) m = E[o + y];
      for (let y = 0; y < L; y++) psi[o + y] = Math.exp(E[o + y] - m);
    }
    let z = 0;
    for (let y = 0; y < L; y++) {
      alpha[y] = expStart[y] * psi[y];
      z += alpha[y];
    }
    scale[0] = z || 1e-300;
    for (let y = 0; y < L; y++) alpha[y] /= scale[0];
    for (let t = 1; t < n; t++) {
      const o = t * L;
      const p = o - L;
      z = 0;
      const { predOff, pred, predExpT } = this.adj!;
      for (let y = 0; y < L; y++) {
        let s = 0;
        for (let k = predOff[y], e = predOff[y + 1]; k < e; k++) s += alpha[p + pred[k]] * predExpT[k];
        const v = s * psi[o + y];
        alpha[o + y] = v;
        z += v;
      }
      scale[t] = z || 1e-300;
      for (let y = 0; y < L; y++) alpha[o + y] /= scale[t];
    }
    const last = (n - 1) * L;
    for (let y = 0; y < L; y++) beta[last + y] = expEnd[y];
    const { succOff, succ, succExpT } = this.adj!;
    const w = this.w;
    for (let t = n - 2; t >= 0; t--) {
      const o = t * L;
      const q = o + L;
      const c = scale[t + 1];
      for (let y = 0; y < L; y++) w[y] = (psi[q + y] * beta[q + y]) / c;
      for (let a = 0; a < L; a++) {
        let s = 0;
        for (let k = succOff[a], e = succOff[a + 1]; k < e; k++) s += succExpT[k] * w[succ[k]];
        beta[o + a] = s;
      }
    }
    let K = 0;
    for (let y = 0; y < L; y++) K += alpha[last + y] * beta[last + y];
    this.K = K || 1e-300;
  }

  /** Marginal probability of tag y at token t (after run). */
  marginal(t: number, y: number): number {
    const o = t * this.L + y;
    return (this.alpha[o] * this.beta[o]) / this.K;
  }

  /** Probability that tokens s..e carry exactly tags[s..e] (after run). */
  segmentProbability(tags: ArrayLike<number>, s: number, e: number): number {
    const L = this.L;
    let p = this.alpha[s * L + tags[s]];
    for (let t = s + 1; t <= e; t++) {
      p *= (this.expT[tags[t - 1] * L + tags[t]] * this.psi[t * L + tags[t]]) / this.scale[t];
    }
    p *= this.beta[e * L + tags[e]];
    return Math.min(1, Math.max(0, p / this.K));
  }

  /** log Z − (the max-shift constants), usable only for the training loss. */
  logZShifted(): number {
    let s = Math.log(this.K);
    for (let t = 0; t < this.n; t++) s += Math.log(this.scale[t]);
    return s;
  }
}

/** Best tag sequence for emissions E (n × L). */
export function viterbi(E: ArrayLike<number>, n: number, c: ChainScores, adj: Adjacency = adjacency(c)): Int32Array {
  const L = c.L;
  const { predOff, pred, predTrans } = adj;
  const out = new Int32Array(n);
  if (n === 0) return out;
  const delta = new Float64Array(n * L);
  const back = new Int32Array(n * L);
  for (let y = 0; y < L; y++) delta[y] = c.start[y] + E[y];
  for (let t = 1; t < n; t++) {
    const o = t * L;
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

/** Emission scores of a training sequence under weights W. */
function emissions(seq: TrainSequence, W: Float64Array, L: number, E: Float64Array, groups: Group[]): void {
  for (let t = 0; t < seq.n; t++) {
    const o = t * L;
    for (let y = 0; y < L; y++) E[o + y] = 0;
    for (const g of groups) g.sum.fill(0);
    for (let k = seq.offsets[t]; k < seq.offsets[t + 1]; k++) {
      const id = seq.ids[k];
      const w = id * L;
      for (let y = 0; y < L; y++) E[o + y] += W[w + y];
      for (const g of groups) {
        const r = id * g.size;
        for (let c = 0; c < g.size; c++) g.sum[c] += g.W[r + c];
      }
    }
    // group weights are summed per group first, then spread to labels once
    for (const g of groups) for (let y = 0; y < L; y++) E[o + y] += g.sum[g.of[y]];
  }
}

/** Weights shared by a group of labels (see CrfTrainOptions.labelGroups). */
interface Group {
  of: Int32Array;
  size: number;
  W: Float64Array;
  G: Float64Array;
  U: Float64Array;
  grad: Float64Array;
  sum: Float64Array;
}

/**
 * Trains a CRF by AdaGrad SGD, one sequence at a time, in a seeded shuffled order: deterministic for the same
 * sequences, settings and seed.
 */
export function trainCrf(seqs: TrainSequence[], numFeatures: number, labels: LabelSet, opts: CrfTrainOptions): CrfParams {
  const L = labels.size;
  const chain = initialScores(labels);
  const W = new Float64Array(numFeatures * L);
  const GW = new Float64Array(numFeatures * L);
  const GT = new Float64Array(L * L);
  const GS = new Float64Array(L);
  const GE = new Float64Array(L);
  const gT = new Float64Array(L * L);
  const gS = new Float64Array(L);
  const gE = new Float64Array(L);
  const lat = new Lattice(L);
  let maxN = 1;
  for (const s of seqs) maxN = Math.max(maxN, s.n);
  const E = new Float64Array(maxN * L);
  const rand = prng(opts.seed);
  const order = seqs.map((_, i) => i);
  const { eta, l2 } = opts;
  const eps = 1e-8;
  // averaging: U accumulates step·Δ so that the mean iterate is W − U/step (exact, and lazy: O(1) per update)
  const avg = opts.average ?? false;
  const UW = avg ? new Float64Array(numFeatures * L) : W;
  const UT = new Float64Array(L * L);
  const US = new Float64Array(L);
  const UE = new Float64Array(L);
  let step = 1;
  const groups: Group[] = (opts.labelGroups ?? []).map((of) => {
    const size = Math.max(...of) + 1;
    return {
      of, size, W: new Float64Array(numFeatures * size), G: new Float64Array(numFeatures * size),
      U: new Float64Array(avg ? numFeatures * size : 0), grad: new Float64Array(size), sum: new Float64Array(size),
    };
  });
  const gy = new Float64Array(L);
  const gmin = opts.minGradient ?? 1e-4;

  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    let loss = 0;
    for (const si of order) {
      const seq = seqs[si];
      const n = seq.n;
      if (n === 0) continue;
      emissions(seq, W, L, E, groups);
      lat.setChain(chain);
      lat.run(E, n);
      // loss = logZ - score(gold)
      let gold = chain.start[seq.tags[0]] + chain.end[seq.tags[n - 1]];
      for (let t = 0; t < n; t++) {
        let m = -Infinity;
        for (let y = 0; y < L; y++) if (E[t * L + y] > m) m = E[t * L + y];
        gold += E[t * L + seq.tags[t]] - m;
        if (t > 0) gold += chain.trans[seq.tags[t - 1] * L + seq.tags[t]];
      }
      loss += lat.logZShifted() - gold;

      // emission updates
      for (let t = 0; t < n; t++) {
        const g0 = seq.tags[t];
        for (let y = 0; y < L; y++) gy[y] = lat.marginal(t, y) - (y === g0 ? 1 : 0);
        for (const gr of groups) {
          gr.grad.fill(0);
          for (let y = 0; y < L; y++) gr.grad[gr.of[y]] += gy[y];
          for (let c = 0; c < gr.size; c++) {
            const g = gr.grad[c];
            if (g > -gmin && g < gmin) continue;
            for (let k = seq.offsets[t]; k < seq.offsets[t + 1]; k++) {
              const w = seq.ids[k] * gr.size + c;
              const gg = g + l2 * gr.W[w];
              gr.G[w] += gg * gg;
              const d = (eta * gg) / (Math.sqrt(gr.G[w]) + eps);
              gr.W[w] -= d;
              if (avg) gr.U[w] -= step * d;
            }
          }
        }
        for (let y = 0; y < L; y++) {
          const g = gy[y];
          if (g > -gmin && g < gmin) continue;
          for (let k = seq.offsets[t]; k < seq.offsets[t + 1]; k++) {
            const w = seq.ids[k] * L + y;
            const gg = g + l2 * W[w];
            GW[w] += gg * gg;
            const d = (eta * gg) / (Math.sqrt(GW[w]) + eps);
            W[w] -= d;
            if (avg) UW[w] -= step * d;
          }
        }
      }
      // transition, start and end updates
      gT.fill(0);
      gS.fill(0);
      gE.fill(0);
      for (let y = 0; y < L; y++) {
        gS[y] = lat.marginal(0, y);
        gE[y] = lat.marginal(n - 1, y);
      }
      gS[seq.tags[0]] -= 1;
      gE[seq.tags[n - 1]] -= 1;
      const { alpha, beta, psi, scale, expT } = lat;
      for (let t = 1; t < n; t++) {
        const p = (t - 1) * L;
        const o = t * L;
        const c = scale[t] * lat.K;
        const { succOff, succ } = lat.adj!;
        for (let a = 0; a < L; a++) {
          const al = alpha[p + a];
          if (al === 0) continue;
          for (let k = succOff[a]; k < succOff[a + 1]; k++) {
            const b = succ[k];
            gT[a * L + b] += (al * expT[a * L + b] * psi[o + b] * beta[o + b]) / c;
          }
        }
        gT[seq.tags[t - 1] * L + seq.tags[t]] -= 1;
      }
      for (let i = 0; i < L * L; i++) {
        if (chain.trans[i] <= DISALLOWED) continue;
        const g = gT[i];
        if (g === 0) continue;
        GT[i] += g * g;
        const d = (eta * g) / (Math.sqrt(GT[i]) + eps);
        chain.trans[i] -= d;
        UT[i] -= step * d;
      }
      for (let i = 0; i < L; i++) {
        if (chain.start[i] > DISALLOWED && gS[i] !== 0) {
          GS[i] += gS[i] * gS[i];
          const d = (eta * gS[i]) / (Math.sqrt(GS[i]) + eps);
          chain.start[i] -= d;
          US[i] -= step * d;
        }
        if (chain.end[i] > DISALLOWED && gE[i] !== 0) {
          GE[i] += gE[i] * gE[i];
          const d = (eta * gE[i]) / (Math.sqrt(GE[i]) + eps);
          chain.end[i] -= d;
          UE[i] -= step * d;
        }
      }
      step++;
    }
    opts.onEpoch?.(epoch, loss);
  }
  if (avg) {
    for (let i = 0; i < W.length; i++) W[i] -= UW[i] / step;
    for (const g of groups) for (let i = 0; i < g.W.length; i++) g.W[i] -= g.U[i] / step;
    for (let i = 0; i < L * L; i++) if (chain.trans[i] > DISALLOWED) chain.trans[i] -= UT[i] / step;
    for (let i = 0; i < L; i++) {
      if (chain.start[i] > DISALLOWED) chain.start[i] -= US[i] / step;
      if (chain.end[i] > DISALLOWED) chain.end[i] -= UE[i] / step;
    }
  }
  // fold the shared parts into each label's weight: the same scores, one matrix
  for (const g of groups)
    for (let f = 0; f < numFeatures; f++)
      for (let y = 0; y < L; y++) W[f * L + y] += g.W[f * g.size + g.of[y]];
  return { ...chain, numFeatures, W };
}
