// Turns documents into token sequences for the CRF: tokenizes, splits tokens at label boundaries, segments into
// sentences (line breaks, sentence punctuation, a length cap) without cutting through a labelled span.
import { splitAtBoundaries, tokenize, type Tokens } from './tokenizer.js';
import type { TokenSpan } from './labels.js';
import type { LabelledDocument, Region } from './types.js';

/** A sentence-like run of tokens of one text. */
export interface Sequence {
  text: string;
  starts: number[];
  ends: number[];
  /** Gold spans over this sequence's token indices (training only). */
  spans: TokenSpan[];
}

/** Longest sequence the segmenter emits (longer runs are cut at a token that starts no span). */
export const MAX_SEQUENCE_TOKENS = 200;

const isSentenceEnd = (text: string, s: number, e: number) =>
  e - s === 1 && (text[s] === '.' || text[s] === '!' || text[s] === '?' || text[s] === '。' || text[s] === '！' || text[s] === '？');

function hasLineBreak(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029) return true;
  }
  return false;
}

/**
 * Cuts token index range [0, n) into sequences: at line breaks, after sentence punctuation once a sequence is
 * 40+ tokens, and at MAX_SEQUENCE_TOKENS. `blocked[i]` true means no cut may fall before token i.
 */
export function segment(text: string, tok: Tokens, blocked?: Uint8Array): Array<[number, number]> {
  const n = tok.starts.length;
  const out: Array<[number, number]> = [];
  let from = 0;
  for (let i = 1; i <= n; i++) {
    if (i === n) {
      if (from < n) out.push([from, n]);
      break;
    }
    if (blocked?.[i]) continue;
    const len = i - from;
    const cut =
      hasLineBreak(text, tok.ends[i - 1], tok.starts[i]) ||
      (len >= 40 && isSentenceEnd(text, tok.starts[i - 1], tok.ends[i - 1])) ||
      len >= MAX_SEQUENCE_TOKENS;
    if (cut) {
      out.push([from, i]);
      from = i;
    }
  }
  return out;
}

function inRegions(regions: Region[] | undefined, s: number, e: number): boolean {
  if (!regions || regions.length === 0) return true;
  return regions.some((r) => s >= r.offset && e <= r.offset + r.length);
}

/** Training sequences of one labelled document, and how many tokens were split at label boundaries. */
export function prepareLabelled(
  doc: LabelledDocument,
  categoryIndex: Map<string, number>,
): { sequences: Sequence[]; splits: number; tokens: number } {
  const text = doc.text;
  const cuts: number[] = [];
  for (const s of doc.spans) cuts.push(s.offset, s.offset + s.length);
  const { tokens: tok, splits } = splitAtBoundaries(tokenize(text), cuts);
  const n = tok.starts.length;
  // map spans to token ranges
  const startAt = new Map<number, number>();
  const endAt = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    startAt.set(tok.starts[i], i);
    endAt.set(tok.ends[i], i + 1);
  }
  const blocked = new Uint8Array(n + 1);
  const spans: TokenSpan[] = [];
  for (const s of doc.spans) {
    const a = startAt.get(s.offset);
    const b = endAt.get(s.offset + s.length);
    const c = categoryIndex.get(s.category);
    // spans starting/ending inside whitespace are trimmed onto the tokens they cover
    const a2 = a ?? tok.starts.findIndex((x) => x >= s.offset);
    let b2 = b;
    if (b2 === undefined) {
      b2 = 0;
      for (let i = 0; i < n; i++) if (tok.ends[i] <= s.offset + s.length) b2 = i + 1;
    }
    if (c === undefined || a2 < 0 || b2 <= a2) continue;
    spans.push({ start: a2, end: b2, category: c });
    for (let i = a2 + 1; i < b2; i++) blocked[i] = 1;
  }
  spans.sort((x, y) => x.start - y.start);
  const sequences: Sequence[] = [];
  let tokens = 0;
  let si = 0;
  for (const [from, to] of segment(text, tok, blocked)) {
    const starts = tok.starts.slice(from, to);
    const ends = tok.ends.slice(from, to);
    // keep only tokens inside the document's regions
    if (!inRegions(doc.regions, starts[0], ends[ends.length - 1])) continue;
    while (si < spans.length && spans[si].start < from) si++;
    const local: TokenSpan[] = [];
    for (let k = si; k < spans.length && spans[k].start < to; k++)
      local.push({ start: spans[k].start - from, end: spans[k].end - from, category: spans[k].category });
    sequences.push({ text, starts, ends, spans: local });
    tokens += to - from;
  }
  return { sequences, splits, tokens };
}

/** Prediction sequences of a raw text. */
export function prepareText(text: string): Sequence[] {
  const tok = tokenize(text);
  return segment(text, tok).map(([from, to]) => ({
    text,
    starts: tok.starts.slice(from, to),
    ends: tok.ends.slice(from, to),
    spans: [],
  }));
}
