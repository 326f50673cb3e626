import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../lib/errors.js';
import { readFileSync } from 'node:fs';
import { prng } from '../../../lib/ner/crf.js';
import {
  ProjectFile,
  parseProjectFile,
  parseProjectFileText,
  parseValidProjectFile,
  serializeProjectFile,
  toLabelledDocuments,
} from '../../../lib/ner/formats/project-file.js';

const TEXT_A = 'Loan from Contoso Bank dated 5 May 2020.';
const TEXT_B = 'Fabrikam lends to Ann.';

function project(): any {
  return {
    projectFileVersion: '2022-05-01',
    stringIndexType: 'Utf16CodeUnit',
    metadata: { projectKind: 'CustomEntityRecognition', projectName: 'Loans', language: 'en-us', storageInputContainerName: 'loans', settings: {} },
    assets: {
      projectKind: 'CustomEntityRecognition',
      entities: [{ category: 'Lender' }, { category: 'Date' }, { category: 'Borrower' }],
      documents: [
        {
          location: 'a.txt',
          language: 'en-us',
          dataset: 'Train',
          entities: [
            { regionOffset: 0, regionLength: TEXT_A.length, labels: [{ category: 'Lender', offset: 10, length: 12 }, { category: 'Date', offset: 29, length: 10 }] },
          ],
        },
        {
          location: 'b.txt',
          dataset: 'Test',
          entities: [{ regionOffset: 0, regionLength: TEXT_B.length, labels: [{ category: 'Lender', offset: 0, length: 8 }, { category: 'Borrower', offset: 18, length: 3 }] }],
        },
      ],
    },
  };
}
const texts = new Map([['a.txt', TEXT_A], ['b.txt', TEXT_B]]);

function validationErrors(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).code).toBe('VALIDATION_FAILED');
    return (e as DomainError).errors;
  }
  throw new Error('expected a validation error');
}

describe('parseProjectFile', () => {
  it('accepts an Azure project file and the older spellings, normalised', () => {
    const old = project();
    delete old.projectFileVersion;
    old['project-file-version'] = '2021-11-01-preview';
    old.metadata.projectKind = 'customNamedEntityRecognition';
    old.assets.projectKind = 'customNamedEntityRecognition';
    const p = parseProjectFile(old);
    expect(p.projectFileVersion).toBe('2021-11-01-preview');
    expect(p).not.toHaveProperty('project-file-version');
    expect(p.metadata.projectKind).toBe('CustomEntityRecognition');
    expect(p.assets.documents[1].language).toBeUndefined();
    expect(parseProjectFile(project()).assets.documents[0].entities[0].labels).toHaveLength(2);
  });

  it('names every offending field', () => {
    const p = project();
    p.stringIndexType = 'UnicodeCodePoint';
    p.assets.projectKind = 'CustomMultiLabelClassification';
    p.assets.documents[0].dataset = 'Dev';
    p.assets.documents[1].entities[0].labels[0].length = 0;
    p.assets.documents[1].entities[0].labels[1].offset = -1;
    p.assets.entities.push({ category: 'A/B' });
    const paths = validationErrors(() => parseProjectFile(p)).map((e) => e.path);
    expect(paths.sort()).toEqual([
      'assets.documents[0].dataset',
      'assets.documents[1].entities[0].labels[0].length',
      'assets.documents[1].entities[0].labels[1].offset',
      'assets.entities[3].category',
      'assets.projectKind',
      'stringIndexType',
    ]);
  });

  it('requires metadata.projectKind to equal assets.projectKind, a version, unique locations and categories', () => {
    const p = project();
    p.metadata.projectKind = 'CustomEntityRecognition';
    p.assets.projectKind = 'customNamedEntityRecognition'; // same kind, older spelling: fine
    expect(() => parseProjectFile(p)).not.toThrow();
    const q = project();
    delete q.projectFileVersion;
    q.assets.documents[1].location = 'a.txt';
    q.assets.entities.push({ category: 'Date' });
    expect(validationErrors(() => parseProjectFile(q))).toEqual([
      { path: 'projectFileVersion', message: 'is required' },
      { path: 'assets.entities[3].category', message: 'duplicate category "Date"' },
      { path: 'assets.documents[1].location', message: 'duplicate location "a.txt"' },
    ]);
  });

  it('rejects text that is not JSON with a VALIDATION_FAILED', () => {
    expect(validationErrors(() => parseProjectFileText('{"projectFileVersion":'))).toEqual([{ path: '(root)', message: 'not JSON' }]);
    expect(parseProjectFileText('\ufeff' + JSON.stringify(project())).metadata.projectName).toBe('Loans');
  });
});

describe('toLabelledDocuments', () => {
  it('splits documents by dataset with their spans and regions', () => {
    const r = toLabelledDocuments(parseProjectFile(project()), texts);
    expect(r.problems).toEqual([]);
    expect(r.train).toEqual([
      {
        id: 'a.txt',
        text: TEXT_A,
        language: 'en-us',
        regions: [{ offset: 0, length: TEXT_A.length }],
        spans: [{ offset: 10, length: 12, category: 'Lender' }, { offset: 29, length: 10, category: 'Date' }],
      },
    ]);
    expect(r.test.map((d) => [d.id, d.language])).toEqual([['b.txt', 'en-us']]); // falls back to the project language
  });

  it('lists every label that does not fit, with document and reason, and keeps the rest', () => {
    const p = project();
    const labels = p.assets.documents[0].entities[0].labels;
    labels.push({ category: 'Date', offset: 35, length: 10 }); // beyond the text
    labels.push({ category: 'Borrower', offset: 15, length: 4 }); // overlaps Contoso Bank
    labels.push({ category: 'Guarantor', offset: 0, length: 4 }); // unknown category
    p.assets.documents[0].entities.push({ regionOffset: 0, regionLength: 4, labels: [{ category: 'Date', offset: 5, length: 4 }] }); // outside region
    p.assets.documents[1].entities[0].regionLength = 99; // region beyond the text
    p.assets.documents.push({ location: 'missing.txt', dataset: 'Train', entities: [] });
    const r = toLabelledDocuments(parseProjectFile(p), texts);
    expect(r.problems).toEqual([
      { location: 'a.txt', path: 'assets.documents[0].entities[0].labels[2]', reason: 'label 35..45 ends beyond the text (length 40)' },
      { location: 'a.txt', path: 'assets.documents[0].entities[0].labels[4]', reason: 'unknown category "Guarantor"' },
      { location: 'a.txt', path: 'assets.documents[0].entities[1].labels[0]', reason: 'label 5..9 is outside its region 0..4' },
      {
        location: 'a.txt',
        path: 'assets.documents[0].entities[0].labels[3]',
        reason: 'label 15..19 (Borrower) overlaps label 10..22 (Lender) at assets.documents[0].entities[0].labels[0]',
      },
      { location: 'b.txt', path: 'assets.documents[1].entities[0]', reason: 'region 0..99 ends beyond the text (length 22)' },
      { location: 'missing.txt', path: 'assets.documents[2].location', reason: 'document text not found' },
    ]);
    expect(r.train[0].spans).toEqual([{ offset: 10, length: 12, category: 'Lender' }, { offset: 29, length: 10, category: 'Date' }]);
    // b's labels are still inside the text, so they are kept; its bad region is not.
    expect(r.test[0].spans).toHaveLength(2);
    expect(r.test[0].regions).toEqual([]);
  });

  it('measures offsets in UTF-16 code units', () => {
    const text = '😀 Ann 😀 Bob';
    const p = project();
    p.assets.documents = [{ location: 'e.txt', dataset: 'Train', entities: [{ regionOffset: 0, regionLength: text.length, labels: [{ category: 'Borrower', offset: 10, length: 3 }] }] }]; // ends at 13 = text.length in UTF-16 (11 code points)
    const r = toLabelledDocuments(parseProjectFile(p), new Map([['e.txt', text]]));
    expect(r.problems).toEqual([]);
    const s = r.train[0].spans[0];
    expect(text.slice(s.offset, s.offset + s.length)).toBe('Bob');
  });

  it('puts documents without a dataset in unassigned', () => {
    const p = project();
    delete p.assets.documents[1].dataset;
    expect(toLabelledDocuments(parseProjectFile(p), texts).unassigned.map((d) => d.id)).toEqual(['b.txt']);
  });
});

describe('serializeProjectFile', () => {
  it('writes a project file that reads back to the same documents', () => {
    const file = serializeProjectFile({
      projectName: 'Loans',
      language: 'en-us',
      description: 'loan agreements',
      entities: [{ category: 'Lender' }, { category: 'Date', description: 'any date' }, { category: 'Borrower' }],
      documents: [
        { location: 'a.txt', language: 'en-us', dataset: 'Train', text: TEXT_A, labels: [{ offset: 29, length: 10, category: 'Date' }, { offset: 10, length: 12, category: 'Lender' }] },
        { location: 'b.txt', dataset: 'Test', regions: [{ offset: 0, length: 8 }, { offset: 9, length: 13 }], labels: [{ offset: 18, length: 3, category: 'Borrower' }, { offset: 0, length: 8, category: 'Lender' }] },
        { location: 'c.txt', dataset: null, text: 'x', labels: [] },
      ],
    });
    expect(file.projectFileVersion).toBe('2022-05-01');
    expect(file.metadata).toMatchObject({ projectKind: 'CustomEntityRecognition', projectName: 'Loans', storageInputContainerName: 'loans', description: 'loan agreements' });
    expect(file.assets.documents[1]).toEqual({
      location: 'b.txt',
      dataset: 'Test',
      entities: [
        { regionOffset: 0, regionLength: 8, labels: [{ category: 'Lender', offset: 0, length: 8 }] },
        { regionOffset: 9, regionLength: 13, labels: [{ category: 'Borrower', offset: 18, length: 3 }] },
      ],
    });
    expect(file.assets.documents[2]).not.toHaveProperty('dataset');
    const back = toLabelledDocuments(parseProjectFile(JSON.parse(JSON.stringify(file))), new Map([...texts, ['c.txt', 'x']]));
    expect(back.problems).toEqual([]);
    expect(back.train[0].spans).toEqual([{ offset: 10, length: 12, category: 'Lender' }, { offset: 29, length: 10, category: 'Date' }]);
    expect(back.unassigned.map((d) => d.id)).toEqual(['c.txt']);
  });

  it('refuses a label that lies in no region, or a document with neither text nor regions', () => {
    const errors = validationErrors(() =>
      serializeProjectFile({
        projectName: 'P',
        language: 'en',
        entities: [{ category: 'X' }],
        documents: [
          { location: 'a.txt', regions: [{ offset: 0, length: 3 }], labels: [{ offset: 2, length: 3, category: 'X' }] },
          { location: 'b.txt', labels: [] },
        ],
      }),
    );
    expect(errors).toEqual([
      { path: 'documents[0].labels', message: 'label 2..5 lies in no region' },
      { path: 'documents[1]', message: 'needs text or regions' },
    ]);
  });
});

describe('parseValidProjectFile (the hand-written path for valid files)', () => {
  /** Same value as zod's, with the same keys in the same order (undefined-valued keys included). */
  const expectSameAsZod = (json: unknown) => {
    const z = ProjectFile.safeParse(json);
    const fast = parseValidProjectFile(json);
    expect(z.success).toBe(true);
    expect(fast).toStrictEqual(z.data);
    expect(JSON.stringify(fast)).toBe(JSON.stringify(z.data));
    const keys = (v: unknown): unknown => (v && typeof v === 'object' ? Object.entries(v).map(([k, x]) => [k, keys(x)]) : null);
    expect(keys(fast)).toEqual(keys(z.data));
  };

  it('gives zod\'s value for valid files, in every spelling zod accepts', () => {
    expectSameAsZod(project());
    const legacy = project();
    delete legacy.projectFileVersion;
    legacy['project-file-version'] = '2021-11-01';
    delete legacy.stringIndexType;
    legacy.metadata.projectKind = 'customNamedEntityRecognition';
    legacy.assets.documents[0].dataset = null;
    delete legacy.assets.documents[1].dataset;
    delete legacy.assets.documents[1].entities[0].labels;
    legacy.extra = { kept: true };
    legacy.metadata.other = [1];
    legacy.metadata.settings = { a: 1, b: { c: 2 } };
    legacy.assets.entities[0].description = 'who lends';
    legacy.assets.entities[1].color = 'red';
    legacy.assets.documents[0].unknown = 'dropped';
    legacy.assets.unknown = 'dropped';
    expectSameAsZod(legacy);
    const both = project();
    both['project-file-version'] = 'x';
    both.first = 1;
    expectSameAsZod(both);
    const empty = project();
    delete empty.assets.entities;
    delete empty.assets.documents;
    expectSameAsZod(empty);
    expectSameAsZod(JSON.parse(readFileSync(new URL('../../fixtures/ner-cli/project.json', import.meta.url), 'utf8')));
  });

  it('leaves objects JSON cannot make to zod', () => {
    for (const settings of [new Map(), new Date(0), { [Symbol('s')]: 1 }]) {
      const json = project();
      json.metadata.settings = settings;
      expect(parseValidProjectFile(json)).toBeUndefined();
    }
    const json = project();
    json[Symbol('top')] = 1;
    expect(parseValidProjectFile(json)).toBeUndefined();
    const withClass = project();
    withClass.assets.documents[0].entities[0].labels[0] = Object.assign(Object.create({ inherited: true }), { category: 'Lender', offset: 10, length: 12 });
    expect(parseValidProjectFile(withClass)).toBeUndefined();
  });

  it('never accepts what zod rejects, and on 3,000 mutated files gives up only on __proto__ keys and undefined values', () => {
    const hasUndefined = (v: unknown): boolean => v === undefined || (typeof v === 'object' && v !== null && Object.values(v).some(hasUndefined));
    const rand = prng(7);
    const pick = <T>(a: readonly T[]): T => a[Math.floor(rand() * a.length)];
    const values = [undefined, null, -1, 0, 1, 1.5, 2 ** 53, '', 'x', 'Train', 'Test', 'a/b', 'y'.repeat(51), 'Lender', 'a.txt', true, [], {}, [{}]];
    /** Every (container, key) of a value, the root's pseudo-parent included. */
    const slots = (v: any, out: Array<[any, string | number]> = []): Array<[any, string | number]> => {
      if (v && typeof v === 'object') for (const k of Object.keys(v)) { out.push([v, Array.isArray(v) ? Number(k) : k]); slots(v[k], out); }
      return out;
    };
    let accepted = 0;
    let rejected = 0;
    for (let i = 0; i < 3000; i++) {
      const json = project();
      for (let m = 1 + Math.floor(rand() * 2); m > 0; m--) {
        const [obj, key] = pick(slots(json));
        const what = rand();
        if (what < 0.3) {
          if (Array.isArray(obj)) obj.splice(key as number, 1);
          else delete obj[key];
        } else if (what < 0.8) obj[key] = pick(values);
        else if (what < 0.9 && Array.isArray(obj)) obj.push(structuredClone(obj[key as number]));
        else if (!Array.isArray(obj)) Object.defineProperty(obj, pick(['extra', '__proto__', 'location', 'category']), { value: pick(values), enumerable: true, configurable: true, writable: true });
      }
      const z = ProjectFile.safeParse(json);
      const fast = parseValidProjectFile(json);
      if (fast !== undefined) {
        expect(z.success).toBe(true);
        expect(fast).toStrictEqual(z.data);
        expect(JSON.stringify(fast)).toBe(JSON.stringify(z.data));
        accepted++;
      } else {
        // what it leaves to zod although valid: a key named __proto__, or a value JSON cannot hold (undefined)
        if (z.success) expect(JSON.stringify(json).includes('"__proto__"') || hasUndefined(json)).toBe(true);
        rejected++;
      }
    }
    // both ways are exercised
    expect(accepted).toBeGreaterThan(300);
    expect(rejected).toBeGreaterThan(300);
  });
});
