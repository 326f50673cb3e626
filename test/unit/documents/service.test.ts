import { describe, expect, it } from 'vitest';
import {
  documentsDelete,
  documentsGet,
  documentsList,
  documentsPatch,
  documentsPut,
  entitiesRename,
  labelsAdd,
  labelsDelete,
  labelsGet,
  labelsPut,
  projectStatistics,
  suggestionsAccept,
  suggestionsGenerate,
  suggestionsReject,
} from '../../../lib/documents/service.js';
import { projectDeps } from './helpers.js';

const code = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return (e as { code: string }).code;
  }
};

describe('documents', () => {
  it('PUT writes the blob too, so storage and API agree; GET returns text, labels, dataset and an ETag', async () => {
    const { deps, projectName, container } = await projectDeps();
    const put = await documentsPut(deps, projectName, 'd/01.txt', {
      text: 'Alice met Bob.',
      dataset: 'Train',
      labels: [{ category: 'Person', offset: 0, length: 5 }],
    });
    expect(put.created).toBe(true);
    const blob = await deps.blobs.get(container, 'd/01.txt');
    expect(new TextDecoder().decode(blob!.bytes)).toBe('Alice met Bob.');
    const got = await documentsGet(deps, projectName, 'd/01.txt');
    expect(got.document).toMatchObject({ text: 'Alice met Bob.', dataset: 'Train', labels: [{ category: 'Person', offset: 0, length: 5 }] });
    expect(got.etag).toBe(put.etag);
  });

  it('PUT refuses labels that break a rule and texts that could never be a document', async () => {
    const { deps, projectName } = await projectDeps();
    await expect(documentsPut(deps, projectName, '01.txt', { text: 'Alice', labels: [{ category: 'Nope', offset: 0, length: 5 }] })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ path: 'labels[0]', message: expect.stringMatching(/'Nope'/) }],
    });
    expect(await code(documentsPut(deps, projectName, '01.txt', { text: '' }))).toBe('VALIDATION_FAILED');
    expect(await code(documentsPut(deps, projectName, '01.pdf', { text: 'x' }))).toBe('VALIDATION_FAILED');
    expect(await code(documentsPut(deps, projectName, '../01.txt', { text: 'x' }))).toBe('VALIDATION_FAILED');
    expect(await code(documentsPut(deps, 'NoSuchProject', '01.txt', { text: 'x' }))).toBe('NOT_FOUND');
  });

  it('lists with filters on dataset, labelled and status', async () => {
    const { deps, projectName } = await projectDeps();
    await documentsPut(deps, projectName, 'a.txt', { text: 'Alice', dataset: 'Train', labels: [{ category: 'Person', offset: 0, length: 5 }] });
    await documentsPut(deps, projectName, 'b.txt', { text: 'Bob', dataset: 'Test' });
    await documentsPut(deps, projectName, 'c.txt', { text: 'Carol' });
    const names = async (q: Parameters<typeof documentsList>[2]) => (await documentsList(deps, projectName, q)).map((d) => d.location);
    expect(await names({})).toEqual(['a.txt', 'b.txt', 'c.txt']);
    expect(await names({ dataset: 'Train' })).toEqual(['a.txt']);
    expect(await names({ dataset: 'unassigned' })).toEqual(['c.txt']);
    expect(await names({ labelled: 'true' })).toEqual(['a.txt']);
    expect(await names({ labelled: 'false' })).toEqual(['b.txt', 'c.txt']);
    expect(await names({ status: 'ready' })).toHaveLength(3);
  });

  it('PATCH sets the dataset; DELETE removes document and blob and counts labels', async () => {
    const { deps, projectName, container } = await projectDeps();
    await documentsPut(deps, projectName, 'a.txt', { text: 'Alice', labels: [{ category: 'Person', offset: 0, length: 5 }] });
    expect((await documentsPatch(deps, projectName, 'a.txt', { dataset: 'Test' })).document.dataset).toBe('Test');
    expect((await documentsPatch(deps, projectName, 'a.txt', { dataset: null })).document.dataset).toBe(null);
    expect(await documentsDelete(deps, projectName, 'a.txt')).toEqual({ labelsRemoved: 1 });
    expect(await deps.blobs.get(container, 'a.txt')).toBeUndefined();
    expect(await code(documentsGet(deps, projectName, 'a.txt'))).toBe('NOT_FOUND');
  });
});

describe('labels', () => {
  it('PUT needs If-Match (428 without) and refuses a stale one (412): no update is lost', async () => {
    const { deps, projectName } = await projectDeps();
    await documentsPut(deps, projectName, 'a.txt', { text: 'Alice met Bob.' });
    const { etag } = await labelsGet(deps, projectName, 'a.txt');
    expect(await code(labelsPut(deps, projectName, 'a.txt', [], undefined))).toBe('PRECONDITION_REQUIRED');
    const first = await labelsPut(deps, projectName, 'a.txt', [{ category: 'Person', offset: 0, length: 5 }], etag);
    expect(await code(labelsPut(deps, projectName, 'a.txt', [{ category: 'Person', offset: 10, length: 3 }], etag))).toBe('PRECONDITION_FAILED');
    expect((await labelsGet(deps, projectName, 'a.txt')).labels).toEqual(first.labels);
  });

  it('two concurrent editors with the same ETag: exactly one wins', async () => {
    const { deps, projectName } = await projectDeps();
    await documentsPut(deps, projectName, 'a.txt', { text: 'Alice met Bob.' });
    const { etag } = await labelsGet(deps, projectName, 'a.txt');
    const results = await Promise.all([
      code(labelsPut(deps, projectName, 'a.txt', [{ category: 'Person', offset: 0, length: 5 }], etag)),
      code(labelsPut(deps, projectName, 'a.txt', [{ category: 'Person', offset: 10, length: 3 }], etag)),
    ]);
    expect(results.sort()).toEqual(['PRECONDITION_FAILED', 'ok']);
  });

  it('POST adds one label (concurrent adds without If-Match all land); overlap names both spans', async () => {
    const { deps, projectName } = await projectDeps();
    await documentsPut(deps, projectName, 'a.txt', { text: 'Alice met Bob and Carol.' });
    await Promise.all([
      labelsAdd(deps, projectName, 'a.txt', { category: 'Person', offset: 0, length: 5 }),
      labelsAdd(deps, projectName, 'a.txt', { category: 'Person', offset: 10, length: 3 }),
      labelsAdd(deps, projectName, 'a.txt', { category: 'Person', offset: 18, length: 5 }),
    ]);
    expect((await labelsGet(deps, projectName, 'a.txt')).labels).toHaveLength(3);
    await expect(labelsAdd(deps, projectName, 'a.txt', { category: 'Org', offset: 2, length: 6 })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringMatching(/Org at offset 2 length 6 .*overlaps .*Person at offset 0 length 5 "Alice"/),
    });
    const ws = await labelsAdd(deps, projectName, 'a.txt', { category: 'Org', offset: 5, length: 4 });
    expect(ws.warnings[0].message).toMatch(/whitespace/);
  });

  it('a label set read and written back keeps needsReview labels as they are; sending one without status accepts it', async () => {
    const { deps, projectName, container } = await projectDeps();
    await documentsPut(deps, projectName, 'a.txt', { text: 'Alice met Bob.', labels: [{ category: 'Person', offset: 0, length: 5 }, { category: 'Person', offset: 10, length: 3 }] });
    await deps.blobs.put(container, 'a.txt', new TextEncoder().encode('Alice met Rob.'));
    const { documentsIngestBlob } = await import('../../../lib/documents/ingest.js');
    await documentsIngestBlob(deps, { container, name: 'a.txt' });
    const read = await labelsGet(deps, projectName, 'a.txt');
    expect(read.labels[1]).toMatchObject({ status: 'needsReview', originalText: 'Bob', offset: 10 });
    // Written back unchanged (a client editing other labels): still needs review, not silently accepted.
    const same = await labelsPut(deps, projectName, 'a.txt', read.labels, read.etag);
    expect(same.labels[1]).toMatchObject({ status: 'needsReview', originalText: 'Bob' });
    // A broken label is named by its index in the request, needsReview ones included.
    await expect(labelsPut(deps, projectName, 'a.txt', [same.labels[1], { category: 'Person', offset: 0, length: 99 }], same.etag)).rejects.toMatchObject({
      errors: [{ path: 'labels[1]' }],
    });
    const fixed = await labelsPut(deps, projectName, 'a.txt', [same.labels[0], { id: same.labels[1].id, category: 'Person', offset: 10, length: 3 }], same.etag);
    expect(fixed.labels.every((l) => l.status === undefined)).toBe(true);
  });

  it('DELETE removes one label by id', async () => {
    const { deps, projectName } = await projectDeps();
    await documentsPut(deps, projectName, 'a.txt', { text: 'Alice met Bob.' });
    const { label } = await labelsAdd(deps, projectName, 'a.txt', { category: 'Person', offset: 0, length: 5 });
    await labelsDelete(deps, projectName, 'a.txt', label.id);
    expect((await labelsGet(deps, projectName, 'a.txt')).labels).toEqual([]);
    expect(await code(labelsDelete(deps, projectName, 'a.txt', label.id))).toBe('NOT_FOUND');
  });
});

describe('entities rename', () => {
  it('renames a category in the schema and in every label', async () => {
    const { deps, projectName } = await projectDeps();
    await documentsPut(deps, projectName, 'a.txt', { text: 'Alice met Bob.', labels: [{ category: 'Person', offset: 0, length: 5 }, { category: 'Person', offset: 10, length: 3 }] });
    await documentsPut(deps, projectName, 'b.txt', { text: 'Carol', labels: [{ category: 'Person', offset: 0, length: 5 }] });
    const r = await entitiesRename(deps, projectName, 'Person', 'Human');
    expect(r).toEqual({ category: 'Human', labelsRenamed: 3, documentsChanged: 2 });
    const project = await deps.store.get<{ entities: Array<{ category: string }> }>('project', projectName, projectName);
    expect(project!.value.entities.map((e) => e.category)).toEqual(['Human', 'Date', 'Org']);
    expect((await labelsGet(deps, projectName, 'a.txt')).labels.map((l) => l.category)).toEqual(['Human', 'Human']);
    expect(await code(entitiesRename(deps, projectName, 'Human', 'Date'))).toBe('CONFLICT');
    expect(await code(entitiesRename(deps, projectName, 'Nope', 'X'))).toBe('NOT_FOUND');
    expect(await code(entitiesRename(deps, projectName, 'Human', 'a/b'))).toBe('VALIDATION_FAILED');
  });
});

describe('statistics', () => {
  it('counts documents and labels per entity and per dataset', async () => {
    const { deps, projectName } = await projectDeps();
    await documentsPut(deps, projectName, 'a.txt', { text: 'Alice met Bob.', dataset: 'Train', labels: [{ category: 'Person', offset: 0, length: 5 }, { category: 'Person', offset: 10, length: 3 }] });
    await documentsPut(deps, projectName, 'b.txt', { text: 'Carol, 3 May', dataset: 'Test', labels: [{ category: 'Person', offset: 0, length: 5 }, { category: 'Date', offset: 7, length: 5 }] });
    await documentsPut(deps, projectName, 'c.txt', { text: 'nothing' });
    const s = await projectStatistics(deps, projectName);
    expect(s.documents).toMatchObject({ total: 3, Train: 1, Test: 1, unassigned: 1, labelled: 2, unlabelled: 1 });
    expect(s.labels).toMatchObject({ total: 4, Train: 2, Test: 2, unassigned: 0 });
    expect(s.entities.Person).toEqual({ labels: { total: 3, Train: 2, Test: 1, unassigned: 0 }, documents: { total: 2, Train: 1, Test: 1, unassigned: 0 } });
    expect(s.entities.Org.labels.total).toBe(0);
  });
});

describe('auto-labelling', () => {
  it('proposes suggestions from an entity list on unlabelled documents only, kept apart from labels', async () => {
    const { deps, projectName } = await projectDeps();
    await documentsPut(deps, projectName, 'labelled.txt', { text: 'Alice Smith', labels: [{ category: 'Person', offset: 0, length: 11 }] });
    await documentsPut(deps, projectName, 'u1.txt', { text: 'Then Alice Smith and Bob met Alicee at Contoso.' });
    const r = await suggestionsGenerate(deps, projectName, {
      entries: [
        { text: 'Alice Smith', category: 'Person' },
        { text: 'Alice', category: 'Person' },
        { text: 'Contoso', category: 'Org' },
        { text: 'Bob', category: 'Robot' },
      ],
    });
    expect(r).toEqual({ documents: 1, suggestions: 2, unknownCategories: ['Robot'] });
    const { document } = await documentsGet(deps, projectName, 'u1.txt');
    expect(document.labels).toEqual([]);
    expect(document.suggestions.map((s) => document.text.slice(s.offset, s.offset + s.length))).toEqual(['Alice Smith', 'Contoso']);
    expect((await projectStatistics(deps, projectName)).labels).toMatchObject({ total: 1, suggestions: 2 });
  });

  it('uses the project labelled spans when no list is given; accept per label and reject per document', async () => {
    const { deps, projectName } = await projectDeps();
    await documentsPut(deps, projectName, 'a.txt', { text: 'Alice met Bob.', labels: [{ category: 'Person', offset: 0, length: 5 }, { category: 'Person', offset: 10, length: 3 }] });
    await documentsPut(deps, projectName, 'b.txt', { text: 'Bob and Alice.' });
    await suggestionsGenerate(deps, projectName, {});
    const sug = (await documentsGet(deps, projectName, 'b.txt')).document.suggestions;
    expect(sug).toHaveLength(2);
    const acc = await suggestionsAccept(deps, projectName, 'b.txt', [sug[0].id]);
    expect(acc.accepted).toBe(1);
    const after = (await documentsGet(deps, projectName, 'b.txt')).document;
    expect(after.labels).toEqual([expect.objectContaining({ category: 'Person', offset: 0, length: 3 })]);
    expect(after.suggestions).toHaveLength(1);
    expect((await suggestionsReject(deps, projectName, 'b.txt', undefined)).rejected).toBe(1);
    expect((await documentsGet(deps, projectName, 'b.txt')).document.suggestions).toEqual([]);
  });
});

describe('training data', () => {
  it('gives accepted labels by dataset, unlabelled texts and the entity list; never suggestions or labels needing review', async () => {
    const { documentsForTraining, entityListPut } = await import('../../../lib/documents/service.js');
    const { documentsIngestBlob } = await import('../../../lib/documents/ingest.js');
    const { deps, projectName, container } = await projectDeps();
    await documentsPut(deps, projectName, 'a.txt', { text: 'Alice met Bob.', dataset: 'Train', labels: [{ category: 'Person', offset: 0, length: 5 }, { category: 'Person', offset: 10, length: 3 }] });
    await documentsPut(deps, projectName, 'b.txt', { text: 'Carol', dataset: 'Test', labels: [{ category: 'Person', offset: 0, length: 5 }] });
    await documentsPut(deps, projectName, 'c.txt', { text: 'Alice again.' });
    await entityListPut(deps, projectName, [{ text: 'Alice', category: 'Person' }]);
    await suggestionsGenerate(deps, projectName, {});
    await deps.blobs.put(container, 'a.txt', new TextEncoder().encode('Alice met Rob.'));
    await documentsIngestBlob(deps, { container, name: 'a.txt' });
    const t = await documentsForTraining(deps, projectName);
    expect(t.train).toEqual([{ id: 'a.txt', text: 'Alice met Rob.', spans: [{ offset: 0, length: 5, category: 'Person' }], language: 'en-us' }]);
    expect(t.test.map((d) => d.id)).toEqual(['b.txt']);
    expect(t.unlabelledTexts).toEqual(['Alice again.']);
    expect(t.gazetteer).toEqual([{ text: 'Alice', category: 'Person' }]);
    expect(t.categories).toEqual(['Person', 'Date', 'Org']);
  });
});
