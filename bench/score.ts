// The bench's span scorer: `token gold pred` files scored through lib/ner/metrics (exact spans, conlleval chunks),
// and the projection of character-span predictions onto the tokens of a BIO test file.
import { bioToDocuments, tokenOffsets, type BioSentence } from '../lib/ner/formats/bio.js';
import { evaluate } from '../lib/ner/metrics.js';
import type { Span } from '../lib/ner/types.js';

/** Reads `token gold pred` lines (space or tab separated, last two columns), blank line between sentences. */
export function readPredFile(text: string): Array<{ tokens: string[]; gold: string[]; pred: string[] }> {
  const out: Array<{ tokens: string[]; gold: string[]; pred: string[] }> = [];
  let cur = { tokens: [] as string[], gold: [] as string[], pred: [] as string[] };
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      if (cur.tokens.length) out.push(cur);
      cur = { tokens: [], gold: [], pred: [] };
      continue;
    }
    const c = line.split(/[ \t]/);
    cur.tokens.push(c.slice(0, -2).join(' '));
    cur.gold.push(c[c.length - 2]);
    cur.pred.push(c[c.length - 1]);
  }
  if (cur.tokens.length) out.push(cur);
  return out;
}

export interface SpanScore {
  precision: number;
  recall: number;
  f1: number;
  tp: number;
  pred: number;
  gold: number;
}

/**
 * Scores a pred file: gold and predicted tags become character spans over the same documents (tokens joined by
 * spaces, one sentence per line) and go through `evaluate`, so the product's metrics are what the bench reports.
 */
export function scorePredFile(text: string): SpanScore {
  const sents = readPredFile(text);
  const gold = bioToDocuments(sents.map((s) => ({ tokens: s.tokens, tags: s.gold })), { sentencesPerDocument: 1 });
  const pred = bioToDocuments(sents.map((s) => ({ tokens: s.tokens, tags: s.pred })), { sentencesPerDocument: 1 });
  const e = evaluate(gold, new Map(pred.map((d) => [d.id, d.spans]))).summary.customEntityRecognitionEvaluation;
  const counts = Object.values(e.entities).reduce(
    (a, c) => ({ tp: a.tp + c.truePositiveCount, pred: a.pred + c.truePositiveCount + c.falsePositiveCount, gold: a.gold + c.truePositiveCount + c.falseNegativeCount }),
    { tp: 0, pred: 0, gold: 0 },
  );
  return { precision: e.microPrecision, recall: e.microRecall, f1: e.microF1, ...counts };
}

/**
 * Tags the tokens of `sentences` (one document's sentences, joined as bioToDocuments joins them) with predicted
 * character spans: a token overlapping a span gets its category (B- on the first token of the span within a
 * sentence). Returns the predicted tags per sentence and how many spans had an edge inside a token.
 */
export function projectSpans(sentences: readonly BioSentence[], spans: readonly Span[]): { tags: string[][]; misaligned: number } {
  const tags = sentences.map((s) => s.tokens.map(() => 'O'));
  const starts: number[][] = [];
  let base = 0;
  for (const s of sentences) {
    starts.push(tokenOffsets(s.tokens, base));
    base += s.tokens.join(' ').length + 1;
  }
  let misaligned = 0;
  for (const span of [...spans].sort((a, b) => a.offset - b.offset)) {
    const end = span.offset + span.length;
    let edgeInside = false;
    sentences.forEach((s, si) => {
      let first = true;
      s.tokens.forEach((tok, k) => {
        const t0 = starts[si][k];
        const t1 = t0 + tok.length;
        if (t1 <= span.offset || t0 >= end || tags[si][k] !== 'O') return;
        if (t0 < span.offset || t1 > end) edgeInside = true;
        tags[si][k] = `${first ? 'B' : 'I'}-${span.category}`;
        first = false;
      });
    });
    if (edgeInside) misaligned++;
  }
  return { tags, misaligned };
}

/** `token gold pred` lines for sentences with gold and predicted tags. */
export function predLines(sentences: readonly BioSentence[], pred: readonly string[][]): string {
  const lines: string[] = [];
  sentences.forEach((s, i) => {
    s.tokens.forEach((t, k) => lines.push(`${t} ${s.tags[k]} ${pred[i][k]}`));
    lines.push('');
  });
  return lines.join('\n');
}
