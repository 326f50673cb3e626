import { beforeEach, describe, expect, it } from 'vitest';
import { memoryDeps, TEST_API_KEY } from '../../../lib/app/memory.js';
import type { Deps } from '../../../lib/app/types.js';
import { createHttpHandler, type HttpHandler } from '../../../lib/http/handle.js';
import { callInProcess, type RequestParts } from '../../../lib/http/in-process.js';
import { routes } from '../../../lib/http/routes/index.js';
import { drainJobQueue, jobHandlers } from '../../../lib/jobs/index.js';
import { documentsIngestBlob } from '../../../lib/documents/ingest.js';

const P = '/language/authoring/analyze-text/projects';
const V = 'api-version=2023-04-01';

let deps: Deps;
let handler: HttpHandler;
const call = (parts: RequestParts) =>
  callInProcess(handler, { ...parts, headers: { 'Ocp-Apim-Subscription-Key': TEST_API_KEY, ...(parts.headers ?? {}) } });
const doc = (location: string, suffix = '') => `${P}/Loans/documents/${encodeURIComponent(location)}${suffix}?${V}`;

beforeEach(async () => {
  deps = memoryDeps();
  handler = createHttpHandler(routes, deps);
  expect((await call({ method: 'PATCH', url: `${P}/Loans?${V}`, body: { projectKind: 'CustomEntityRecognition', storageInputContainerName: 'loans', language: 'en' } })).status).toBe(201);
  for (const c of ['Person', 'Date']) expect((await call({ method: 'PUT', url: `${P}/Loans/entities/${c}?${V}` })).status).toBe(201);
});

describe('documents routes', () => {
  it('PUT text/plain creates (201) a document and its blob; GET shows text, labels, dataset and ETag', async () => {
    const put = await call({ method: 'PUT', url: doc('in/01.txt') + '&dataset=Train', headers: { 'content-type': 'text/plain' }, body: 'Alice met Bob.' });
    expect(put.status).toBe(201);
    expect(new TextDecoder().decode((await deps.blobs.get('loans', 'in/01.txt'))!.bytes)).toBe('Alice met Bob.');
    const get = await call({ method: 'GET', url: doc('in/01.txt') });
    expect(get.status).toBe(200);
    expect(get.json).toMatchObject({ location: 'in/01.txt', text: 'Alice met Bob.', dataset: 'Train', labels: [], status: 'ready' });
    expect(get.headers.etag).toBe(put.headers.etag);
    const again = await call({ method: 'PUT', url: doc('in/01.txt'), body: { text: 'Alice met Bob!', labels: [{ category: 'Person', offset: 0, length: 5 }] } });
    expect(again.status).toBe(200);
    expect(again.json.labels).toEqual([expect.objectContaining({ category: 'Person', offset: 0, length: 5 })]);
  });

  it('labels: PUT without If-Match → 428, stale → 412, valid → 200; bad label → 400 naming it', async () => {
    await call({ method: 'PUT', url: doc('01.txt'), headers: { 'content-type': 'text/plain' }, body: 'Alice met Bob.' });
    const { headers } = await call({ method: 'GET', url: doc('01.txt', '/labels') });
    const body = { labels: [{ category: 'Person', offset: 0, length: 5 }] };
    expect((await call({ method: 'PUT', url: doc('01.txt', '/labels'), body })).status).toBe(428);
    const ok = await call({ method: 'PUT', url: doc('01.txt', '/labels'), body, headers: { 'if-match': headers.etag } });
    expect(ok.status).toBe(200);
    const stale = await call({ method: 'PUT', url: doc('01.txt', '/labels'), body, headers: { 'if-match': headers.etag } });
    expect(stale.status).toBe(412);
    const bad = await call({ method: 'POST', url: doc('01.txt', '/labels'), body: { category: 'Person', offset: 3, length: 4 } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/overlaps .*Person at offset 0 length 5/);
    const added = await call({ method: 'POST', url: doc('01.txt', '/labels'), body: { category: 'Person', offset: 10, length: 3 } });
    expect(added.status).toBe(201);
    expect((await call({ method: 'DELETE', url: doc('01.txt', `/labels/${added.json.id}`) })).status).toBe(204);
  });

  it('lists with paging and filters; rejected uploads are visible with their reason', async () => {
    for (const n of ['a', 'b', 'c']) await call({ method: 'PUT', url: doc(`${n}.txt`), headers: { 'content-type': 'text/plain' }, body: `text ${n}` });
    await deps.blobs.put('loans', 'd.txt', new Uint8Array([0xff, 0xff, 0x00]));
    await documentsIngestBlob(deps, { container: 'loans', name: 'd.txt' });
    const page = await call({ method: 'GET', url: `${P}/Loans/documents?${V}&maxpagesize=2` });
    expect(page.json.value.map((d: { location: string }) => d.location)).toEqual(['a.txt', 'b.txt']);
    expect(page.json.nextLink).toMatch(/skip=2/);
    const rejected = await call({ method: 'GET', url: `${P}/Loans/documents?${V}&status=rejected` });
    expect(rejected.json.value).toEqual([expect.objectContaining({ location: 'd.txt', status: 'rejected', rejectionReason: expect.stringMatching(/undecodable/) })]);
    expect((await call({ method: 'GET', url: `${P}/Loans/documents?${V}&dataset=Nope` })).status).toBe(400);
  });

  it('PATCH dataset, DELETE document, PATCH entity rename, statistics', async () => {
    await call({ method: 'PUT', url: doc('a.txt'), body: { text: 'Alice', labels: [{ category: 'Person', offset: 0, length: 5 }] } });
    expect((await call({ method: 'PATCH', url: doc('a.txt'), body: { dataset: 'Test' } })).json.dataset).toBe('Test');
    const ren = await call({ method: 'PATCH', url: `${P}/Loans/entities/Person?${V}`, body: { newCategory: 'Human' } });
    expect(ren.status).toBe(200);
    expect(ren.json.labelsRenamed).toBe(1);
    const stats = await call({ method: 'GET', url: `${P}/Loans/statistics?${V}` });
    expect(stats.json.entities.Human.labels).toEqual({ total: 1, Train: 0, Test: 1, unassigned: 0 });
    const del = await call({ method: 'DELETE', url: doc('a.txt') });
    expect(del.json).toEqual({ location: 'a.txt', labelsRemoved: 1 });
    expect((await call({ method: 'GET', url: doc('a.txt') })).status).toBe(404);
  });

  it(':import → 202 + operation-location; the job resource reports the result; :export gives resultUrl', async () => {
    await deps.blobs.put('loans', '01.txt', new TextEncoder().encode('Alice met Bob.'));
    const file = {
      projectFileVersion: '2022-05-01',
      stringIndexType: 'Utf16CodeUnit',
      metadata: { projectKind: 'CustomEntityRecognition', storageInputContainerName: 'loans', projectName: 'Loans', language: 'en' },
      assets: { projectKind: 'CustomEntityRecognition', entities: [{ category: 'Person' }], documents: [{ location: '01.txt', dataset: 'Train', entities: [{ regionOffset: 0, regionLength: 14, labels: [{ category: 'Person', offset: 0, length: 5 }] }] }] },
    };
    const imp = await call({ method: 'POST', url: `${P}/Loans/:import?${V}`, body: file });
    expect(imp.status).toBe(202);
    const opLoc = new URL(imp.headers['operation-location']);
    expect(opLoc.pathname).toMatch(/\/projects\/Loans\/import\/jobs\/[^/]+$/);
    await drainJobQueue(deps, jobHandlers);
    const j = await call({ method: 'GET', url: opLoc.pathname + opLoc.search });
    expect(j.json).toMatchObject({ status: 'succeeded', errors: [], result: { documents: 1, labels: 1 } });
    const ex = await call({ method: 'POST', url: `${P}/Loans/:export?${V}&stringIndexType=Utf16CodeUnit` });
    expect(ex.status).toBe(202);
    await drainJobQueue(deps, jobHandlers);
    const exLoc = new URL(ex.headers['operation-location']);
    const ej = await call({ method: 'GET', url: exLoc.pathname + exLoc.search });
    expect(ej.json.status).toBe('succeeded');
    expect(ej.json.result.resultUrl).toMatch(/^memory:\/\/cner-exports\//);
    expect((await call({ method: 'POST', url: `${P}/Loans/:export?${V}&stringIndexType=Utf8CodeUnit` })).status).toBe(400);
    expect((await call({ method: 'POST', url: `${P}/Loans/:import?${V}&format=docx`, body: file })).status).toBe(400);
    const conll = await call({ method: 'POST', url: `${P}/Loans/:import?${V}&format=CoNLL`, headers: { 'content-type': 'text/plain' }, body: 'Dan\tB-Person\n' });
    expect(conll.status).toBe(202);
    await drainJobQueue(deps, jobHandlers);
    expect((await call({ method: 'GET', url: `${P}/Loans/documents/doc_00001.txt?${V}` })).json.labels).toHaveLength(1);
  });
});
