// The NER engine's public face: train a model from labelled documents into one ONNX file, and load such a file
// to predict entities. The file alone is enough: its metadata carries labels, tokenizer and feature settings, and
// tensors next to the weights carry the word clusters and gazetteer.
import { DomainError } from '../errors.js';
import { learnClusters, DEFAULT_CLUSTERS, type ClusterSettings } from './clusters.js';
import { englishLexicon, Lexicon } from './lexicon.js';
import { BilouChain, isCrossPair, Lattice, WasmForwardBackward, type ChainScores, type CrossFactors } from './crf.js';
import { buildGazetteer, FeatureExtractor, lowerHash, DEFAULT_FEATURES, FAR_CONTEXT_LIMITS, type FarContext, type FeatureSettings, type Gazetteer } from './features.js';
import { bucket2Of, fingerprintOf, modU32 } from './hash.js';
import { LabelSet, type TagScheme } from './labels.js';
import { confidentEntities, decodeDocument, fit, jsSequenceLattice, modelLattice, predictInMemory, WasmSequenceLattice, DEFAULT_CONSISTENCY, DEFAULT_TRAINER, type FittedModel, type TrainerSettings } from './model.js';
import { buildEmissionModel, DataType, readEmissionModel, tensorValues, type EmissionModelFile, type TableArray } from './onnx/export.js';
import { EmissionSession } from './onnx/session.js';
import { EmissionCache } from './emission-cache.js';
import { prepareLabelled, prepareText, type Sequence } from './prepare.js';
import { tokenize } from './tokenizer.js';
import type { LabelledDocument, PredictedEntity, TrainOptions, TrainResult } from './types.js';

/**
 * Version of the model file layout (metadata keys, graph contract, tables, feature hashing). 2: dense weight rows
 * with a bucket table, clusters and gazetteer as tensors instead of base64 metadata. 3: the cross transitions may
 * carry corrected pairs (CrossFactors.pairs). 4: the features may include far context (FeatureSettings.farContext).
 * A file is written as the oldest version that holds it, so engines from before a version read the models that do not
 * need it as they always did, and reject the others instead of misreading them.
 */
export const MODEL_FORMAT_VERSION = '4';
/** The version a model without far context but with corrected cross pairs is written as. */
const PAIRS_FORMAT_VERSION = '3';
/** The version a model with neither is written as (its layout is version 2's). */
const PAIR_FREE_FORMAT_VERSION = '2';
/** The versions this engine reads. */
const READABLE_FORMAT_VERSIONS: readonly string[] = [PAIR_FREE_FORMAT_VERSION, PAIRS_FORMAT_VERSION, MODEL_FORMAT_VERSION];
/** The largest cross-pair correction a file may hold: e^100 is beyond any trained model and far from overflow. */
const MAX_PAIR_CORRECTION = 100;

const META = {
  format: 'cner.formatVersion',
  labels: 'cner.labels',
  features: 'cner.features',
  tokenizer: 'cner.tokenizer',
  clusters: 'cner.clusters',
  pretrained: 'cner.pretrainedClusters',
  gazetteer: 'cner.gazetteer',
  trainer: 'cner.trainer',
  decoding: 'cner.decoding',
  cross: 'cner.crossTransitions',
} as const;

/** Everything that decides a model besides the data; defaults hold across domains and data sizes. */
export interface EngineSettings {
  features: FeatureSettings;
  trainer: TrainerSettings;
  clusters: ClusterSettings;
  /**
   * Labelled spans as gazetteer features, with this many cross-validation folds at training time (0 = off: on the
   * benchmark data they did not help). The user's entity lists are gazetteer features either way.
   */
  gazetteerFolds: number;
  /** Use the built-in English word clusters (from pre-trained GloVe vectors). */
  englishClusters: boolean;
  /** Document-consistency threshold at prediction time (0 = off); stored in the model. */
  consistency: number;
  /**
   * Learn word clusters from the project's own text. Off by default: with 20k–200k tokens of project text (the
   * benchmark sizes) they cost 0.4–0.9 F1 next to the built-in English clusters; they are for large projects.
   */
  learnedClusters: boolean;
}

export const DEFAULT_ENGINE: EngineSettings = {
  features: DEFAULT_FEATURES,
  trainer: DEFAULT_TRAINER,
  clusters: DEFAULT_CLUSTERS,
  gazetteerFolds: 0,
  englishClusters: true,
  consistency: DEFAULT_CONSISTENCY,
  learnedClusters: false,
};

/** A lexicon in the file: metadata `key` = {"bits"}, tensors `key.hashes` (uint32) and `key.paths` (uint16). */
function lexiconTables(key: string, l: Lexicon): { meta: string; tables: Record<string, TableArray> } {
  return { meta: JSON.stringify({ bits: l.bits }), tables: { [`${key}.hashes`]: l.hashes, [`${key}.paths`]: l.paths } };
}

/** The lexicon `lexiconTables` stored, its arrays views into the file's bytes. */
function readLexicon(file: EmissionModelFile, key: string): Lexicon | undefined {
  const meta = file.metadata[key];
  if (meta === undefined) return undefined;
  const { bits } = JSON.parse(meta) as { bits: number };
  const hashes = tensorValues(file.tensors.get(`${key}.hashes`), `${key}.hashes`, DataType.UINT32, Uint32Array);
  const paths = tensorValues(file.tensors.get(`${key}.paths`), `${key}.paths`, DataType.UINT16, Uint16Array, hashes.length);
  return new Lexicon(bits, hashes, paths);
}

/** A loaded model. */
export interface NerModel {
  readonly categories: string[];
  readonly formatVersion: string;
  /** Entities in `text`, offsets in UTF-16 code units, in text order. */
  predict(text: string): Promise<PredictedEntity[]>;
  release(): Promise<void>;
}

const spanHashes = (text: string) => {
  const t = tokenize(text);
  return t.starts.map((s, i) => lowerHash(text, s, t.ends[i]));
};

/** Gazetteer entries as one uint32 tensor: category, length, then the token hashes, per entry. */
function encodeGazetteer(entries: Array<{ hashes: number[]; category: number }>): Uint32Array {
  const flat: number[] = [];
  for (const e of entries) flat.push(e.category, e.hashes.length, ...e.hashes);
  return Uint32Array.from(flat);
}

function decodeGazetteer(a: Uint32Array): Gazetteer {
  const entries: Array<{ hashes: number[]; category: number }> = [];
  for (let i = 0; i < a.length; ) {
    const category = a[i];
    const len = a[i + 1];
    if (i + 2 + len > a.length) throw new Error('gazetteer table is truncated');
    entries.push({ category, hashes: Array.from(a.subarray(i + 2, i + 2 + len)) });
    i += 2 + len;
  }
  return buildGazetteer(entries);
}

/** Validates documents against the schema; every problem names its document and span. */
function validate(docs: LabelledDocument[], categories: string[]): void {
  const cats = new Set(categories);
  const errors: Array<{ path: string; message: string }> = [];
  if (categories.length === 0) errors.push({ path: 'categories', message: 'at least one category is required' });
  if (new Set(categories).size !== categories.length) errors.push({ path: 'categories', message: 'categories must be unique' });
  docs.forEach((d, i) => {
    const sorted = [...d.spans].sort((a, b) => a.offset - b.offset);
    d.spans.forEach((s, k) => {
      const path = `documents[${i}](${d.id}).spans[${k}]`;
      if (!cats.has(s.category)) errors.push({ path, message: `unknown category '${s.category}'` });
      if (!Number.isInteger(s.offset) || !Number.isInteger(s.length) || s.offset < 0 || s.length < 1 || s.offset + s.length > d.text.length)
        errors.push({ path, message: `span ${s.offset}+${s.length} is outside the text (length ${d.text.length})` });
    });
    for (let k = 1; k < sorted.length; k++)
      if (sorted[k].offset < sorted[k - 1].offset + sorted[k - 1].length)
        errors.push({ path: `documents[${i}](${d.id})`, message: `spans at ${sorted[k - 1].offset} and ${sorted[k].offset} overlap` });
  });
  if (errors.length) throw new DomainError('VALIDATION_FAILED', errors.slice(0, 20).map((e) => `${e.path}: ${e.message}`).join('; '), { errors });
}

/**
 * Places the fitted rows into a 2-choice hash table; the most important rows first, so drops cost least. The weights
 * are stored dense, one row per placed feature in that order; each bucket names its feature's fingerprint and row.
 */
function toEmissionTable(m: FittedModel): { numBuckets: number; weights: Uint16Array; fingerprints: Int32Array; rows: Int32Array; dropped: number } {
  const L = m.labels.size;
  const rows = rowsByImportance(m.norms);
  // at load ≤ 0.45 practically nothing is dropped (and what is, is the least important rows: see cuckooPlace)
  const numBuckets = Math.max(1024, Math.ceil(rows.length / 0.45));
  const occupant = new Int32Array(numBuckets).fill(-1);
  // each row's two buckets, computed once
  const first = new Int32Array(m.dict.size);
  const second = new Int32Array(m.dict.size);
  const { rowA, rowB } = m.dict;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    first[r] = modU32(rowB[r], numBuckets);
    second[r] = modU32(bucket2Of(rowA[r], rowB[r]), numBuckets);
  }
  const dropped = cuckooPlace(rows, first, second, occupant);
  const rowOf = new Int32Array(m.dict.size).fill(-1);
  let placed = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (occupant[first[r]] === r || occupant[second[r]] === r) rowOf[r] = placed++;
  }
  const weights = new Uint16Array(placed * L);
  // a native copy per row: in a short training run this loop runs once, before the engine has compiled it, and a
  // view per row then costs less than an uncompiled loop over every weight (2.6–3.1 ms against 4.2–6.2 ms, 10 docs)
  const W16 = m.W16;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    const to = rowOf[r] * L;
    if (to >= 0) weights.set(W16.subarray(r * L, r * L + L), to);
  }
  const fingerprints = new Int32Array(numBuckets);
  const rowIndex = new Int32Array(numBuckets);
  for (let slot = 0; slot < numBuckets; slot++) {
    const r = occupant[slot];
    if (r < 0) continue;
    fingerprints[slot] = fingerprintOf(rowA[r]);
    rowIndex[slot] = rowOf[r];
  }
  return { numBuckets, weights, fingerprints, rows: rowIndex, dropped };
}

/**
 * Cuckoo placement of `rows` in that order (most important first) into `occupant` (bucket → row, −1: empty): a row
 * lives in one of its two buckets, a full bucket's occupant moves to its other one. A row that finds no place within
 * 500 moves is left out and its moves are undone, so what is left out is always the row being placed, never a more
 * important one it displaced. Returns how many were left out.
 */
export function cuckooPlace(rows: ArrayLike<number>, first: ArrayLike<number>, second: ArrayLike<number>, occupant: Int32Array): number {
  const MAX_KICKS = 500;
  const chainSlot = new Int32Array(MAX_KICKS);
  const chainRow = new Int32Array(MAX_KICKS);
  let dropped = 0;
  for (let i = 0; i < rows.length; i++) {
    let r = rows[i];
    let slot = occupant[first[r]] < 0 ? first[r] : second[r];
    let kicks = 0;
    while (occupant[slot] >= 0 && kicks < MAX_KICKS) {
      const evicted = occupant[slot];
      chainSlot[kicks] = slot;
      chainRow[kicks] = evicted;
      occupant[slot] = r;
      r = evicted;
      slot = first[r] === slot ? second[r] : first[r];
      kicks++;
    }
    if (occupant[slot] < 0) occupant[slot] = r;
    else {
      for (let j = kicks - 1; j >= 0; j--) occupant[chainSlot[j]] = chainRow[j];
      dropped++;
    }
  }
  return dropped;
}

/**
 * The rows whose weights are not all (nearly) zero (L1 norm above 1e-6), by decreasing norm, equal norms by row. The
 * norms are sorted as numbers by the engine's native typed-array sort, then each row (in row order) takes the next
 * free place among its norm's: the order of a comparator sort, without a JavaScript call per comparison.
 */
function rowsByImportance(norm: Float64Array): Int32Array {
  const size = norm.length;
  let count = 0;
  for (let r = 0; r < size; r++) if (norm[r] > 1e-6) count++;
  const sorted = new Float64Array(count);
  for (let r = 0, i = 0; r < size; r++) if (norm[r] > 1e-6) sorted[i++] = -norm[r];
  sorted.sort();
  const taken = new Int32Array(count);
  const out = new Int32Array(count);
  for (let r = 0; r < size; r++) {
    if (!(norm[r] > 1e-6)) continue;
    const key = -norm[r];
    // the first place of this norm
    let lo = 0;
    let hi = count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid] < key) lo = mid + 1;
      else hi = mid;
    }
    out[lo + taken[lo]++] = r;
  }
  return out;
}

/**
 * Trains a model on the documents' spans (plus unlabelled texts and entity lists when given) and returns it as
 * one ONNX file. Deterministic: same input, settings and seed → identical bytes.
 */
export async function trainModel(
  docs: LabelledDocument[],
  opts: TrainOptions,
  settings: EngineSettings = DEFAULT_ENGINE,
): Promise<TrainResult> {
  const t0 = performance.now();
  const fitted = fitDocuments(docs, opts, settings);
  opts.onProgress?.({ phase: 'export', fraction: 0 });
  const onnx = exportModel(fitted, settings);
  opts.onProgress?.({ phase: 'export', fraction: 1 });
  return {
    onnx,
    stats: { documents: docs.length, tokens: fitted.tokens, boundarySplits: fitted.boundarySplits, seconds: (performance.now() - t0) / 1000 },
  };
}

/** A fitted model with what the file needs besides the weights. */
export interface FittedDocuments {
  model: FittedModel;
  categories: string[];
  seed: number;
  clusters?: Lexicon;
  pretrained?: Lexicon;
  /** Entity strings the project has established (text → category index), for the consistency pass. */
  known: Map<string, number>;
  gazetteerEntries: Array<{ hashes: number[]; category: number }>;
  tokens: number;
  boundarySplits: number;
}

/** Validates, prepares and fits; the in-memory model it returns is the reference for the exported file. */
export function fitDocuments(docs: LabelledDocument[], opts: TrainOptions, settings: EngineSettings = DEFAULT_ENGINE): FittedDocuments {
  const seed = opts.seed ?? 1;
  const categories = [...opts.categories];
  validate(docs, categories);
  // settings a file could not be read back with are refused before any work
  if (settings.features.farContext !== undefined) {
    try {
      checkFarContext(settings.features.farContext);
    } catch (err) {
      throw new RangeError(`engine settings: ${(err as Error).message}`);
    }
  }
  const progress = opts.onProgress ?? (() => {});
  progress({ phase: 'prepare', fraction: 0 });
  const categoryIndex = new Map(categories.map((c, i) => [c, i]));
  const sequences: Sequence[] = [];
  const seqDoc: number[] = [];
  let tokens = 0;
  let splits = 0;
  docs.forEach((d, di) => {
    const r = prepareLabelled(d, categoryIndex);
    for (const s of r.sequences) {
      sequences.push(s);
      seqDoc.push(di);
    }
    tokens += r.tokens;
    splits += r.splits;
  });
  if (sequences.length === 0)
    throw new DomainError('VALIDATION_FAILED', 'There is no training text: no document has tokens inside its regions.', {
      errors: [{ path: 'documents', message: 'no training text' }],
    });

  progress({ phase: 'unsupervised', fraction: 0 });
  const clusters = settings.learnedClusters
    ? learnClusters([...docs.map((d) => d.text), ...(opts.unlabelledTexts ?? [])], settings.clusters, seed)
    : undefined;
  const pretrained = settings.englishClusters ? englishLexicon() : undefined;

  // gazetteer: the user's entity lists + every labelled span; training sees leave-fold-out copies of the spans
  const listEntries: Array<{ hashes: number[]; category: number }> = [];
  for (const g of opts.gazetteer ?? []) {
    const c = categoryIndex.get(g.category);
    if (c !== undefined) listEntries.push({ hashes: spanHashes(g.text), category: c });
  }
  const K = settings.gazetteerFolds;
  const spanEntries: Array<Array<{ hashes: number[]; category: number }>> = docs.map(() => []);
  sequences.forEach((s, i) => {
    for (const sp of s.spans) {
      const hashes: number[] = [];
      for (let t = sp.start; t < sp.end; t++) hashes.push(lowerHash(s.text, s.starts[t], s.ends[t]));
      spanEntries[seqDoc[i]].push({ hashes, category: sp.category });
    }
  });
  // labelled spans join the list only with folds (K > 1); without, only the user's entity lists are features
  const allEntries = K > 1 ? [...listEntries, ...spanEntries.flat()] : listEntries;
  const gazetteer = allEntries.length > 0 ? buildGazetteer(allEntries) : undefined;
  const folds = K > 1
    ? Array.from({ length: K }, (_, k) => buildGazetteer([...listEntries, ...spanEntries.filter((_, di) => di % K !== k).flat()]))
    : undefined;

  progress({ phase: 'train', fraction: 0 });
  const model = fit(sequences, categories, settings.features, settings.trainer, seed, {
    clusters,
    pretrained,
    gazetteer,
    trainingGazetteers: folds ? (i) => folds[seqDoc[i] % K] : undefined,
  }, (e, _loss, epochs) => progress({ phase: 'train', fraction: (e + 1) / epochs, message: `epoch ${e + 1}/${epochs}` }));

  const known = projectKnownEntities(model, docs, categoryIndex, opts.unlabelledTexts ?? [], settings.consistency);
  return { model, categories, seed, clusters, pretrained, known, gazetteerEntries: gazetteer ? allEntries : [], tokens, boundarySplits: splits };
}

/** At most this many project entity strings are kept in a model. */
const MAX_KNOWN = 50_000;
/** The confidence a prediction on an unlabelled document needs to become a project name. */
const KNOWN_MIN_CONFIDENCE = 0.9;

/**
 * The entity strings the project has established: every labelled span (its most frequent category), then what the
 * fitted model finds with confidence ≥ 0.9 in the project's unlabelled documents (as much of them as there is
 * labelled text). The document-consistency pass
 * reads these like names found in the same document — still gated by the model's own probability.
 */
function projectKnownEntities(
  model: FittedModel,
  docs: LabelledDocument[],
  categoryIndex: Map<string, number>,
  unlabelled: string[],
  consistency: number,
): Map<string, number> {
  const votes = new Map<string, Int32Array>();
  for (const d of docs)
    for (const sp of d.spans) {
      const text = d.text.slice(sp.offset, sp.offset + sp.length).trim();
      if (!text) continue;
      const v = votes.get(text) ?? new Int32Array(categoryIndex.size);
      v[categoryIndex.get(sp.category)!]++;
      votes.set(text, v);
    }
  const known = new Map<string, number>();
  for (const [text, v] of [...votes].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    if (known.size >= MAX_KNOWN) break;
    let best = 0;
    for (let c = 1; c < v.length; c++) if (v[c] > v[best]) best = c;
    known.set(text, best);
  }
  // unlabelled documents are read up to as much text as the labelled ones: a bounded share of training time
  const budget = labelledChars(docs);
  let read = 0;
  if (consistency > 0) {
    const lattice = modelLattice(model);
    // the BILOU scan by the WebAssembly kernels: the same results as the JavaScript, compiled in a fresh process
    const scan = model.labels.scheme === 'BILOU' && unlabelled.length > 0 ? (WasmSequenceLattice.fits(model) ? new WasmSequenceLattice(model) : jsSequenceLattice(model, lattice)) : undefined;
    for (const text of unlabelled) {
      if (known.size >= MAX_KNOWN || read >= budget) break;
      read += text.length;
      const confident =
        model.labels.scheme === 'BILOU'
          ? confidentEntities(model, text, KNOWN_MIN_CONFIDENCE, scan)
          : predictInMemory(model, text, consistency, known, lattice).filter((e) => e.confidenceScore >= KNOWN_MIN_CONFIDENCE);
      for (const e of confident) if (!known.has(e.text)) known.set(e.text, categoryIndex.get(e.category)!);
    }
  }
  return known;
}

const labelledChars = (docs: readonly LabelledDocument[]) => docs.reduce((n, d) => n + d.text.length, 0);

/**
 * How much unlabelled text (UTF-16 code units) training can use, given the labelled documents: with learned
 * clusters all of it; otherwise the scan for project names reads unlabelled documents in order until it has read as
 * much as the labelled text — so a caller can stop reading documents once the ones it has reach this total.
 */
export function unlabelledCharsWanted(labelled: readonly LabelledDocument[], settings: EngineSettings = DEFAULT_ENGINE): number {
  if (settings.learnedClusters) return Infinity;
  return settings.consistency > 0 ? labelledChars(labelled) : 0;
}

/** Freezes a fitted model into one ONNX file (deterministic bytes). */
export function exportModel(f: FittedDocuments, settings: EngineSettings = DEFAULT_ENGINE): Uint8Array {
  const { model, categories, seed, clusters, pretrained } = f;
  const table = toEmissionTable(model);
  const f32 = (a: Float64Array) => Float32Array.from(a, (v) => Math.max(v, -1e4));
  const metadata: Record<string, string> = {
    [META.format]: settings.features.farContext ? MODEL_FORMAT_VERSION : model.params.cross?.pairs ? PAIRS_FORMAT_VERSION : PAIR_FREE_FORMAT_VERSION,
    [META.labels]: JSON.stringify({ categories, scheme: model.labels.scheme }),
    [META.features]: JSON.stringify(settings.features),
    [META.tokenizer]: JSON.stringify({ name: 'cner-tokenizer', version: 1, offsets: 'Utf16CodeUnit' }),
    [META.decoding]: JSON.stringify({ consistency: settings.consistency, known: [...f.known] }),
    // the factors the cross-category transition scores are made of (decoders use them; the matrix holds their sums)
    ...(model.params.cross ? { [META.cross]: crossJson(model.params.cross) } : {}),
    [META.trainer]: JSON.stringify({ ...settings.trainer, epochsRun: model.epochs, seed, features: model.dict.size, dropped: table.dropped }),
  };
  const tables: Record<string, TableArray> = {};
  for (const [key, lexicon] of [[META.clusters, clusters], [META.pretrained, pretrained]] as const) {
    if (!lexicon) continue;
    const t = lexiconTables(key, lexicon);
    metadata[key] = t.meta;
    Object.assign(tables, t.tables);
  }
  if (f.gazetteerEntries.length) tables[META.gazetteer] = encodeGazetteer(f.gazetteerEntries);
  return buildEmissionModel({
    numBuckets: table.numBuckets,
    numLabels: model.labels.size,
    weights: table.weights,
    fingerprints: table.fingerprints,
    rows: table.rows,
    transitions: f32(model.params.trans),
    start: f32(model.params.start),
    end: f32(model.params.end),
    weightsDtype: 'float16',
    metadata,
    tables,
  });
}

class OnnxNerModel implements NerModel {
  readonly formatVersion: string;
  private readonly lattice: Lattice;
  private readonly chain: ChainScores;
  private readonly emissions: EmissionCache;

  constructor(
    private readonly session: EmissionSession,
    private readonly labels: LabelSet,
    extractor: FeatureExtractor,
    private readonly consistency: number,
    private readonly known: ReadonlyMap<string, number>,
    cross: CrossFactors | undefined,
  ) {
    this.formatVersion = session.metadata[META.format];
    const L = labels.size;
    this.chain = {
      L,
      trans: Float64Array.from(session.transitions),
      start: Float64Array.from(session.start),
      end: Float64Array.from(session.end),
      cross,
    };
    this.lattice = new Lattice(L);
    this.lattice.setChain(this.chain);
    // forward-backward by the WebAssembly kernels (the same bits) for the default, factored BILOU chain
    if (BilouChain.fits(this.chain)) this.lattice.accelerate(new WasmForwardBackward(this.chain));
    this.emissions = new EmissionCache(session, extractor);
    this.emissions.reserve();
  }

  get categories(): string[] {
    return [...this.labels.categories];
  }

  async predict(text: string): Promise<PredictedEntity[]> {
    const seqs = prepareText(text);
    // scores per token text are cached across documents (bounded); long documents are scored in bounded steps
    return this.emissions.document(seqs, (emissions, rowMax, psi) =>
      decodeDocument(this.labels, this.chain, this.lattice, seqs, emissions, this.consistency, this.known, rowMax, psi),
    );
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/**
 * Loads a model file; rejects a file that is not a custom-ner model with a clear VALIDATION_FAILED. The model keeps
 * views into `onnx` (weights, clusters): do not change the bytes afterwards.
 */
export async function loadModel(onnx: Uint8Array): Promise<NerModel> {
  const notLoadable = (cause: unknown) =>
    new DomainError('VALIDATION_FAILED', 'The file is not a loadable ONNX model.', { cause, errors: [{ path: 'model', message: 'not a loadable ONNX model' }] });
  let file: EmissionModelFile;
  try {
    file = readEmissionModel(onnx);
  } catch (cause) {
    throw notLoadable(cause);
  }
  // The version first: a file of another layout would otherwise fail below with a less useful message.
  const md = file.metadata;
  if (!READABLE_FORMAT_VERSIONS.includes(md[META.format])) {
    throw new DomainError('VALIDATION_FAILED', `The model's format version is ${md[META.format] ?? 'missing'}; this engine reads versions ${READABLE_FORMAT_VERSIONS.slice(0, -1).join(', ')} and ${READABLE_FORMAT_VERSIONS.at(-1)}.`, {
      errors: [{ path: 'model', message: 'unsupported model format version' }],
    });
  }
  let session: EmissionSession;
  try {
    session = await EmissionSession.open(file);
  } catch (cause) {
    throw notLoadable(cause);
  }
  let labels: LabelSet;
  let extractor: FeatureExtractor;
  let consistency: number;
  let known: Map<string, number>;
  let cross: CrossFactors | undefined;
  try {
    const { categories, scheme } = JSON.parse(md[META.labels]) as { categories: string[]; scheme: TagScheme };
    const features = JSON.parse(md[META.features]) as FeatureSettings;
    if (features.farContext !== undefined) {
      checkFarContext(features.farContext);
      if (md[META.format] !== MODEL_FORMAT_VERSION) throw new Error(`far context in a version ${md[META.format]} file`);
    }
    const clusters = readLexicon(file, META.clusters);
    const pretrained = readLexicon(file, META.pretrained);
    const gazetteerTable = file.tensors.get(META.gazetteer);
    const gazetteer = gazetteerTable ? decodeGazetteer(tensorValues(gazetteerTable, META.gazetteer, DataType.UINT32, Uint32Array)) : undefined;
    labels = new LabelSet(categories, scheme);
    if (labels.size !== session.numLabels) throw new Error(`label set has ${labels.size} tags, the graph ${session.numLabels}`);
    extractor = new FeatureExtractor(features, clusters, gazetteer, pretrained);
    const decoding = md[META.decoding] ? (JSON.parse(md[META.decoding]) as { consistency: number; known?: Array<[string, number]> }) : undefined;
    consistency = Number(decoding?.consistency ?? 0);
    known = new Map(decoding?.known ?? []);
    cross = md[META.cross] ? parseCross(md[META.cross], labels) : undefined;
    if (cross?.pairs && md[META.format] === PAIR_FREE_FORMAT_VERSION) throw new Error(`corrected cross pairs in a version ${PAIR_FREE_FORMAT_VERSION} file`);
  } catch (cause) {
    await session.release();
    throw new DomainError('VALIDATION_FAILED', `The model file's metadata is damaged: ${(cause as Error).message}.`, {
      cause, errors: [{ path: 'model', message: 'damaged metadata' }],
    });
  }
  return new OnnxNerModel(session, labels, extractor, consistency, known, cross);
}

/** Throws unless `far` is far-context settings a model may hold: 1 ≤ from ≤ to ≤ 32 and 1 ≤ bits ≤ 16, integers. */
function checkFarContext(far: unknown): asserts far is FarContext {
  const { from, to, bits } = (far ?? {}) as Partial<FarContext>;
  const int = (x: unknown, lo: number, hi: number) => Number.isInteger(x) && (x as number) >= lo && (x as number) <= hi;
  if (!int(from, 1, FAR_CONTEXT_LIMITS.maxTo) || !int(to, from as number, FAR_CONTEXT_LIMITS.maxTo) || !int(bits, 1, FAR_CONTEXT_LIMITS.maxBits))
    throw new Error(`far context is not {from, to, bits} with 1 ≤ from ≤ to ≤ ${FAR_CONTEXT_LIMITS.maxTo} and 1 ≤ bits ≤ ${FAR_CONTEXT_LIMITS.maxBits}`);
}

/** The cross-transition factors as stored: {u, v} and, when there are corrected pairs, `pairs`: [from, to, w] each. */
function crossJson(c: CrossFactors): string {
  const p = c.pairs;
  const pairs = p && p.w.length > 0 ? { pairs: Array.from(p.w, (w, j) => [p.from[j], p.to[j], w]) } : {};
  return JSON.stringify({ u: [...c.u], v: [...c.v], ...pairs });
}

/**
 * The cross-transition factors from a model file: two arrays of L finite numbers, for a BILOU label set only; and the
 * corrected pairs if any: [from, to, w] with from → to a cross pair, 0 ≤ w ≤ 100, in increasing (from, to) order.
 */
function parseCross(json: string, labels: LabelSet): CrossFactors {
  const { u, v, pairs } = JSON.parse(json) as { u: unknown; v: unknown; pairs?: unknown };
  const vector = (x: unknown, name: string) => {
    if (!Array.isArray(x) || x.length !== labels.size || !x.every((n) => typeof n === 'number' && Number.isFinite(n))) {
      throw new Error(`cross transitions: ${name} is not ${labels.size} numbers`);
    }
    return Float64Array.from(x as number[]);
  };
  if (labels.scheme !== 'BILOU') throw new Error('cross transitions need the BILOU scheme');
  const cross: CrossFactors = { u: vector(u, 'u'), v: vector(v, 'v') };
  if (pairs === undefined) return cross;
  if (!Array.isArray(pairs)) throw new Error('cross transitions: pairs is not a list');
  const L = labels.size;
  const from = new Int32Array(pairs.length);
  const to = new Int32Array(pairs.length);
  const w = new Float64Array(pairs.length);
  pairs.forEach((x: unknown, j) => {
    const [a, b, s] = Array.isArray(x) && x.length === 3 ? (x as unknown[]) : [];
    if (!Number.isInteger(a) || !Number.isInteger(b) || (a as number) < 0 || (b as number) < 0 || (a as number) >= L || (b as number) >= L || !isCrossPair(a as number, b as number))
      throw new Error(`cross transitions: pairs[${j}] is not [from, to, w] with from → to a cross-category pair of ${L} labels`);
    if (typeof s !== 'number' || !(s >= 0 && s <= MAX_PAIR_CORRECTION)) throw new Error(`cross transitions: pairs[${j}]'s w is not a number from 0 to ${MAX_PAIR_CORRECTION}`);
    if (j > 0 && (a as number) * L + (b as number) <= from[j - 1] * L + to[j - 1]) throw new Error(`cross transitions: pairs[${j}] is out of order or repeated`);
    from[j] = a as number;
    to[j] = b as number;
    w[j] = s;
  });
  if (pairs.length > 0) cross.pairs = { from, to, w };
  return cross;
}

export type { TrainOptions, TrainResult, LabelledDocument, PredictedEntity } from './types.js';
