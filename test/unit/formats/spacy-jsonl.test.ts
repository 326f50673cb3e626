import { describe, expect, it } from 'vitest';
import { readSpacyJsonl, writeSpacyJsonl } from '../../../lib/ner/formats/spacy-jsonl.js';

describe('spaCy-style JSONL', () => {
  it('reads both span spellings with code point offsets as UTF-16 offsets', () => {
    const r = readSpacyJsonl('{"text":"😀😀 Bob","entities":[[3,6,"Person"]]}\n\n{"text":"Ann","spans":[{"start":0,"end":3,"label":"Person"}],"id":7}\n');
    expect(r.documents).toEqual([
      { id: 'doc_00001.txt', text: '😀😀 Bob', spans: [{ offset: 5, length: 3, category: 'Person' }] },
      { id: '7.txt', text: 'Ann', spans: [{ offset: 0, length: 3, category: 'Person' }] },
    ]);
  });

  it('reports spans that do not fit and names lines that are not objects', () => {
    expect(readSpacyJsonl('{"text":"Bob","spans":[[0,9,"P"]]}').problems).toEqual([
      { id: 'doc_00001.txt', path: 'line 1.spans[0]', reason: expect.stringMatching(/does not fit/) },
    ]);
    expect(() => readSpacyJsonl('{"text":"a"}\nnot json\n')).toThrow(/line 2: not JSON/);
    expect(() => readSpacyJsonl('{"spans":[]}')).toThrow(/line 1/);
  });

  it('writes code point offsets that read back to the same spans', () => {
    const docs = [{ id: 'a.txt', text: 'x 😀 Bob', spans: [{ offset: 5, length: 3, category: 'Person' }], dataset: 'Test' as const }];
    const out = writeSpacyJsonl(docs);
    expect(JSON.parse(out).spans).toEqual([{ start: 4, end: 7, label: 'Person' }]);
    expect(readSpacyJsonl(out).documents).toEqual([{ id: 'a.txt', text: 'x 😀 Bob', spans: docs[0].spans, dataset: 'Test' }]);
  });
});
