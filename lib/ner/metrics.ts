// Exact-span NER evaluation in Azure's shapes: the evaluation summary (confusion matrix, per-entity and micro/macro
// P/R/F1) and the per-document expected-vs-predicted results.
import type { LabelledDocument, Region, Span } from './types.js';

/** The "no entity" row/column of the confusion matrix. */
export const NONE = '$none';

export interface ConfusionCell {
  /** Percentage of the row (the labelled category), 0..100. */
  normalizedValue: number;
  rawValue: number;
}

export interface EntityEvaluation {
  f1: number;
  precision: number;
  recall: number;
  truePositiveCount: number;
  trueNegativeCount: number;
  falsePositiveCount: number;
  falseNegativeCount: number;
}

export type EvaluationOptions =
  | { kind: 'manual' }
  | { kind: 'percentage'; trainingSplitPercentage: number; testingSplitPercentage: number };

/** Azure's `evaluation/summary-result` body. */
export interface EvaluationSummary {
  projectKind: 'CustomEntityRecognition';
  customEntityRecognitionEvaluation: {
    confusionMatrix: Record<string, Record<string, ConfusionCell>>;
    entities: Record<string, EntityEvaluation>;
    microF1: number;
    microPrecision: number;
    microRecall: number;
    macroF1: number;
    macroPrecision: number;
    macroRecall: number;
  };
  evaluationOptions: EvaluationOptions;
}

export interface EvaluatedEntity {
  category: string;
  offset: number;
  length: number;
}

/** One item of Azure's `evaluation/result` (per-document expected vs predicted, per region). */
export interface DocumentEvaluation {
  location: string;
  language: string;
  projectKind: 'CustomEntityRecognition';
  customEntityRecognitionResult: {
    entities: Array<{
      regionOffset: number;
      regionLength: number;
      expectedEntities: EvaluatedEntity[];
      predictedEntities: EvaluatedEntity[];
    }>;
  };
}

export interface Evaluation {
  summary: EvaluationSummary;
  documents: DocumentEvaluation[];
}

export interface EvaluateOptions {
  /** The project's categories; each gets an `entities` entry even if absent from gold and predictions. */
  categories?: readonly string[];
  /** Written into the summary as is (default `{kind: 'manual'}`). */
  evaluationOptions?: EvaluationOptions;
  /** Language of documents that carry none (default `en`). */
  defaultLanguage?: string;
}

const ratio = (n: number, d: number) => (d === 0 ? 0 : n / d);
const f1Of = (p: number, r: number) => (p + r === 0 ? 0 : (2 * p * r) / (p + r));
const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
const keyOf = (s: Span) => `${s.offset}:${s.length}:${s.category}`;
const overlap = (a: Span, b: Span) =>
  Math.max(0, Math.min(a.offset + a.length, b.offset + b.length) - Math.max(a.offset, b.offset));

/** Unique spans in text order; duplicates (same offset, length and category) count once. */
function uniqueSorted(spans: readonly Span[]): Span[] {
  const seen = new Map<string, Span>();
  for (const s of spans) {
    const k = keyOf(s);
    if (!seen.has(k)) seen.set(k, { offset: s.offset, length: s.length, category: s.category });
  }
  return [...seen.values()].sort((a, b) => a.offset - b.offset || a.length - b.length || a.category.localeCompare(b.category));
}

/**
 * Scores predictions against gold documents with exact-span matching: a prediction is a true positive when a gold
 * span of the document has the same offset, length and category. Only spans that start inside one of the document's
 * regions count (all of the text when it has none); predictions for unknown document ids are ignored, and a gold
 * document with no entry in `predicted` has predicted nothing.
 *
 * Definitions (Azure leaves them open; these are ours):
 * - precision = TP / (TP + FP), recall = TP / (TP + FN), F1 their harmonic mean; any 0/0 is 0. All in 0..1.
 * - micro: over all spans of all categories. macro: the unweighted mean of per-category precision, recall and F1 over
 *   the categories that have at least one gold or one predicted span (a category with gold spans and no
 *   predictions counts with P = R = F1 = 0; a category with neither is listed in `entities` but not averaged).
 * - trueNegativeCount of category C: the words (maximal runs of non-whitespace) in the evaluated regions that
 *   overlap neither a gold nor a predicted span of C.
 * - confusionMatrix, rows = labelled category, columns = predicted, partial overlaps counted by characters:
 *   each gold span is one unit spread over the categories of the predictions overlapping it, in proportion to the
 *   characters each covers (an exact match puts 1 in its cell); the part no prediction covers goes to `$none`.
 *   Each prediction adds, in row `$none`, the fraction of its characters that no gold span covers.
 *   `$none`/`$none` counts the words that overlap no gold and no predicted span. A gold row therefore sums to the
 *   number of gold spans of that category. Cells that are 0 are left out; normalizedValue is % of the row
 *   (rounded to 4 decimals), rawValue is rounded to 6 decimals.
 */
export function evaluate(
  gold: readonly LabelledDocument[],
  predicted: ReadonlyMap<string, readonly Span[]>,
  opts: EvaluateOptions = {},
): Evaluation {
  const categories = new Set<string>(opts.categories ?? []);
  const counts = new Map<string, { tp: number; fp: number; fn: number; tn: number; gold: number; pred: number }>();
  const count = (c: string) => {
    let k = counts.get(c);
    if (!k) counts.set(c, (k = { tp: 0, fp: 0, fn: 0, tn: 0, gold: 0, pred: 0 }));
    return k;
  };
  const matrix = new Map<string, Map<string, number>>();
  const addCell = (row: string, col: string, v: number) => {
    if (v <= 1e-12) return;
    let r = matrix.get(row);
    if (!r) matrix.set(row, (r = new Map()));
    r.set(col, (r.get(col) ?? 0) + v);
  };
  // For trueNegativeCount: all evaluated words, and per category the words one of its spans touches.
  let totalWords = 0;
  const wordsTouchedBy = new Map<string, number>();
  const documents: DocumentEvaluation[] = [];

  for (const doc of gold) {
    const regions: Region[] = doc.regions ?? [{ offset: 0, length: doc.text.length }];
    const inRegion = (s: Span) => regions.findIndex((r) => s.offset >= r.offset && s.offset < r.offset + r.length);
    const g = uniqueSorted(doc.spans).filter((s) => inRegion(s) >= 0);
    const p = uniqueSorted(predicted.get(doc.id) ?? []).filter((s) => inRegion(s) >= 0);
    const goldKeys = new Set(g.map(keyOf));
    for (const s of g) {
      categories.add(s.category);
      count(s.category).gold++;
    }
    for (const s of p) {
      categories.add(s.category);
      const k = count(s.category);
      k.pred++;
      if (goldKeys.has(keyOf(s))) k.tp++;
      else k.fp++;
    }
    for (const s of g) {
      const covering = p.map((q) => ({ q, chars: overlap(s, q) })).filter((x) => x.chars > 0);
      const covered = covering.reduce((a, x) => a + x.chars, 0);
      // Overlapping predictions could cover a character twice; scale so a gold span never counts more than once.
      const scale = covered > s.length ? s.length / covered : 1;
      for (const { q, chars } of covering) addCell(s.category, q.category, (chars * scale) / s.length);
      addCell(s.category, NONE, 1 - Math.min(covered, s.length) / s.length);
    }
    for (const q of p) {
      const covered = Math.min(q.length, g.reduce((a, s) => a + overlap(s, q), 0));
      addCell(NONE, q.category, 1 - covered / q.length);
    }
    // Words touched by each category, and by any span, via per-character coverage prefix sums (linear in the text).
    const words: Array<[number, number]> = [];
    for (const r of regions) {
      for (const m of doc.text.slice(r.offset, r.offset + r.length).matchAll(/\S+/gu)) {
        words.push([r.offset + m.index, r.offset + m.index + m[0].length]);
      }
    }
    totalWords += words.length;
    const touched = (spans: Span[]) => {
      const cover = new Int32Array(doc.text.length + 1);
      for (const s of spans) for (let i = s.offset; i < s.offset + s.length && i < doc.text.length; i++) cover[i + 1] = 1;
      for (let i = 1; i < cover.length; i++) cover[i] += cover[i - 1];
      return words.filter(([a, b]) => cover[b] - cover[a] > 0).length;
    };
    for (const c of new Set([...g, ...p].map((s) => s.category))) {
      wordsTouchedBy.set(c, (wordsTouchedBy.get(c) ?? 0) + touched([...g, ...p].filter((s) => s.category === c)));
    }
    addCell(NONE, NONE, words.length - touched([...g, ...p]));

    documents.push({
      location: doc.id,
      language: doc.language ?? opts.defaultLanguage ?? 'en',
      projectKind: 'CustomEntityRecognition',
      customEntityRecognitionResult: {
        entities: regions.map((r, ri) => ({
          regionOffset: r.offset,
          regionLength: r.length,
          expectedEntities: g.filter((s) => inRegion(s) === ri).map(({ category, offset, length }) => ({ category, offset, length })),
          predictedEntities: p.filter((s) => inRegion(s) === ri).map(({ category, offset, length }) => ({ category, offset, length })),
        })),
      },
    });
  }

  for (const c of categories) {
    const k = count(c);
    k.fn = k.gold - k.tp;
    k.tn = totalWords - (wordsTouchedBy.get(c) ?? 0);
  }

  const sorted = [...categories].sort();
  const entities: Record<string, EntityEvaluation> = {};
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const averaged: Array<{ p: number; r: number; f: number }> = [];
  for (const c of sorted) {
    const k = count(c);
    const precision = ratio(k.tp, k.tp + k.fp);
    const recall = ratio(k.tp, k.tp + k.fn);
    const f1 = f1Of(precision, recall);
    entities[c] = {
      f1,
      precision,
      recall,
      truePositiveCount: k.tp,
      trueNegativeCount: k.tn,
      falsePositiveCount: k.fp,
      falseNegativeCount: k.fn,
    };
    tp += k.tp;
    fp += k.fp;
    fn += k.fn;
    if (k.gold > 0 || k.pred > 0) averaged.push({ p: precision, r: recall, f: f1 });
  }
  const mean = (xs: number[]) => ratio(xs.reduce((a, x) => a + x, 0), xs.length);
  const microPrecision = ratio(tp, tp + fp);
  const microRecall = ratio(tp, tp + fn);

  const confusionMatrix: Record<string, Record<string, ConfusionCell>> = {};
  for (const row of [...sorted, NONE]) {
    const cells = matrix.get(row);
    if (!cells) continue;
    const total = [...cells.values()].reduce((a, v) => a + v, 0);
    const out: Record<string, ConfusionCell> = {};
    for (const col of [...sorted, NONE]) {
      const v = cells.get(col);
      if (v === undefined) continue;
      out[col] = { normalizedValue: round((100 * v) / total, 4), rawValue: round(v, 6) };
    }
    confusionMatrix[row] = out;
  }

  return {
    summary: {
      projectKind: 'CustomEntityRecognition',
      customEntityRecognitionEvaluation: {
        confusionMatrix,
        entities,
        microF1: f1Of(microPrecision, microRecall),
        microPrecision,
        microRecall,
        macroF1: mean(averaged.map((a) => a.f)),
        macroPrecision: mean(averaged.map((a) => a.p)),
        macroRecall: mean(averaged.map((a) => a.r)),
      },
      evaluationOptions: opts.evaluationOptions ?? { kind: 'manual' },
    },
    documents,
  };
}
