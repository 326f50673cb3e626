// spaCy-style JSONL: one `{"text", "spans"|"entities": [[start, end, label] | {start, end, label}]}` per line.
// spaCy is Python, so its offsets count Unicode code points; they are converted to/from UTF-16 code units here.
import { z } from 'zod';
import { DomainError, type FieldError } from '../../errors.js';
import type { LabelledDocument, Span } from '../types.js';
import { codePointToUtf16Table, utf16ToCodePoint } from './offsets.js';

const SpanTuple = z.tuple([z.number().int().min(0), z.number().int().min(0), z.string().min(1)]).rest(z.unknown());
const SpanObject = z.looseObject({ start: z.number().int().min(0), end: z.number().int().min(0), label: z.string().min(1) });
const SpanEntry = z.union([SpanTuple, SpanObject]);

const Line = z.looseObject({
  text: z.string(),
  spans: z.array(SpanEntry).optional(),
  entities: z.array(SpanEntry).optional(),
  id: z.union([z.string(), z.number()]).optional(),
  location: z.string().optional(),
  meta: z.looseObject({ location: z.string().optional(), id: z.union([z.string(), z.number()]).optional(), dataset: z.string().optional() }).optional(),
});

export interface SpacyDocument extends LabelledDocument {
  /** `meta.dataset` when the line says Train/Test. */
  dataset?: 'Train' | 'Test';
}

export interface SpacyReadResult {
  documents: SpacyDocument[];
  /** Spans that do not fit their text, with line and reason. */
  problems: Array<{ id: string; path: string; reason: string }>;
}

/**
 * Reads JSONL. A document's name is `location`, `meta.location`, `id` (+ `.txt`) or `${prefix}_00001.txt` by line.
 * @throws DomainError VALIDATION_FAILED naming the line of a line that is not such an object.
 */
export function readSpacyJsonl(text: string, opts: { prefix?: string } = {}): SpacyReadResult {
  const documents: SpacyDocument[] = [];
  const problems: SpacyReadResult['problems'] = [];
  const errors: FieldError[] = [];
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split('\n');
  lines.forEach((raw, n) => {
    const line = raw.trim();
    if (!line) return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      errors.push({ path: `line ${n + 1}`, message: 'not JSON' });
      return;
    }
    const r = Line.safeParse(json);
    if (!r.success) {
      errors.push({ path: `line ${n + 1}`, message: r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ') });
      return;
    }
    const v = r.data;
    const named = v.location ?? v.meta?.location ?? (v.id ?? v.meta?.id) ?? undefined;
    const id = named === undefined ? `${opts.prefix ?? 'doc'}_${String(documents.length + 1).padStart(5, '0')}.txt` : /\.txt$/i.test(String(named)) ? String(named) : `${named}.txt`;
    const table = codePointToUtf16Table(v.text);
    const spans: Span[] = [];
    (v.spans ?? v.entities ?? []).forEach((s, si) => {
      const [start, end, label] = Array.isArray(s) ? [s[0] as number, s[1] as number, s[2] as string] : [s.start, s.end, s.label];
      if (end <= start || end > table.length - 1) {
        problems.push({ id, path: `line ${n + 1}.spans[${si}]`, reason: `span ${start}..${end} does not fit the text (${table.length - 1} code points)` });
        return;
      }
      spans.push({ offset: table[start], length: table[end] - table[start], category: label });
    });
    const dataset = v.meta?.dataset === 'Train' || v.meta?.dataset === 'Test' ? v.meta.dataset : undefined;
    documents.push({ id, text: v.text, spans, ...(dataset ? { dataset } : {}) });
  });
  if (errors.length > 0)
    throw new DomainError('VALIDATION_FAILED', `invalid JSONL: ${errors.slice(0, 5).map((e) => `${e.path}: ${e.message}`).join('; ')}`, {
      errors,
      innerCode: 'InvalidRequestBodyFormat',
    });
  return { documents, problems };
}

/** Documents → JSONL with `spans` as `{start, end, label}` in code points, plus `meta.location`/`meta.dataset`. */
export function writeSpacyJsonl(docs: ReadonlyArray<LabelledDocument & { dataset?: 'Train' | 'Test' | null }>): string {
  return docs
    .map((d) => {
      const spans = [...d.spans]
        .sort((a, b) => a.offset - b.offset)
        .map((s) => ({ start: utf16ToCodePoint(d.text, s.offset), end: utf16ToCodePoint(d.text, s.offset + s.length), label: s.category }));
      return JSON.stringify({ text: d.text, spans, meta: { location: d.id, ...(d.dataset ? { dataset: d.dataset } : {}) } });
    })
    .join('\n')
    .concat(docs.length ? '\n' : '');
}
