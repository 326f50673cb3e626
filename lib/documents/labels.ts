// Label rules: category in the schema, inside the text (and region), length 1..500, no split surrogate pair, no overlap.
import type { FieldError } from '../errors.js';
import { MAX_LABEL_LENGTH, type Region } from './schemas.js';

/** The parts of a label the rules look at. */
export interface SpanLike {
  id?: string;
  category: string;
  offset: number;
  length: number;
}

export interface LabelCheck {
  /** Problems that refuse the label set, each naming the offending label by index (`labels[i]`). */
  errors: FieldError[];
  /** Problems reported but accepted (leading/trailing whitespace). */
  warnings: FieldError[];
  /** Indices of labels with an error. */
  rejected: Set<number>;
}

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/** Describes a label for messages: `person [5,12) "Alice B"`. */
export function describeSpan(text: string, s: SpanLike): string {
  const inside = s.offset >= 0 && s.offset + s.length <= text.length && s.length > 0;
  const snippet = inside ? ` "${truncate(text.slice(s.offset, s.offset + s.length), 40)}"` : '';
  return `${s.category} at offset ${s.offset} length ${s.length}${snippet}${s.id ? ` (id ${s.id})` : ''}`;
}

const truncate = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/**
 * Checks one label set against a text. `categories` undefined skips the schema check. Overlaps are reported on the
 * later span and name both. Regions, when given, must each contain the label entirely.
 */
export function checkLabels(
  text: string,
  labels: SpanLike[],
  opts: { categories?: Set<string>; regions?: Region[]; path?: string } = {},
): LabelCheck {
  const base = opts.path ?? 'labels';
  const errors: FieldError[] = [];
  const warnings: FieldError[] = [];
  const rejected = new Set<number>();
  const fail = (i: number, message: string) => {
    errors.push({ path: `${base}[${i}]`, message });
    rejected.add(i);
  };
  labels.forEach((l, i) => {
    const d = describeSpan(text, l);
    if (opts.categories && !opts.categories.has(l.category))
      return fail(i, `Label ${d}: category '${l.category}' is not in the project's entity schema.`);
    if (!Number.isInteger(l.offset) || !Number.isInteger(l.length) || l.offset < 0)
      return fail(i, `Label ${d}: offset and length must be non-negative integers.`);
    if (l.length < 1 || l.length > MAX_LABEL_LENGTH)
      return fail(i, `Label ${d}: length must be between 1 and ${MAX_LABEL_LENGTH}.`);
    const end = l.offset + l.length;
    if (end > text.length)
      return fail(i, `Label ${d}: ends at ${end}, past the end of the text (${text.length} characters).`);
    if (opts.regions && opts.regions.length > 0 && !opts.regions.some((r) => l.offset >= r.offset && end <= r.offset + r.length))
      return fail(i, `Label ${d}: lies outside every labelled region of the document.`);
    if (splitsPair(text, l.offset) || splitsPair(text, end))
      return fail(i, `Label ${d}: starts or ends inside a surrogate pair (offsets are UTF-16 code units).`);
    const span = text.slice(l.offset, end);
    if (/^\s|\s$/u.test(span))
      warnings.push({ path: `${base}[${i}]`, message: `Label ${d}: has leading or trailing whitespace.` });
  });
  // Overlap: sort the valid ones by offset and compare neighbours against the furthest end seen so far.
  const order = labels
    .map((l, i) => ({ l, i }))
    .filter(({ i }) => !rejected.has(i))
    .sort((a, b) => a.l.offset - b.l.offset || a.l.length - b.l.length || a.i - b.i);
  let furthest: { l: SpanLike; i: number } | undefined;
  for (const cur of order) {
    if (furthest && cur.l.offset < furthest.l.offset + furthest.l.length) {
      const [first, second] = furthest.i < cur.i ? [furthest, cur] : [cur, furthest];
      fail(
        second.i,
        `Label ${describeSpan(text, second.l)} overlaps label ${base}[${first.i}] ${describeSpan(text, first.l)}; overlapping spans cannot be represented.`,
      );
      continue;
    }
    if (!furthest || cur.l.offset + cur.l.length > furthest.l.offset + furthest.l.length) furthest = cur;
  }
  errors.sort((a, b) => indexOf(a.path) - indexOf(b.path));
  return { errors, warnings, rejected };
}

/** True when a boundary at `i` falls between the two halves of a surrogate pair. */
export const splitsPair = (text: string, i: number): boolean =>
  i > 0 && i < text.length && isHigh(text.charCodeAt(i - 1)) && isLow(text.charCodeAt(i));

const indexOf = (path: string) => Number(/\[(\d+)\]$/.exec(path)?.[1] ?? 0);
