import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../lib/errors.js';
import { bioToDocuments, documentsToBio, readBio, serializeBio, toIob2 } from '../../../lib/ner/formats/bio.js';

describe('readBio', () => {
  it('reads token<TAB>tag sentences separated by blank lines, with CRLF and a tab-only separator line', () => {
    const r = readBio('EU\tB-ORG\r\nrejects\tO\r\n\r\nPeter\tB-PER\nBlackburn\tI-PER\n\t\n\nBRUSSELS\tB-LOC\n');
    expect(r.sentences).toEqual([
      { tokens: ['EU', 'rejects'], tags: ['B-ORG', 'O'] },
      { tokens: ['Peter', 'Blackburn'], tags: ['B-PER', 'I-PER'] },
      { tokens: ['BRUSSELS'], tags: ['B-LOC'] },
    ]);
    expect(r.repaired).toBe(0);
  });

  it('normalises IOB1 and BIOES to IOB2 and counts the repairs', () => {
    const iob1 = readBio('U.N.\tI-ORG\nofficial\tO\nEkeus\tI-PER\nheads\tO\n');
    expect(iob1.sentences[0].tags).toEqual(['B-ORG', 'O', 'B-PER', 'O']);
    expect(iob1.repaired).toBe(2);
    const bioes = readBio('New\tB-LOC\nYork\tE-LOC\nis\tO\nbig\tO\nParis\tS-LOC\n');
    expect(bioes.sentences[0].tags).toEqual(['B-LOC', 'I-LOC', 'O', 'O', 'B-LOC']);
    // an I- of another type starts a new chunk (conlleval)
    expect(toIob2(['B-PER', 'I-LOC'])).toEqual({ tags: ['B-PER', 'B-LOC'], repaired: 1 });
  });

  it('reads space-separated CoNLL columns (first and last) and skips -DOCSTART-', () => {
    const r = readBio('-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n');
    expect(r.sentences).toEqual([{ tokens: ['EU', 'rejects'], tags: ['B-ORG', 'O'] }]);
  });

  it('names the line of a malformed entry', () => {
    for (const [text, message] of [
      ['EU\tB-ORG\nrejects\n', 'line 2: expected "token<TAB>tag", got "rejects"'],
      ['EU\tB-ORG\n\nfoo\tO\nbar\tB_ORG\n', 'line 4: bad tag "B_ORG"'],
    ]) {
      try {
        readBio(text);
        throw new Error('expected failure');
      } catch (e) {
        expect(e).toBeInstanceOf(DomainError);
        expect((e as DomainError).message).toContain(message);
        expect((e as DomainError).errors[0].path).toBe(message.split(':')[0]);
      }
    }
  });

  it('round-trips through serializeBio', () => {
    const sentences = [
      { tokens: ['a', 'b'], tags: ['B-X', 'I-X'] },
      { tokens: ['c'], tags: ['O'] },
    ];
    const text = serializeBio(sentences);
    expect(text).toBe('a\tB-X\nb\tI-X\n\nc\tO\n\n');
    expect(readBio(text).sentences).toEqual(sentences);
  });
});

describe('bioToDocuments', () => {
  const sentences = [
    { tokens: ['Alice', 'met', 'Bob', 'Jones'], tags: ['B-PER', 'O', 'B-PER', 'I-PER'] },
    { tokens: ['in', 'Paris'], tags: ['O', 'B-LOC'] },
    { tokens: ['😀', 'Rome'], tags: ['O', 'B-LOC'] },
  ];

  it('joins tokens by spaces and sentences by newlines, N sentences per document, exact UTF-16 spans', () => {
    const docs = bioToDocuments(sentences, { sentencesPerDocument: 2, idPrefix: 'test' });
    expect(docs.map((d) => d.id)).toEqual(['test_00001.txt', 'test_00002.txt']);
    expect(docs[0].text).toBe('Alice met Bob Jones\nin Paris');
    const surface = (i: number) => docs[i].spans.map((s) => [docs[i].text.slice(s.offset, s.offset + s.length), s.category]);
    expect(surface(0)).toEqual([['Alice', 'PER'], ['Bob Jones', 'PER'], ['Paris', 'LOC']]);
    expect(docs[1].spans).toEqual([{ offset: 3, length: 4, category: 'LOC' }]);
    expect(bioToDocuments(sentences)).toHaveLength(1);
  });

  it('comes back to the same sentences through documentsToBio', () => {
    const docs = bioToDocuments(sentences, { sentencesPerDocument: 2 });
    expect(documentsToBio(docs)).toEqual({ sentences, problems: [] });
  });
});

describe('documentsToBio', () => {
  it('tags tokens with a custom tokenizer and reports labels whose edge falls inside a token', () => {
    const doc = { id: 'd', text: 'Visit New-York now.\nOK', spans: [{ offset: 6, length: 3, category: 'LOC' }, { offset: 20, length: 0, category: 'X' }] };
    const r = documentsToBio([doc]);
    expect(r.sentences).toEqual([
      { tokens: ['Visit', 'New-York', 'now.'], tags: ['O', 'B-LOC', 'O'] },
      { tokens: ['OK'], tags: ['O'] },
    ]);
    expect(r.problems).toEqual([
      { id: 'd', span: doc.spans[0], reason: 'label edge falls inside token "New-York"' },
      { id: 'd', span: doc.spans[1], reason: 'covers no token' },
    ]);
    const words = (t: string) => [...t.matchAll(/\w+|[^\w\s]/g)].map((m) => ({ offset: m.index, length: m[0].length }));
    expect(documentsToBio([doc], words).sentences[0]).toEqual({
      tokens: ['Visit', 'New', '-', 'York', 'now', '.'],
      tags: ['O', 'B-LOC', 'O', 'O', 'O', 'O'],
    });
  });
});
