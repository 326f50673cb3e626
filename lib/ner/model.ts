// The in-memory model: fitting the CRF on prepared sequences and predicting entities from text. The ONNX
// export (export-model.ts) freezes exactly this model; the in-memory path is the reference it is tested against.
import { FeatureExtractor, type ClusterTable, type FeatureSettings, type Gazetteer } from './features.js';
import { LabelSet, type TagScheme } from './labels.js';
import { Lattice, trainCrf, viterbi, type CrfParams, type TrainSequence } from './crf.js';
import { prepareText, type Sequence } from './prepare.js';
import type { PredictedEntity } from './types.js';
import { fromFloat16Bits, toFloat16Bits } from './onnx/float16.js';

/** Training hyper-parameters; stored in the model for the record. */
export interface TrainerSettings {
  scheme: TagScheme;
  epochs: number;
  eta: number;
  l2: number;
  /** Features seen fewer times than this in training are dropped. */
  minFeatureCount: number;
  average: boolean;
  /** Share weights across categories per tag prefix ('prefix'), across prefixes per category ('category'), or both. */
  factored: false | 'prefix' | 'category' | 'both';
}

export const DEFAULT_TRAINER: TrainerSettings = { scheme: 'BILOU', epochs: 6, eta: 0.1, l2: 1e-4, minFeatureCount: 1, average: true, factored: 'category' };

/** Key of a feature in the training dictionary: both 32-bit hashes folded into a safe integer. */
export const featureKey = (a: number, b: number) => a * 2097152 + (b >>> 11);

export interface FittedModel {
  labels: LabelSet;
  extractor: FeatureExtractor;
  /** feature key → row of W */
  dict: Map<number, number>;
  /** hA and hB of each row (for the ONNX hash table). */
  rowA: Uint32Array;
  rowB: Uint32Array;
  params: CrfParams;
}

/** Builds the feature dictionary and training sequences, then trains the CRF. */
export function fit(
  sequences: Sequence[],
  categories: string[],
  featureSettings: FeatureSettings,
  trainer: TrainerSettings,
  seed: number,
  aux: { clusters?: ClusterTable; pretrained?: ClusterTable; gazetteer?: Gazetteer; trainingGazetteers?: (seq: number) => Gazetteer | undefined } = {},
  onEpoch?: (epoch: number, loss: number) => void,
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
  const feats = sequences.map((s, i) => extractorFor(i).extract(s.text, s.starts, s.ends));
  // count features, keep those seen often enough, in first-seen order (deterministic)
  const counts = new Map<number, number>();
  for (const f of feats) for (let i = 0; i < f.hA.length; i++) {
    const k = featureKey(f.hA[i], f.hB[i]);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const dict = new Map<number, number>();
  const rowA: number[] = [];
  const rowB: number[] = [];
  const train: TrainSequence[] = feats.map((f, si) => {
    const ids: number[] = [];
    const offsets = new Int32Array(f.n + 1);
    for (let t = 0; t < f.n; t++) {
      offsets[t] = ids.length;
      for (let i = f.offsets[t]; i < f.offsets[t + 1]; i++) {
        const k = featureKey(f.hA[i], f.hB[i]);
        if ((counts.get(k) ?? 0) < trainer.minFeatureCount) continue;
        let id = dict.get(k);
        if (id === undefined) {
          id = dict.size;
          dict.set(k, id);
          rowA.push(f.hA[i]);
          rowB.push(f.hB[i]);
        }
        ids.push(id);
      }
    }
    offsets[f.n] = ids.length;
    return { n: f.n, offsets, ids: Int32Array.from(ids), tags: labels.encode(f.n, sequences[si].spans) };
  });
  const groups: Int32Array[] = [];
  if (trainer.factored === 'prefix' || trainer.factored === 'both')
    groups.push(Int32Array.from(labels.names, (_, y) => ['O', 'B', 'I', 'L', 'U'].indexOf(labels.prefixOf(y))));
  if (trainer.factored === 'category' || trainer.factored === 'both')
    groups.push(Int32Array.from(labels.names, (_, y) => (y === 0 ? categories.length : labels.categoryOf(y))));
  const params = trainCrf(train, dict.size, labels, {
    labelGroups: groups,
    epochs: trainer.epochs, eta: trainer.eta, l2: trainer.l2, average: trainer.average, seed, onEpoch,
  });
  // the model file stores emission weights as float16 and scores as float32: round here so the in-memory model
  // is exactly the model the file holds
  const W = params.W;
  for (let i = 0; i < W.length; i++) W[i] = fromFloat16Bits(toFloat16Bits(W[i]));
  for (const a of [params.trans, params.start, params.end]) for (let i = 0; i < a.length; i++) a[i] = Math.fround(Math.max(a[i], -1e4));
  return { labels, extractor, dict, rowA: Uint32Array.from(rowA), rowB: Uint32Array.from(rowB), params };
}

/** Emission scores (n × L) of a sequence under the in-memory model. */
export function inMemoryEmissions(m: FittedModel, s: Sequence): Float64Array {
  const f = m.extractor.extract(s.text, s.starts, s.ends);
  const L = m.labels.size;
  const E = new Float64Array(f.n * L);
  const W = m.params.W;
  for (let t = 0; t < f.n; t++) {
    for (let i = f.offsets[t]; i < f.offsets[t + 1]; i++) {
      const id = m.dict.get(featureKey(f.hA[i], f.hB[i]));
      if (id === undefined) continue;
      for (let y = 0; y < L; y++) E[t * L + y] += W[id * L + y];
    }
  }
  return E;
}

/** Decodes emissions into entities with span probabilities as confidence. */
export function decodeEntities(
  labels: LabelSet,
  chain: CrfParams | { L: number; trans: Float64Array; start: Float64Array; end: Float64Array },
  lattice: Lattice,
  s: Sequence,
  E: ArrayLike<number>,
): PredictedEntity[] {
  const n = s.starts.length;
  if (n === 0) return [];
  const tags = viterbi(E, n, chain, lattice.adj); // lattice.setChain(chain) was called by the owner
  const spans = labels.decode(tags);
  if (spans.length === 0) return [];
  lattice.run(E, n);
  return spans.map((sp) => {
    const offset = s.starts[sp.start];
    const end = s.ends[sp.end - 1];
    return {
      text: s.text.slice(offset, end),
      category: labels.categories[sp.category],
      offset,
      length: end - offset,
      confidenceScore: Math.round(lattice.segmentProbability(tags, sp.start, sp.end - 1) * 1e4) / 1e4,
    };
  });
}

/** Predicts entities in a text with the in-memory model. */
export function predictInMemory(m: FittedModel, text: string): PredictedEntity[] {
  const lattice = new Lattice(m.labels.size);
  lattice.setChain(m.params);
  const out: PredictedEntity[] = [];
  for (const s of prepareText(text)) out.push(...decodeEntities(m.labels, m.params, lattice, s, inMemoryEmissions(m, s)));
  return out;
}
