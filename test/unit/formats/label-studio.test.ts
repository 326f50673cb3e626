import { describe, expect, it } from 'vitest';
import { readLabelStudio, writeLabelStudio } from '../../../lib/ner/formats/label-studio.js';

const task = (start: number, end: number, text?: string) => ({
  id: 3,
  data: { text: 'Hi 😀 Carol and Dan' },
  annotations: [
    { was_cancelled: true, result: [] },
    { result: [{ from_name: 'label', to_name: 'text', type: 'labels', value: { start, end, ...(text ? { text } : {}), labels: ['Person'] } }, { type: 'relation', from_id: 'a', to_id: 'b' }] },
  ],
});

describe('Label Studio JSON', () => {
  it('reads code point offsets (current Label Studio) and UTF-16 ones (older exports) using value.text', () => {
    expect(readLabelStudio([task(5, 10, 'Carol')]).documents[0]).toEqual({ id: 'task_3.txt', text: 'Hi 😀 Carol and Dan', spans: [{ offset: 6, length: 5, category: 'Person' }] });
    expect(readLabelStudio([task(6, 11, 'Carol')]).documents[0].spans).toEqual([{ offset: 6, length: 5, category: 'Person' }]);
    expect(readLabelStudio([task(5, 10)]).documents[0].spans).toEqual([{ offset: 6, length: 5, category: 'Person' }]);
  });

  it('reports results that match the text under neither reading', () => {
    const r = readLabelStudio([task(0, 2, 'Carol')]);
    expect(r.documents[0].spans).toEqual([]);
    expect(r.problems).toEqual([{ id: 'task_3.txt', path: '[0].result[0]', reason: expect.stringMatching(/does not match/) }]);
    expect(() => readLabelStudio([{ data: {} }])).toThrow(/\[0\]\.data\.text/);
  });

  it('writes tasks that read back to the same documents', () => {
    const docs = [{ id: 'a.txt', text: 'Hi 😀 Carol', spans: [{ offset: 6, length: 5, category: 'Person' }] }];
    const out = writeLabelStudio(docs) as Array<{ annotations: Array<{ result: Array<{ value: unknown }> }> }>;
    expect(out[0].annotations[0].result[0].value).toEqual({ start: 5, end: 10, text: 'Carol', labels: ['Person'] });
    expect(readLabelStudio(out).documents).toEqual(docs);
  });
});
