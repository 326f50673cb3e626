// The in-memory model: fitting the CRF on prepared sequences and predicting entities from text. The ONNX
// export (export-model.ts) freezes exactly this model; the in-memory path is the reference it is tested against.
import { FeatureExtractor, type ClusterTable, type FeatureSettings, type Gazetteer } from './features.js';
import { LabelSet, type TagScheme } from './labels.js';
import { addRows, BilouChain, chainRegions, chainViews, expRegions, writeChain, writeExpTables, type ChainRegions, EXP_INV_STEP, EXP_STEP_HI, EXP_STEP_LO, Lattice, materializeCross, trainCrf, viterbi, type ChainScores, type CrfParams, type TrainSequence } from './crf.js';
import { latticeKernels, type LatticeKernels } from './wasm-lattice.js';
import { growTo, Regions } from './wasm-encode.js';
import { prepareText, type Sequence } from './prepare.js';
import { tokenize } from './tokenizer.js';
import { FeatureIndex } from './feature-index.js';
import type { PredictedEntity } from './types.js';
import { roundRowsToFloat16 } from './onnx/float16.js';
import { fnv1a } from './hash.js';

/** Training hyper-parameters; stored in the model for the record. */
export interface TrainerSettings {
  scheme: TagScheme;
  /** Passes over the training data: at least this many… */
  epochs: number;
  /**
   * …and more for small data, until about this many token updates (at most `maxEpochs` passes): SGD from 10
   * documents needs more passes than from 500 (see `epochsFor`).
   */
  minUpdates: number;
  maxEpochs: number;
  eta: number;
  l2: number;
  /** Features seen fewer times than this in training are dropped. */
  minFeatureCount: number;
  /** The far-context features' rate (see FarContext), a multiple of eta. */
  farContextRate: number;
  average: boolean;
  /** Gradient entries below this are skipped during training. */
  minGradient: number;
  /** Share weights across categories per tag prefix ('prefix'), across prefixes per category ('category'), or both. */
  factored: false | 'prefix' | 'category' | 'both';
  /** BILOU: factor the entity → entity transitions across categories (O(L) decoding; see CrfTrainOptions). */
  factorCross: boolean;
  /**
   * Factored chains: the smallest correction of an adjacent entity pair kept (see CrfTrainOptions.minPairCorrection).
   * 0.3: a pair whose odds change by less than e^0.3 ≈ 1.35 is not worth its decoding work (slots_synth, in-memory F1
   * by the smallest kept: 94.99 with all 49 pairs and from 0.05, 0.1 or 0.2; 95.05 from 0.3, 13 pairs; 94.87 with
   * none; on the four bench datasets every correction ends below 0.13, so none is kept).
   */
  minPairCorrection: number;
}

export const DEFAULT_TRAINER: TrainerSettings = { scheme: 'BILOU', epochs: 5, minUpdates: 40_000, maxEpochs: 15, eta: 0.05, l2: 1e-4, minFeatureCount: 1, average: true, factored: 'category', minGradient: 1e-3, factorCross: true, minPairCorrection: 0.3, farContextRate: 0.3 };

export interface FittedModel {
  labels: LabelSet;
  extractor: FeatureExtractor;
  /** feature (hA, hB) → row of W; `dict.rowA/rowB` give each row's hashes (for the ONNX hash table). */
  dict: FeatureIndex;
  params: CrfParams;
  /** The emission weights as float16 bits (what the model file stores; `params.W` holds the same values). */
  W16: Uint16Array;
  /** Each feature row's L1 norm (of `params.W`, summed over the labels in order): the export places rows by it. */
  norms: Float64Array;
  /** Passes over the training data (see `epochsFor`). */
  epochs: number;
}

/**
 * Passes over `tokens` training tokens: `epochs`, raised for small data to reach `minUpdates` token updates, at most
 * `maxEpochs`. 10 documents (2–4k tokens) get 10–15 passes; from ~8k tokens on, the base 5.
 */
export function epochsFor(trainer: Pick<TrainerSettings, 'epochs' | 'minUpdates' | 'maxEpochs'>, tokens: number): number {
  const wanted = tokens > 0 ? Math.ceil(trainer.minUpdates / tokens) : trainer.epochs;
  return Math.max(trainer.epochs, Math.min(trainer.maxEpochs, wanted));
}

/** Builds the feature dictionary and training sequences, then trains the CRF. */
export function fit(
  sequences: Sequence[],
  categories: string[],
  featureSettings: FeatureSettings,
  trainer: TrainerSettings,
  seed: number,
  aux: { clusters?: ClusterTable; pretrained?: ClusterTable; gazetteer?: Gazetteer; trainingGazetteers?: (seq: number) => Gazetteer | undefined } = {},
  onEpoch?: (epoch: number, loss: number, epochs: number) => void,
): FittedModel {
  const labels = new LabelSet(categories, trainer.scheme);
  const extractor = new FeatureExtractor(featureSettings, aux.clusters, aux.gazetteer, aux.pretrained);
  // training may see a different gazetteer per sequence (leave-fold-out lists, so the model does not learn to
  // trust a list that always contains the answer)
  const extractors = new Map<Gazetteer | undefined, FeatureExtractor>();
  const extractorFor = (i: number) => {
    if (!aux.trainingGazetteers) return extractor;
    const g = aux.trainingGazetteers(i);
    let e = extractors.get(g);
    if (!e) {
      e = new FeatureExtractor(featureSettings, aux.clusters, g, aux.pretrained);
      extractors.set(g, e);
    }
    return e;
  };
  // index features in first-seen order (deterministic), a sequence at a time: the rows of its features are kept,
  // its hashes are not (garbage at once, so their memory is reused by the next sequence). Small data has about 4–6
  // distinct features per token (large data fewer): sized for that, a small set's index never grows.
  let tokens = 0;
  for (const s of sequences) tokens += s.starts.length;
  const all = new FeatureIndex(Math.min(1 << 16, Math.max(4096, 6 * tokens)));
  const extracted = sequences.map((s, si) => {
    const f = extractorFor(si).extract(s.text, s.starts, s.ends);
    const rows = new Int32Array(f.hA.length);
    all.addAll(f.hA, f.hB, rows);
    return { n: f.n, offsets: f.offsets, rows };
  });
  // rows seen fewer than minFeatureCount times are dropped (when none is, the index and the rows are final)
  let dropped = false;
  for (let r = 0; r < all.size && !dropped; r++) dropped = all.counts[r] < trainer.minFeatureCount;
  let dict = all;
  let train: TrainSequence[] = extracted.map((e, si) => ({ n: e.n, offsets: e.offsets, ids: e.rows, tags: labels.encode(e.n, sequences[si].spans) }));
  if (dropped) {
    const keep = new Int32Array(all.size).fill(-1);
    dict = new FeatureIndex(all.size);
    for (let r = 0; r < all.size; r++) if (all.counts[r] >= trainer.minFeatureCount) keep[r] = dict.add(all.rowA[r], all.rowB[r]);
    train = extracted.map((e, si) => {
      const ids = new Int32Array(e.rows.length);
      let p = 0;
      const offsets = new Int32Array(e.n + 1);
      for (let t = 0; t < e.n; t++) {
        offsets[t] = p;
        for (let i = e.offsets[t]; i < e.offsets[t + 1]; i++) {
          const id = keep[e.rows[i]];
          if (id >= 0) ids[p++] = id;
        }
      }
      offsets[e.n] = p;
      return { n: e.n, offsets, ids: ids.subarray(0, p), tags: train[si].tags };
    });
  }
  const groups: Int32Array[] = [];
  if (trainer.factored === 'prefix' || trainer.factored === 'both')
    groups.push(Int32Array.from(labels.names, (_, y) => ['O', 'B', 'I', 'L', 'U'].indexOf(labels.prefixOf(y))));
  if (trainer.factored === 'category' || trainer.factored === 'both')
    groups.push(Int32Array.from(labels.names, (_, y) => (y === 0 ? categories.length : labels.categoryOf(y))));
  const epochs = epochsFor(trainer, train.reduce((n, t) => n + t.n, 0));
  const rowRates = farRates(extractor, dict, trainer.farContextRate);
  const params = trainCrf(train, dict.size, labels, {
    labelGroups: groups,
    epochs, eta: trainer.eta, l2: trainer.l2, average: trainer.average, minGradient: trainer.minGradient, factorCross: trainer.factorCross,
    minPairCorrection: trainer.minPairCorrection, rowRates, seed, onEpoch, float16: true,
  });
  // the model file stores emission weights as float16 and scores as float32: round here so the in-memory model
  // is exactly the model the file holds
  const { bits: W16, norms } = params.float16 ?? roundRowsToFloat16(params.W, labels.size);
  const rounded = [params.trans, params.start, params.end, ...(params.cross ? [params.cross.u, params.cross.v] : []), ...(params.cross?.pairs ? [params.cross.pairs.w] : [])];
  for (const a of rounded) for (let i = 0; i < a.length; i++) a[i] = Math.fround(Math.max(a[i], -1e4));
  // cross pairs are read from their (rounded) factors when decoding; the matrix shows the same scores
  if (params.cross) materializeCross(params.trans, labels.size, params.cross);
  return { labels, extractor, dict, params, W16, norms, epochs };
}

/** Per row of `dict`, its rate: `rate` for the far-context features, 1 for the others; undefined when all are 1. */
function farRates(extractor: FeatureExtractor, dict: FeatureIndex, rate: number): Float32Array | undefined {
  if (rate === 1) return undefined;
  const far = extractor.farFeatures();
  if (far.hA.length === 0) return undefined;
  const rows = new Int32Array(far.hA.length);
  dict.getAll(far.hA, far.hB, rows);
  const rates = new Float32Array(dict.size).fill(1);
  for (const r of rows) if (r >= 0) rates[r] = rate;
  return rates;
}

/** The rows of the features of a sequence's tokens that the in-memory model knows: token t's are ids[offsets[t]..offsets[t + 1]). */
export function modelFeatureRows(m: FittedModel, s: Sequence): { n: number; ids: Int32Array; offsets: Int32Array } {
  const f = m.extractor.extract(s.text, s.starts, s.ends);
  const ids = new Int32Array(f.hA.length);
  m.dict.getAll(f.hA, f.hB, ids);
  const offsets = new Int32Array(f.n + 1);
  let p = 0;
  for (let t = 0; t < f.n; t++) {
    offsets[t] = p;
    for (let i = f.offsets[t]; i < f.offsets[t + 1]; i++) if (ids[i] >= 0) ids[p++] = ids[i];
  }
  offsets[f.n] = p;
  return { n: f.n, ids, offsets };
}

/** Emission scores (n × L) of a sequence under the in-memory model. */
export function inMemoryEmissions(m: FittedModel, s: Sequence): Float64Array {
  const L = m.labels.size;
  const { n, ids, offsets } = modelFeatureRows(m, s);
  const E = new Float64Array(n * L);
  // each token's rows summed in feature order (as one at a time)
  for (let t = 0; t < n; t++) addRows(E, t * L, L, m.params.W, ids, offsets[t], offsets[t + 1]);
  return E;
}

/** Runs forward-backward over a sequence under the in-memory model, leaving the results in `lattice`. */
export interface SequenceLattice {
  readonly lattice: Lattice;
  run(s: Sequence): void;
}

/** The in-memory model's forward-backward in JavaScript (modelLattice, inMemoryEmissions). */
export function jsSequenceLattice(m: FittedModel, lattice: Lattice = modelLattice(m)): SequenceLattice {
  return { lattice, run: (s) => lattice.run(inMemoryEmissions(m, s), s.starts.length) };
}

/**
 * The in-memory model's forward-backward by the WebAssembly kernels, for a factored BILOU chain: the same emission
 * sums, exponentials, alpha, beta, scale and K, bit for bit, as `jsSequenceLattice`, which `lattice` (modelLattice's)
 * adopts after each run for its marginals and segment probabilities. For training's scan for project names: code a
 * fresh process has compiled, where the JavaScript would run cold. Holds a float32 copy of the weights (exact: fit
 * rounds them to float16 values).
 */
export class WasmSequenceLattice implements SequenceLattice {
  readonly lattice: Lattice;
  private readonly kernels: LatticeKernels;
  private readonly memory: WebAssembly.Memory;
  private readonly L: number;
  private readonly np: number;
  private cap = 0;
  private at: Record<'ids' | 'offs' | 'E' | 'psi' | 'alpha' | 'beta' | 'scale' | 'rowMax', number> | undefined;
  /** Byte offsets of what does not depend on the sequence length. */
  private readonly fixed: ChainRegions & Record<'W' | 'frac' | 'pow2' | 'top', number>;

  static fits(m: FittedModel): boolean {
    return m.labels.scheme === 'BILOU' && BilouChain.fits(m.params);
  }

  /** `room`: tokens the memory first holds sequences of (it grows for longer ones). */
  constructor(private readonly m: FittedModel, private readonly room = 256) {
    if (!WasmSequenceLattice.fits(m)) throw new RangeError('WasmSequenceLattice: needs a factored BILOU chain');
    const L = (this.L = m.labels.size);
    this.lattice = modelLattice(m);
    const bilou = this.lattice.bilou!;
    this.np = bilou.np;
    const r = new Regions();
    const W = m.params.W;
    this.fixed = { W: r.take(W.length * 4), ...chainRegions(r, L, this.np), ...expRegions(r), top: 0 };
    this.fixed.top = r.take(0);
    this.memory = new WebAssembly.Memory({ initial: Math.ceil(r.bytes / 65536) });
    this.kernels = latticeKernels(this.memory);
    const buf = this.memory.buffer;
    const f = this.fixed;
    // the in-memory model's weights are float16 values (fit rounds them): float32 holds them exactly
    new Float32Array(buf, f.W, W.length).set(W);
    writeChain(chainViews(buf, f, L, this.np), bilou, m.params);
    writeExpTables(buf, f);
  }

  /** Room for n tokens with `features` feature rows in all, after the fixed tables (the memory grows when short). */
  private ensure(n: number, features: number): NonNullable<WasmSequenceLattice['at']> {
    if (this.at && n <= this.cap && features <= 64 * this.cap) return this.at;
    const cap = Math.max(n, Math.ceil(features / 64), 2 * this.cap, this.room);
    const L = this.L;
    const r = new Regions(this.fixed.top);
    const rows = cap * L * 8;
    const at = { ids: r.take(64 * cap * 4), offs: r.take((cap + 1) * 4), E: r.take(rows), psi: r.take(rows), alpha: r.take(rows), beta: r.take(rows), scale: r.take(cap * 8), rowMax: r.take(cap * 8) };
    growTo(this.memory, r.bytes);
    this.cap = cap;
    return (this.at = at);
  }

  run(s: Sequence): void {
    const { n, ids, offsets } = modelFeatureRows(this.m, s);
    const at = this.ensure(n, offsets[n]);
    const f = this.fixed;
    const L = this.L;
    const buf = this.memory.buffer;
    new Int32Array(buf, at.ids, offsets[n]).set(ids.subarray(0, offsets[n]));
    new Int32Array(buf, at.offs, n + 1).set(offsets);
    const k = this.kernels;
    k.rowSums64(at.ids, at.offs, n, f.W, L, at.E);
    k.psiRows(at.E, at.psi, at.rowMax, n, L, f.frac, f.pow2, EXP_INV_STEP, EXP_STEP_HI, EXP_STEP_LO);
    const bilou = this.lattice.bilou!;
    const K = k.forwardBackward(n, L, at.psi, at.alpha, at.beta, at.scale, f.start, f.end, f.X, bilou.expOO, this.np, f.pFrom, f.pTo, f.pExtra, f.w, f.pre, f.own);
    const view = (offset: number, size: number) => new Float64Array(buf, offset, size);
    this.lattice.adopt(n, view(at.alpha, n * L), view(at.beta, n * L), view(at.psi, n * L), view(at.scale, n), K);
  }
}

/**
 * Decodes the sequences of one document. With `consistency` > 0, a second pass looks for other occurrences of the
 * strings the first pass found as entities (confidence ≥ 0.5) and adds an occurrence when the model itself gives
 * that reading a probability of at least `consistency`: a name the document has established is read the same way
 * where the local context alone was not enough.
 */
export function decodeDocument(
  labels: LabelSet,
  chain: ChainScores,
  lattice: Lattice,
  seqs: Sequence[],
  emissions: ArrayLike<number>[],
  consistency: number,
  /** Entity strings the project already knows (labelled spans, confident predictions on its other documents). */
  projectKnown?: ReadonlyMap<string, number>,
  /** Per sequence, each token's largest emission (see Lattice.run), when the caller has them. */
  rowMax?: ArrayLike<number>[],
  /** Per sequence, exp(emission − largest) of each token (see Lattice.run), when the caller has them. */
  psi?: Float64Array[],
): PredictedEntity[] {
  try {
    return new DocumentDecoder(labels, chain, lattice, seqs, emissions, consistency, projectKnown, rowMax, psi).decode();
  } finally {
    // the exponentials handed in are the caller's (valid only while it decodes): the lattice lets go of them
    if (psi) lattice.releasePsi();
  }
}

/**
 * The state of one decodeDocument call. A class rather than closures inside the function: under the tsx loader (the
 * CLI and the bench) every closure created is also a call to tsx's `__name`, a few per document that cost more than
 * the work for a short document.
 */
class DocumentDecoder {
  /** The document's own names (and its re-readings of project names), over the project's. */
  private readonly local = new Map<string, Known>();
  private readonly project: KnownIndex | undefined;
  private readonly localIndex = new Map<number, Known[]>();
  private readonly found: PredictedEntity[][] = [];
  private readonly tagsOf: Int32Array[] = [];
  private candidate = new Int32Array(0);

  constructor(
    private readonly labels: LabelSet,
    private readonly chain: ChainScores,
    private readonly lattice: Lattice,
    private readonly seqs: Sequence[],
    private readonly emissions: ArrayLike<number>[],
    private readonly consistency: number,
    projectKnown: ReadonlyMap<string, number> | undefined,
    /** Per sequence, each token's largest emission (see Lattice.run), when the caller has them. */
    private readonly rowMax: ArrayLike<number>[] | undefined,
    /** Per sequence, exp(emission − largest) of each token, when the caller has them. */
    private readonly psi: Float64Array[] | undefined,
  ) {
    // the project's names are indexed once per map (see knownIndex)
    this.project = projectKnown && projectKnown.size > 0 ? knownIndex(projectKnown) : undefined;
    localFirstBits.fill(0);
  }

  decode(): PredictedEntity[] {
    const { seqs, labels, lattice, emissions, rowMax, psi, local, localIndex, found, tagsOf, consistency, project } = this;
    const buffers = lattice.viterbiBuffers;
    const stats = lattice.decodeStats;
    /** The last sequence that established a name new to the document (−1: none). */
    let late = -1;
    // plain loops, no closure per sequence or entity: each one is a call to tsx's __name under the tsx loader
    for (let k = 0; k < seqs.length; k++) {
      const s = seqs[k];
      const n = s.starts.length;
      let ran = false;
      let tags: Int32Array | undefined;
      if (n > 0 && marginalsFirst(stats)) {
        lattice.run(emissions[k], n, rowMax?.[k], psi?.[k]);
        ran = true;
        tags = lattice.certainPath();
        stats.certain += ((tags ? 1 : 0) - stats.certain) / DECODE_STATS_SPAN;
      }
      tags ??= n > 0 ? viterbi(emissions[k], n, this.chain, lattice, buffers) : new Int32Array(0); // setChain was called by the owner
      tagsOf.push(tags);
      const spans = labels.decode(tags);
      if (n > 0) {
        stats.entities += ((spans.length > 0 ? 1 : 0) - stats.entities) / DECODE_STATS_SPAN;
        stats.sequences++;
      }
      if (spans.length > 0 && !ran) {
        lattice.run(emissions[k], n, rowMax?.[k], psi?.[k]);
        ran = true;
      }
      const entities: PredictedEntity[] = [];
      for (const sp of spans) {
        const offset = s.starts[sp.start];
        const end = s.ends[sp.end - 1];
        const confidence = lattice.segmentProbability(tags, sp.start, sp.end - 1);
        const text = s.text.slice(offset, end);
        const prev = this.knownAs(text);
        if (confidence >= 0.5 && (!prev || prev.confidence < confidence)) {
          const entry = { text, category: sp.category, confidence, since: prev?.since ?? k, first: s.ends[sp.start] - offset };
          local.set(text, entry);
          if (!prev) {
            late = k;
            const key = fnv1a(s.text, offset, s.ends[sp.start]);
            const list = localIndex.get(key) ?? [];
            list.push(entry);
            list.sort(byLength);
            localIndex.set(key, list);
            setBit(localFirstBits, key);
          }
        }
        entities.push({ text, category: labels.categories[sp.category], offset, length: end - offset, confidenceScore: asConfidenceScore(confidence) });
      }
      found.push(entities);
      // strings known so far are checked now, while this sequence's lattice is at hand
      if (consistency > 0 && (local.size > 0 || project)) this.consistent(k, ran, false);
    }
    // strings first found later in the document: one more look at the sequences before them
    // (only names new to the document qualify, and only in the sequences before the last one that found one)
    if (consistency > 0) for (let k = 0; k < late; k++) this.consistent(k, false, true);
    return found.flat();
  }

  private knownAs(text: string): Known | undefined {
    return this.local.get(text) ?? this.project?.byText.get(text);
  }

  /**
   * Candidate names whose first token hashes as token i's text does, shortest first (the caller checks the text:
   * `first` and startsWith). No string is made per token.
   */
  private candidatesAt(s: Sequence, i: number, localOnly: boolean): Known[] | undefined {
    const { project, localIndex } = this;
    if ((localOnly || !project) && localIndex.size === 0) return undefined;
    const key = fnv1a(s.text, s.starts[i], s.ends[i]);
    // most tokens start no known name: one bit each of the two indexes says so without a map lookup
    const inProject = !localOnly && project !== undefined && hasBit(project.firstBits, key);
    const inLocal = localIndex.size > 0 && hasBit(localFirstBits, key);
    if (!inProject && !inLocal) return undefined;
    const p = inProject ? project.byFirstToken.get(key) : undefined;
    const l = inLocal ? localIndex.get(key) : undefined;
    if (!l) return p;
    if (!p) return l;
    return [...p, ...l].sort(byLength);
  }

  /**
   * Adds occurrences of known strings in sequence k's tokens tagged O: names established up to k, or (`later`) only
   * the document's names established after k.
   */
  private consistent(k: number, ran: boolean, later: boolean): boolean {
    const { seqs, tagsOf, lattice, labels, emissions, rowMax, psi, consistency, found } = this;
    const s = seqs[k];
    const n = s.starts.length;
    const tags = tagsOf[k];
    const added: PredictedEntity[] = [];
    for (let i = 0; i < n; i++) {
      if (tags[i] !== 0) continue;
      const cands = this.candidatesAt(s, i, later);
      if (!cands) continue;
      for (const c of cands) {
        const end = s.starts[i] + c.text.length;
        if (c.first !== s.ends[i] - s.starts[i] || !s.text.startsWith(c.text, s.starts[i])) continue;
        // the name must cover whole tokens, all read as O
        let j = i + 1;
        while (j < n && s.ends[j - 1] < end && tags[j] === 0) j++;
        if (s.ends[j - 1] !== end) continue;
        const hit = this.knownAs(c.text)!;
        if (later ? hit.since <= k : hit.since > k) continue;
        if (!ran) {
          lattice.run(emissions[k], n, rowMax?.[k], psi?.[k]);
          ran = true;
        }
        if (this.candidate.length < n) this.candidate = new Int32Array(Math.max(n, 2 * this.candidate.length));
        const candidate = this.candidate;
        // the name's reading in the model's tag scheme (BILOU: U, or B I… L; BIO: B I…)
        const bilou = labels.scheme === 'BILOU';
        if (j - i === 1) candidate[i] = labels.tag(bilou ? 'U' : 'B', hit.category);
        else {
          candidate[i] = labels.tag('B', hit.category);
          for (let t = i + 1; t < j - 1; t++) candidate[t] = labels.tag('I', hit.category);
          candidate[j - 1] = labels.tag(bilou ? 'L' : 'I', hit.category);
        }
        const p = lattice.segmentProbability(candidate, i, j - 1);
        if (p >= consistency) {
          added.push({ text: c.text, category: labels.categories[hit.category], offset: s.starts[i], length: c.text.length, confidenceScore: asConfidenceScore(p) });
          i = j - 1;
          break;
        }
      }
    }
    if (added.length) found[k] = [...found[k], ...added].sort(byOffset);
    return ran;
  }
}

/** Sequences the decode statistics average over (see Lattice.decodeStats). */
const DECODE_STATS_SPAN = 32;
/** Forward-backward costs about this many Viterbi passes (crossner_science and slots_synth profiles: 2.7 and 2.9). */
const FB_PER_VITERBI = 2.5;

/**
 * Whether to run forward-backward before Viterbi on a sequence. Viterbi first, then forward-backward only for
 * sequences with entities (their confidences), is the plain order. Forward-backward first runs it on sequences without
 * entities too, but its marginals may prove which path Viterbi would find (`certainPath`), and then Viterbi is not run:
 * worth it when sequences with entities are many and settled paths common, by the two shares measured so far. While
 * most sequences have entities, every 16th sequence decoded tries it anyway, so the share of settled paths keeps up
 * with the text. Either order gives the same tags.
 */
function marginalsFirst(s: { entities: number; certain: number; sequences: number }): boolean {
  if (s.entities <= 0.5) return false;
  return s.entities * s.certain > (1 - s.entities) * FB_PER_VITERBI || s.sequences % 16 === 0;
}

/** A probability as an entity's confidenceScore gives it: rounded to 4 decimals. */
const asConfidenceScore = (p: number) => Math.round(p * 1e4) / 1e4;

const byLength = (x: { text: string }, y: { text: string }) => x.text.length - y.text.length;
const byOffset = (x: PredictedEntity, y: PredictedEntity) => x.offset - y.offset;

/** A name the decoder knows: its category, how sure the reading was, and the sequence that established it (−1: the project). */
interface Known {
  text: string;
  category: number;
  confidence: number;
  since: number;
  /** Length of the name's first token (as the tokenizer cuts the name). */
  first: number;
}

/** 2^16-bit filters of first-token keys (low 16 bits): the project index's, and the document's (reused, cleared per document). */
const FILTER_WORDS = 1 << 11;
const localFirstBits = new Uint32Array(FILTER_WORDS);
const hasBit = (bits: Uint32Array, key: number) => (bits[(key >>> 5) & (FILTER_WORDS - 1)] & (1 << (key & 31))) !== 0;
const setBit = (bits: Uint32Array, key: number) => {
  bits[(key >>> 5) & (FILTER_WORDS - 1)] |= 1 << (key & 31);
};

/** Project names indexed by the text of their first token (as the tokenizer cuts the name; its `fnv1a` hash), shortest first. */
interface KnownIndex {
  byText: Map<string, Known>;
  byFirstToken: Map<number, Known[]>;
  /** A bit per first-token key (see hasBit). */
  firstBits: Uint32Array;
  /** How many of the map's entries (in insertion order) are indexed. */
  count: number;
}

const knownIndexes = new WeakMap<ReadonlyMap<string, number>, KnownIndex>();

/**
 * The index of a model's project names, built on first use and kept as long as the map lives. Names added to the
 * map since (training adds names found in unlabelled documents) are indexed when next asked for; a map that
 * shrank is indexed anew. Changing the category of a name already indexed is not supported.
 */
function knownIndex(projectKnown: ReadonlyMap<string, number>): KnownIndex {
  let index = knownIndexes.get(projectKnown);
  if (index && index.count === projectKnown.size) return index;
  if (!index || index.count > projectKnown.size) {
    index = { byText: new Map(), byFirstToken: new Map(), firstBits: new Uint32Array(FILTER_WORDS), count: 0 };
    knownIndexes.set(projectKnown, index);
  }
  let i = 0;
  const touched = new Set<Known[]>();
  for (const [text, category] of projectKnown) {
    if (i++ < index.count) continue;
    const tok = tokenize(text);
    if (tok.starts.length === 0 || tok.starts[0] !== 0) continue; // a name starting with a space never matches a token
    const entry = { text, category, confidence: 0.5, since: -1, first: tok.ends[0] };
    index.byText.set(text, entry);
    const key = fnv1a(text, 0, tok.ends[0]);
    const list = index.byFirstToken.get(key) ?? [];
    list.push(entry);
    touched.add(list);
    index.byFirstToken.set(key, list);
    setBit(index.firstBits, key);
  }
  index.count = projectKnown.size;
  for (const list of touched) list.sort(byLength);
  return index;
}

/** Default minimum model probability for the document-consistency pass (see decodeDocument). */
export const DEFAULT_CONSISTENCY = 0.2;

/**
 * Predicts entities in a text with the in-memory model. A caller predicting many texts passes one `lattice` (its
 * chain set to `m.params`) for all of them instead of new buffers per text.
 */
export function predictInMemory(
  m: FittedModel,
  text: string,
  consistency = DEFAULT_CONSISTENCY,
  projectKnown?: ReadonlyMap<string, number>,
  lattice: Lattice = modelLattice(m),
): PredictedEntity[] {
  const seqs = prepareText(text);
  return decodeDocument(m.labels, m.params, lattice, seqs, seqs.map((s) => inMemoryEmissions(m, s)), consistency, projectKnown);
}

/**
 * The entities of `text` whose reading the in-memory model gives a probability of at least `min` (> 0.5; compared
 * as confidenceScore rounds it), in text order, with that probability as confidenceScore. BILOU models only. Every
 * token of such a reading carries its tag with a marginal of at least that probability, so reading each token's most
 * probable tag finds them all: forward-backward alone, without the Viterbi and document-consistency passes of
 * `predictInMemory`. That decoder reports the readings on its best path (and re-readings of names already known);
 * this finds every reading this probable, on the best path or not: the same entities but for a confident reading
 * off the best path, which is possible but rare (no difference on the ten bench sets: their models came out
 * byte-identical). For training's scan for project names: the code it runs is the code training has just run.
 */
export function confidentEntities(m: FittedModel, text: string, min: number, runner: SequenceLattice = jsSequenceLattice(m)): PredictedEntity[] {
  if (!(min > 0.5)) throw new RangeError(`confidentEntities: min must be above 0.5, got ${min}`);
  const { labels } = m;
  // in BIO nothing closes a span: a confident B would not say whether the entity ends there
  if (labels.scheme !== 'BILOU') throw new RangeError(`confidentEntities: needs a BILOU model, not ${labels.scheme}`);
  const L = labels.size;
  const out: PredictedEntity[] = [];
  /** Whether probability p reaches min as confidenceScore (rounded to 4 decimals) shows it. */
  const reaches = (p: number) => asConfidenceScore(p) >= min;
  for (const s of prepareText(text)) {
    const n = s.starts.length;
    if (n === 0) continue;
    runner.run(s);
    const lattice = runner.lattice;
    const tags = new Int32Array(n);
    for (let t = 0; t < n; t++) {
      // O above one half: no other tag can reach min
      if (lattice.marginal(t, 0) > 0.5) continue;
      let best = 0;
      let p = 0;
      for (let y = 1; y < L; y++) {
        const q = lattice.marginal(t, y);
        if (q > p) {
          p = q;
          best = y;
        }
      }
      if (!reaches(p)) continue;
      const prefix = labels.prefixOf(best);
      const c = labels.categoryOf(best);
      if (prefix !== 'B' && prefix !== 'U') continue;
      tags[t] = best;
      let e = t;
      if (prefix === 'B') {
        const inside = labels.tag('I', c);
        const last = labels.tag('L', c);
        let closed = false;
        for (let u = t + 1; u < n && !closed; u++) {
          if (reaches(lattice.marginal(u, inside))) tags[u] = inside;
          else if (reaches(lattice.marginal(u, last))) {
            tags[u] = last;
            closed = true;
          } else break;
          e = u;
        }
        if (!closed) continue;
      }
      const confidence = asConfidenceScore(lattice.segmentProbability(tags, t, e));
      if (confidence < min) continue;
      const offset = s.starts[t];
      const end = s.ends[e];
      out.push({ text: s.text.slice(offset, end), category: labels.categories[c], offset, length: end - offset, confidenceScore: confidence });
      t = e;
    }
  }
  return out;
}

/** A lattice with the in-memory model's chain (see predictInMemory). */
export function modelLattice(m: FittedModel): Lattice {
  const lattice = new Lattice(m.labels.size);
  lattice.setChain(m.params);
  return lattice;
}
