// Moves labels onto a changed text: each span's text is looked for again, nearest occurrence with the same context.
import type { Label, Suggestion } from './schemas.js';

const CONTEXT = 24;

export interface ReanchorResult<T> {
  kept: T[];
  /** Labels whose text could not be found again (labels: marked needsReview; suggestions: dropped). */
  lost: T[];
}

/**
 * Re-anchors spans from `oldText` onto `newText`. A span whose text occurs in the new text moves to the occurrence with
 * the most matching context around it (ties: nearest to where the edit would have shifted it); two spans never land
 * on overlapping places. Spans that fit nowhere come back in `lost`, unchanged.
 */
export function reanchorSpans<T extends { offset: number; length: number; originalText?: string }>(
  oldText: string,
  newText: string,
  spans: T[],
): ReanchorResult<T> {
  // The edit is somewhere between the common prefix and the common suffix; spans after it shift by the size change.
  let prefix = 0;
  const maxPrefix = Math.min(oldText.length, newText.length);
  while (prefix < maxPrefix && oldText.charCodeAt(prefix) === newText.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (
    suffix < maxPrefix - prefix &&
    oldText.charCodeAt(oldText.length - 1 - suffix) === newText.charCodeAt(newText.length - 1 - suffix)
  )
    suffix++;
  const delta = newText.length - oldText.length;
  const expected = (o: number) => (o >= oldText.length - suffix ? o + delta : o);

  const placed: Array<{ offset: number; end: number }> = [];
  const free = (o: number, e: number) => placed.every((p) => e <= p.offset || o >= p.end);
  const kept: T[] = [];
  const lost: T[] = [];
  // Spans wholly in the unchanged prefix/suffix are placed first so moved ones cannot take their place.
  const order = spans
    .map((s, i) => ({ s, i, untouched: untouched(s, prefix, oldText.length - suffix) }))
    .sort((a, b) => Number(b.untouched) - Number(a.untouched) || a.i - b.i);
  const result = new Map<number, T>();
  for (const { s, i } of order) {
    const wanted = s.originalText ?? oldText.slice(s.offset, s.offset + s.length);
    if (wanted.length === 0 || (s.originalText === undefined && s.offset + s.length > oldText.length)) {
      lost.push(s);
      continue;
    }
    const before = oldText.slice(Math.max(0, s.offset - CONTEXT), s.offset);
    const after = oldText.slice(s.offset + s.length, s.offset + s.length + CONTEXT);
    const target = expected(s.offset);
    let best: { offset: number; score: number; distance: number } | undefined;
    for (let at = newText.indexOf(wanted); at !== -1; at = newText.indexOf(wanted, at + 1)) {
      if (!free(at, at + wanted.length)) continue;
      const score =
        commonSuffix(before, newText.slice(Math.max(0, at - CONTEXT), at)) +
        commonPrefix(after, newText.slice(at + wanted.length, at + wanted.length + CONTEXT));
      const distance = Math.abs(at - target);
      if (!best || score > best.score || (score === best.score && distance < best.distance)) best = { offset: at, score, distance };
    }
    if (!best) {
      lost.push(s);
      continue;
    }
    placed.push({ offset: best.offset, end: best.offset + wanted.length });
    const { originalText: _o, ...rest } = s as T & { originalText?: string };
    result.set(i, { ...(rest as T), offset: best.offset, length: wanted.length });
  }
  for (let i = 0; i < spans.length; i++) if (result.has(i)) kept.push(result.get(i)!);
  return { kept, lost };
}

const untouched = (s: { offset: number; length: number }, editStart: number, editEndOld: number) =>
  s.offset + s.length <= editStart || s.offset >= editEndOld;

function commonPrefix(a: string, b: string): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

function commonSuffix(a: string, b: string): number {
  let n = 0;
  while (n < a.length && n < b.length && a[a.length - 1 - n] === b[b.length - 1 - n]) n++;
  return n;
}

/** Labels after a text change: found ones keep their status; the rest are kept as needsReview with their old text. */
export function reanchorLabels(oldText: string, newText: string, labels: Label[]): { labels: Label[]; kept: number; needsReview: number } {
  const { kept, lost } = reanchorSpans(oldText, newText, labels);
  const review: Label[] = lost.map((l) => ({
    ...l,
    status: 'needsReview',
    originalText: l.originalText ?? oldText.slice(l.offset, l.offset + l.length),
  }));
  const all = [...kept.map((l) => (l.status === 'needsReview' ? { ...l, status: 'accepted' as const } : l)), ...review];
  all.sort((a, b) => a.offset - b.offset || a.length - b.length);
  return { labels: all, kept: kept.length, needsReview: review.length };
}

/** Suggestions after a text change: the ones that cannot be found again are dropped (they were only proposals). */
export function reanchorSuggestions(oldText: string, newText: string, suggestions: Suggestion[]): Suggestion[] {
  return reanchorSpans(oldText, newText, suggestions).kept;
}
