// Label Studio JSON export/import: tasks `{data:{text}, annotations|predictions:[{result:[{value:{start,end,text,labels}}]}]}`.
import { z } from 'zod';
import { DomainError } from '../../errors.js';
import type { LabelledDocument, Span } from '../types.js';
import { codePointToUtf16Table, utf16ToCodePoint } from './offsets.js';

const Result = z.looseObject({
  type: z.string().optional(),
  from_name: z.string().optional(),
  to_name: z.string().optional(),
  value: z.looseObject({
    start: z.number().int().min(0),
    end: z.number().int().min(0),
    text: z.string().optional(),
    labels: z.array(z.string().min(1)).min(1).optional(),
    hypertextlabels: z.array(z.string()).optional(),
  }),
});
const Annotation = z.looseObject({ result: z.array(z.unknown()).default([]), was_cancelled: z.boolean().optional() });
const Task = z.looseObject({
  id: z.union([z.string(), z.number()]).optional(),
  data: z.looseObject({ text: z.string(), location: z.string().optional(), dataset: z.string().optional() }),
  annotations: z.array(Annotation).optional(),
  predictions: z.array(Annotation).optional(),
});
const Tasks = z.array(Task);

export interface LabelStudioDocument extends LabelledDocument {
  dataset?: 'Train' | 'Test';
}

export interface LabelStudioReadResult {
  documents: LabelStudioDocument[];
  problems: Array<{ id: string; path: string; reason: string }>;
}

/**
 * Reads a Label Studio JSON export (an array of tasks, or one task). Uses the first non-cancelled annotation, else
 * the first prediction. Offsets are read as code points (what Label Studio stores); when `value.text` matches only
 * under UTF-16 code unit offsets (older exports), those are used. Results that fit neither are reported.
 */
export function readLabelStudio(json: unknown, opts: { prefix?: string } = {}): LabelStudioReadResult {
  const r = Tasks.safeParse(Array.isArray(json) ? json : [json]);
  if (!r.success) {
    const errors = r.error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') || '(root)', message: i.message }));
    throw new DomainError('VALIDATION_FAILED', `invalid Label Studio JSON: ${errors.slice(0, 5).map((e) => `${e.path}: ${e.message}`).join('; ')}`, {
      errors,
      innerCode: 'InvalidRequestBodyFormat',
    });
  }
  const documents: LabelStudioDocument[] = [];
  const problems: LabelStudioReadResult['problems'] = [];
  r.data.forEach((task, ti) => {
    const text = task.data.text;
    const named = task.data.location ?? (task.id !== undefined ? `task_${task.id}` : `${opts.prefix ?? 'task'}_${String(ti + 1).padStart(5, '0')}`);
    const id = /\.txt$/i.test(named) ? named : `${named}.txt`;
    const source = (task.annotations ?? []).find((a) => !a.was_cancelled) ?? (task.predictions ?? [])[0];
    const spans: Span[] = [];
    let table: number[] | undefined;
    (source?.result ?? []).forEach((raw, ri) => {
      const parsed = Result.safeParse(raw);
      const path = `[${ti}].result[${ri}]`;
      if (!parsed.success || !parsed.data.value.labels) return; // relations, choices, textareas: not spans
      const { start, end, labels, text: said } = parsed.data.value;
      // Label Studio stores code point offsets (since its 2022 emoji fix); older exports used UTF-16 code units.
      // `value.text` tells them apart when the two differ.
      table ??= codePointToUtf16Table(text);
      const cp = end > start && end < table.length ? { offset: table[start], length: table[end] - table[start] } : undefined;
      const u16 = end > start && end <= text.length ? { offset: start, length: end - start } : undefined;
      const matches = (c?: { offset: number; length: number }) => !!c && (said === undefined || text.slice(c.offset, c.offset + c.length) === said);
      const chosen = matches(cp) ? cp : said !== undefined && matches(u16) ? u16 : undefined;
      if (!chosen) {
        problems.push({ id, path, reason: `span ${start}..${end}${said !== undefined ? ` ("${said}")` : ''} does not match the text` });
        return;
      }
      const { offset, length } = chosen;
      if (labels.length > 1) problems.push({ id, path, reason: `several labels (${labels.join(', ')}); the first is used` });
      spans.push({ offset, length, category: labels[0] });
    });
    const dataset = task.data.dataset === 'Train' || task.data.dataset === 'Test' ? task.data.dataset : undefined;
    documents.push({ id, text, spans, ...(dataset ? { dataset } : {}) });
  });
  return { documents, problems };
}

/** Documents → Label Studio tasks with one annotation each (code point offsets as Label Studio stores them, plus `value.text`). */
export function writeLabelStudio(docs: ReadonlyArray<LabelledDocument & { dataset?: 'Train' | 'Test' | null }>): unknown[] {
  return docs.map((d, i) => ({
    id: i + 1,
    data: { text: d.text, location: d.id, ...(d.dataset ? { dataset: d.dataset } : {}) },
    annotations: [
      {
        result: [...d.spans]
          .sort((a, b) => a.offset - b.offset)
          .map((s, k) => ({
            id: `s${k + 1}`,
            from_name: 'label',
            to_name: 'text',
            type: 'labels',
            value: {
              start: utf16ToCodePoint(d.text, s.offset),
              end: utf16ToCodePoint(d.text, s.offset + s.length),
              text: d.text.slice(s.offset, s.offset + s.length),
              labels: [s.category],
            },
          })),
      },
    ],
  }));
}

