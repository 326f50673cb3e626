// AWS Comprehend custom entity formats: annotations CSV (`File, Line, Begin Offset, End Offset, Type`) and entity lists.
import { DomainError, type FieldError } from '../../errors.js';
import type { GazetteerEntry, LabelledDocument, Span } from '../types.js';
import { parseCsv, serializeCsv } from './csv.js';

/** One annotation row; `line` is 0-based and the offsets count from the start of that line (AWS ONE_DOC_PER_FILE). */
export interface AwsAnnotation {
  file: string;
  line: number;
  begin: number;
  end: number;
  type: string;
  /** 1-based CSV row, for messages. */
  row: number;
}

const header = (cells: string[]) => cells.map((c) => c.trim().toLowerCase().replace(/\s+/g, ' '));

const invalid = (errors: FieldError[], what: string) =>
  new DomainError('VALIDATION_FAILED', `invalid ${what}: ${errors.slice(0, 5).map((e) => `${e.path}: ${e.message}`).join('; ')}`, {
    errors,
    innerCode: 'InvalidRequestBodyFormat',
  });

/**
 * Reads an annotations CSV. The header names the columns (any order, case-insensitive). Offsets are Comprehend's:
 * `Begin Offset` inclusive, `End Offset` exclusive, within line `Line` (0-based) of `File`.
 * @throws DomainError VALIDATION_FAILED naming the row of a malformed line.
 */
export function readAwsAnnotations(csv: string): AwsAnnotation[] {
  const rows = parseCsv(csv);
  if (rows.length === 0) throw invalid([{ path: 'row 1', message: 'empty file' }], 'annotations CSV');
  const h = header(rows[0]);
  const col = (name: string) => h.indexOf(name);
  const [f, l, b, e, t] = ['file', 'line', 'begin offset', 'end offset', 'type'].map(col);
  if ([f, l, b, e, t].some((i) => i < 0))
    throw invalid([{ path: 'row 1', message: 'header must be File, Line, Begin Offset, End Offset, Type' }], 'annotations CSV');
  const errors: FieldError[] = [];
  const out: AwsAnnotation[] = [];
  rows.slice(1).forEach((r, i) => {
    const row = i + 2;
    const nums = [r[l], r[b], r[e]].map((x) => (x !== undefined && /^\s*\d+\s*$/.test(x) ? Number(x) : NaN));
    const file = (r[f] ?? '').trim();
    const type = (r[t] ?? '').trim();
    if (!file || !type || nums.some((n) => Number.isNaN(n))) {
      errors.push({ path: `row ${row}`, message: 'needs File, Type and non-negative integer Line, Begin Offset, End Offset' });
      return;
    }
    if (nums[2] <= nums[1]) {
      errors.push({ path: `row ${row}`, message: 'End Offset must be greater than Begin Offset' });
      return;
    }
    out.push({ file, line: nums[0], begin: nums[1], end: nums[2], type, row });
  });
  if (errors.length > 0) throw invalid(errors, 'annotations CSV');
  return out;
}

/** Start offset of each line of a text (lines end at `\n`; a `\r` before it belongs to the line). */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return starts;
}

/** An annotation as a document span, or the reason it does not fit the text. */
export function annotationToSpan(text: string, a: AwsAnnotation): { span: Span } | { reason: string } {
  const starts = lineStarts(text);
  if (a.line >= starts.length) return { reason: `line ${a.line} does not exist (the text has ${starts.length} lines)` };
  const lineEnd = a.line + 1 < starts.length ? starts[a.line + 1] - 1 : text.length;
  const offset = starts[a.line] + a.begin;
  const end = starts[a.line] + a.end;
  if (end > lineEnd) return { reason: `offsets ${a.begin}..${a.end} run past the end of line ${a.line}` };
  return { span: { offset, length: end - offset, category: a.type } };
}

/** Documents → annotations CSV, offsets relative to each span's line (a span crossing a line break is reported). */
export function writeAwsAnnotations(docs: readonly LabelledDocument[]): { csv: string; problems: Array<{ id: string; span: Span; reason: string }> } {
  const rows: Array<Array<string | number>> = [['File', 'Line', 'Begin Offset', 'End Offset', 'Type']];
  const problems: Array<{ id: string; span: Span; reason: string }> = [];
  for (const d of docs) {
    const starts = lineStarts(d.text);
    for (const s of [...d.spans].sort((a, b) => a.offset - b.offset)) {
      let line = 0;
      while (line + 1 < starts.length && starts[line + 1] <= s.offset) line++;
      const end = s.offset + s.length;
      if (line + 1 < starts.length && end > starts[line + 1] - 1) {
        problems.push({ id: d.id, span: s, reason: 'crosses a line break, which the annotations format cannot express' });
        continue;
      }
      rows.push([d.id, line, s.offset - starts[line], end - starts[line], s.category]);
    }
  }
  return { csv: serializeCsv(rows), problems };
}

/** Reads an entity list CSV (`Text, Type` header). */
export function readAwsEntityList(csv: string): GazetteerEntry[] {
  const rows = parseCsv(csv);
  if (rows.length === 0) throw invalid([{ path: 'row 1', message: 'empty file' }], 'entity list CSV');
  const h = header(rows[0]);
  const [ti, ty] = [h.indexOf('text'), h.indexOf('type')];
  if (ti < 0 || ty < 0) throw invalid([{ path: 'row 1', message: 'header must be Text, Type' }], 'entity list CSV');
  const errors: FieldError[] = [];
  const out: GazetteerEntry[] = [];
  rows.slice(1).forEach((r, i) => {
    const text = r[ti] ?? '';
    const category = (r[ty] ?? '').trim();
    if (!text.trim() || !category) errors.push({ path: `row ${i + 2}`, message: 'needs Text and Type' });
    else out.push({ text, category });
  });
  if (errors.length > 0) throw invalid(errors, 'entity list CSV');
  return out;
}

/** Entity list CSV of the distinct (text, type) pairs, in first-seen order. */
export function writeAwsEntityList(entries: readonly GazetteerEntry[]): string {
  const seen = new Set<string>();
  const rows: string[][] = [['Text', 'Type']];
  for (const e of entries) {
    const k = `${e.category}\u0000${e.text}`;
    if (seen.has(k)) continue;
    seen.add(k);
    rows.push([e.text, e.category]);
  }
  return serializeCsv(rows);
}
