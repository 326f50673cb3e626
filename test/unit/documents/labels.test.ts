import { describe, expect, it } from 'vitest';
import { checkLabels } from '../../../lib/documents/labels.js';

const categories = new Set(['Person', 'Date']);
const text = 'Alice met Bob 😀 on 3 May. ';

describe('checkLabels', () => {
  it('accepts valid labels', () => {
    const r = checkLabels(text, [{ category: 'Person', offset: 0, length: 5 }, { category: 'Person', offset: 10, length: 3 }], { categories });
    expect(r.errors).toEqual([]);
  });

  it('names the offending label for each rule', () => {
    const r = checkLabels(
      text,
      [
        { category: 'Place', offset: 0, length: 5 },
        { category: 'Person', offset: 20, length: 30 },
        { category: 'Person', offset: 0, length: 0 },
        { category: 'Person', offset: 0, length: 501 },
        { category: 'Person', offset: 15, length: 3 },
        { category: 'Person', offset: 10, length: 5 },
      ],
      { categories },
    );
    const byPath = Object.fromEntries(r.errors.map((e) => [e.path, e.message]));
    expect(byPath['labels[0]']).toMatch(/category 'Place' is not in the project's entity schema/);
    expect(byPath['labels[1]']).toMatch(/past the end of the text/);
    expect(byPath['labels[2]']).toMatch(/length must be between 1 and 500/);
    expect(byPath['labels[3]']).toMatch(/length must be between 1 and 500/);
    expect(byPath['labels[4]']).toMatch(/surrogate pair/);
    expect(byPath['labels[5]']).toMatch(/surrogate pair/);
  });

  it('refuses overlapping spans naming both', () => {
    const r = checkLabels(text, [{ category: 'Person', offset: 0, length: 5 }, { category: 'Date', offset: 3, length: 5, id: 'x' }], { categories });
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0].path).toBe('labels[1]');
    expect(r.errors[0].message).toMatch(/Date at offset 3 length 5 .*\(id x\) overlaps label labels\[0\] Person at offset 0 length 5 "Alice"/);
  });

  it('reports leading/trailing whitespace as a warning, not an error', () => {
    const r = checkLabels(text, [{ category: 'Person', offset: 9, length: 4 }], { categories });
    expect(r.errors).toEqual([]);
    expect(r.warnings[0]).toMatchObject({ path: 'labels[0]', message: expect.stringMatching(/whitespace/) });
  });

  it('refuses labels outside every region', () => {
    const r = checkLabels(text, [{ category: 'Person', offset: 10, length: 3 }], { categories, regions: [{ offset: 0, length: 9 }] });
    expect(r.errors[0].message).toMatch(/outside every labelled region/);
  });
});
