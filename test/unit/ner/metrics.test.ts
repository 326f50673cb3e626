import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../lib/ner/metrics.js';
import type { LabelledDocument, Span } from '../../../lib/ner/types.js';

const span = (offset: number, length: number, category: string): Span => ({ offset, length, category });

//          0         1         2         3
//          0123456789012345678901234567890123456789
const T1 = 'Alice met Bob in Paris and Rome today';
// words: Alice(0) met(6) Bob(10) in(14) Paris(17) and(23) Rome(27) today(32)
const gold1: LabelledDocument = {
  id: 'd1.txt',
  text: T1,
  spans: [span(0, 5, 'PER'), span(10, 3, 'PER'), span(17, 5, 'LOC'), span(27, 4, 'LOC')],
  language: 'en-us',
};

describe('evaluate', () => {
  it('counts exact-span TP/FP/FN per category, micro and macro', () => {
    const predicted = new Map([
      // Alice: exact PER (TP). Bob: predicted as LOC (FP LOC + FN PER). Paris: exact (TP). "and Rome": wrong span (FP + FN).
      ['d1.txt', [span(0, 5, 'PER'), span(10, 3, 'LOC'), span(17, 5, 'LOC'), span(23, 8, 'LOC')]],
    ]);
    const { summary } = evaluate([gold1], predicted);
    const e = summary.customEntityRecognitionEvaluation;
    expect(e.entities.PER).toEqual({
      f1: 2 / 3, precision: 1, recall: 0.5,
      truePositiveCount: 1, falsePositiveCount: 0, falseNegativeCount: 1,
      // words touching neither a gold nor a predicted PER span: met in Paris and Rome today
      trueNegativeCount: 6,
    });
    expect(e.entities.LOC).toMatchObject({ precision: 1 / 3, recall: 0.5, truePositiveCount: 1, falsePositiveCount: 2, falseNegativeCount: 1 });
    expect(e.entities.LOC.f1).toBeCloseTo(0.4, 12);
    // words touching no LOC span: Alice met in today
    expect(e.entities.LOC.trueNegativeCount).toBe(4);
    expect(e.microPrecision).toBe(2 / 4);
    expect(e.microRecall).toBe(2 / 4);
    expect(e.microF1).toBe(0.5);
    expect(e.macroPrecision).toBeCloseTo((1 + 1 / 3) / 2, 12);
    expect(e.macroRecall).toBe(0.5);
    expect(e.macroF1).toBeCloseTo((2 / 3 + 0.4) / 2, 12);
  });

  it('builds the confusion matrix with $none, counting partial overlaps by characters', () => {
    const predicted = new Map([['d1.txt', [span(0, 5, 'PER'), span(10, 3, 'LOC'), span(17, 5, 'LOC'), span(23, 8, 'LOC')]]]);
    const m = evaluate([gold1], predicted).summary.customEntityRecognitionEvaluation.confusionMatrix;
    // PER row: Alice → PER (1), Bob → LOC (1).
    expect(m.PER).toEqual({ PER: { normalizedValue: 50, rawValue: 1 }, LOC: { normalizedValue: 50, rawValue: 1 } });
    // LOC row: Paris → LOC (1); Rome fully covered by "and Rome" → LOC (1).
    expect(m.LOC).toEqual({ LOC: { normalizedValue: 100, rawValue: 2 } });
    // $none row: "and Rome" has 4 of 8 chars outside gold → 0.5 LOC; unlabelled, unpredicted words: met in today → 3.
    expect(m.$none).toEqual({
      LOC: { normalizedValue: 14.2857, rawValue: 0.5 }, // 100 × 0.5 / 3.5, rounded to 4 decimals
      $none: { normalizedValue: 85.7143, rawValue: 3 },
    });
  });

  it('splits a gold span between a partial prediction and $none', () => {
    const doc: LabelledDocument = { id: 'x', text: 'New York City', spans: [span(0, 13, 'LOC')] };
    const m = evaluate([doc], new Map([['x', [span(0, 8, 'LOC')]]])).summary.customEntityRecognitionEvaluation;
    expect(m.confusionMatrix.LOC.LOC.rawValue).toBeCloseTo(8 / 13, 6);
    expect(m.confusionMatrix.LOC.$none.rawValue).toBeCloseTo(5 / 13, 6);
    expect(m.confusionMatrix.LOC.LOC.normalizedValue).toBeCloseTo((100 * 8) / 13, 4);
    expect(m.entities.LOC).toMatchObject({ truePositiveCount: 0, falsePositiveCount: 1, falseNegativeCount: 1 });
    expect(m.confusionMatrix.$none).toBeUndefined();
  });

  it('macro-averages a category with gold but no predictions as zero, and ignores schema categories never seen', () => {
    const predicted = new Map([['d1.txt', [span(0, 5, 'PER'), span(10, 3, 'PER')]]]);
    const e = evaluate([gold1], predicted, { categories: ['PER', 'LOC', 'ORG'] }).summary.customEntityRecognitionEvaluation;
    expect(e.entities.LOC).toEqual({
      f1: 0, precision: 0, recall: 0, truePositiveCount: 0, falsePositiveCount: 0, falseNegativeCount: 2, trueNegativeCount: 6,
    });
    expect(e.entities.ORG).toMatchObject({ f1: 0, truePositiveCount: 0, falseNegativeCount: 0, trueNegativeCount: 8 });
    expect(e.macroF1).toBe(0.5); // (PER 1 + LOC 0) / 2: ORG has neither gold nor predictions
    expect(e.macroPrecision).toBe(0.5);
    expect(e.microPrecision).toBe(1);
    expect(e.microRecall).toBe(0.5);
    expect(e.microF1).toBeCloseTo(2 / 3, 12);
  });

  it('counts a predicted category absent from gold as all false positives', () => {
    const doc: LabelledDocument = { id: 'x', text: 'Acme hired Jo', spans: [span(11, 2, 'PER')] };
    const e = evaluate([doc], new Map([['x', [span(0, 4, 'ORG'), span(11, 2, 'PER')]]])).summary.customEntityRecognitionEvaluation;
    expect(e.entities.ORG).toMatchObject({ precision: 0, recall: 0, f1: 0, falsePositiveCount: 1 });
    expect(e.macroF1).toBe(0.5);
    expect(e.confusionMatrix.$none.ORG).toEqual({ normalizedValue: 50, rawValue: 1 });
    expect(e.confusionMatrix.$none.$none).toEqual({ normalizedValue: 50, rawValue: 1 }); // "hired"
  });

  it('handles empty documents and no predictions at all', () => {
    const docs: LabelledDocument[] = [
      { id: 'empty', text: '', spans: [] },
      { id: 'plain', text: 'nothing here', spans: [] },
    ];
    const { summary, documents } = evaluate(docs, new Map());
    const e = summary.customEntityRecognitionEvaluation;
    expect(e.entities).toEqual({});
    expect([e.microF1, e.microPrecision, e.microRecall, e.macroF1, e.macroPrecision, e.macroRecall]).toEqual([0, 0, 0, 0, 0, 0]);
    expect(e.confusionMatrix).toEqual({ $none: { $none: { normalizedValue: 100, rawValue: 2 } } });
    expect(documents[0].customEntityRecognitionResult.entities).toEqual([
      { regionOffset: 0, regionLength: 0, expectedEntities: [], predictedEntities: [] },
    ]);
    expect(summary.evaluationOptions).toEqual({ kind: 'manual' });
  });

  it('reports per-document expected and predicted entities by region, ignoring spans outside every region', () => {
    const doc: LabelledDocument = {
      id: 'r.txt',
      text: T1,
      spans: [span(0, 5, 'PER'), span(27, 4, 'LOC')],
      regions: [{ offset: 0, length: 14 }, { offset: 23, length: 14 }],
    };
    const predicted = new Map([['r.txt', [span(0, 5, 'PER'), span(17, 5, 'LOC'), span(27, 4, 'LOC')]], ['other.txt', [span(0, 1, 'PER')]]]);
    const { summary, documents } = evaluate([doc], predicted, { defaultLanguage: 'fr' });
    expect(documents).toEqual([
      {
        location: 'r.txt',
        language: 'fr',
        projectKind: 'CustomEntityRecognition',
        customEntityRecognitionResult: {
          entities: [
            { regionOffset: 0, regionLength: 14, expectedEntities: [{ category: 'PER', offset: 0, length: 5 }], predictedEntities: [{ category: 'PER', offset: 0, length: 5 }] },
            { regionOffset: 23, regionLength: 14, expectedEntities: [{ category: 'LOC', offset: 27, length: 4 }], predictedEntities: [{ category: 'LOC', offset: 27, length: 4 }] },
          ],
        },
      },
    ]);
    // "Paris" (17) lies outside both regions: not a false positive.
    expect(summary.customEntityRecognitionEvaluation.microPrecision).toBe(1);
  });

  it('counts a duplicated prediction once', () => {
    const e = evaluate([gold1], new Map([['d1.txt', [span(0, 5, 'PER'), span(0, 5, 'PER')]]])).summary.customEntityRecognitionEvaluation;
    expect(e.entities.PER).toMatchObject({ truePositiveCount: 1, falsePositiveCount: 0 });
  });
});
