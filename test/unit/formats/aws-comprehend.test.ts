import { describe, expect, it } from 'vitest';
import { annotationToSpan, readAwsAnnotations, readAwsEntityList, writeAwsAnnotations, writeAwsEntityList } from '../../../lib/ner/formats/aws-comprehend.js';
import { parseCsv } from '../../../lib/ner/formats/csv.js';

describe('AWS Comprehend annotations CSV', () => {
  it('reads rows in any column order and turns Line-relative offsets into document offsets', () => {
    const rows = readAwsAnnotations('\uFEFFType,File,Line,Begin Offset,End Offset\r\nPerson,a.txt,1,0,5\r\n');
    expect(rows).toEqual([{ file: 'a.txt', line: 1, begin: 0, end: 5, type: 'Person', row: 2 }]);
    const text = 'First line.\nAlice met Bob.';
    expect(annotationToSpan(text, rows[0])).toEqual({ span: { offset: 12, length: 5, category: 'Person' } });
    expect(annotationToSpan(text, { ...rows[0], line: 5 })).toMatchObject({ reason: expect.stringMatching(/line 5 does not exist/) });
    expect(annotationToSpan(text, { ...rows[0], begin: 10, end: 20 })).toMatchObject({ reason: expect.stringMatching(/past the end of line 1/) });
  });

  it('names the row of a malformed line and a bad header', () => {
    expect(() => readAwsAnnotations('File,Line,Begin Offset,End Offset,Type\na.txt,x,0,5,Person\n')).toThrow(/row 2/);
    expect(() => readAwsAnnotations('File,Line,Begin Offset,End Offset,Type\na.txt,0,5,5,Person\n')).toThrow(/End Offset must be greater/);
    expect(() => readAwsAnnotations('Name,Kind\n')).toThrow(/header/);
  });

  it('writes Line-relative offsets and reports spans crossing a line break', () => {
    const r = writeAwsAnnotations([
      { id: 'a.txt', text: 'x\nAlice met Bob.', spans: [{ offset: 2, length: 5, category: 'Person' }, { offset: 0, length: 4, category: 'Person' }] },
    ]);
    expect(r.csv).toBe('File,Line,Begin Offset,End Offset,Type\na.txt,1,0,5,Person\n');
    expect(r.problems).toEqual([expect.objectContaining({ reason: expect.stringMatching(/line break/) })]);
  });
});

describe('AWS entity list CSV', () => {
  it('round-trips quoted texts with commas and quotes', () => {
    const entries = [{ text: 'Contoso, Ltd.', category: 'Org' }, { text: 'Bob "the builder"', category: 'Person' }, { text: 'Contoso, Ltd.', category: 'Org' }];
    const csv = writeAwsEntityList(entries);
    expect(csv).toBe('Text,Type\n"Contoso, Ltd.",Org\n"Bob ""the builder""",Person\n');
    expect(readAwsEntityList(csv)).toEqual(entries.slice(0, 2));
  });

  it('parses CSV edge cases: embedded newlines, empty fields, CRLF', () => {
    expect(parseCsv('a,"b\nc",\r\n"",x\n')).toEqual([['a', 'b\nc', ''], ['', 'x']]);
  });
});
