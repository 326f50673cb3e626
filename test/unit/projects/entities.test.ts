import { beforeEach, describe, expect, it } from 'vitest';
import { memoryDeps, TEST_API_KEY } from '../../../lib/app/memory.js';
import type { Deps } from '../../../lib/app/types.js';
import { createHttpHandler, type HttpHandler } from '../../../lib/http/handle.js';
import { callInProcess, type RequestParts } from '../../../lib/http/in-process.js';
import { routes } from '../../../lib/http/routes/index.js';

const P = '/language/authoring/analyze-text/projects';
const V = 'api-version=2022-10-01-preview';

let deps: Deps;
let handler: HttpHandler;
const call = (parts: RequestParts) =>
  callInProcess(handler, { ...parts, headers: { 'Ocp-Apim-Subscription-Key': TEST_API_KEY, ...(parts.headers ?? {}) } });
const entity = (cat: string) => `${P}/Loans/entities/${encodeURIComponent(cat)}?${V}`;

const labelDoc = (location: string, categories: string[]) =>
  deps.store.create('document', 'Loans', encodeURIComponent(location), {
    location,
    text: 'x'.repeat(100),
    labels: categories.map((category, i) => ({ id: `l${i}`, category, offset: i, length: 1 })),
    suggestions: [{ id: 's1', category: 'Date', offset: 50, length: 2 }],
  });

beforeEach(async () => {
  deps = memoryDeps();
  handler = createHttpHandler(routes, deps);
  const r = await call({
    method: 'PATCH',
    url: `${P}/Loans?${V}`,
    body: { projectKind: 'CustomEntityRecognition', storageInputContainerName: 'loans', language: 'en' },
  });
  expect(r.status).toBe(201);
});

describe('entity schema', () => {
  it('adds (201), updates (200) and lists categories with the project ETag', async () => {
    const a = await call({ method: 'PUT', url: entity('Date') });
    expect(a.status).toBe(201);
    expect(a.json).toEqual({ category: 'Date' });
    const b = await call({ method: 'PUT', url: entity('Lender Name'), body: { description: 'who lends' } });
    expect(b.status).toBe(201);
    const c = await call({ method: 'PUT', url: entity('Date'), body: { description: 'a day' } });
    expect(c.status).toBe(200);
    const list = await call({ method: 'GET', url: `${P}/Loans/entities?${V}` });
    expect(list.json.value).toEqual([{ category: 'Date', description: 'a day' }, { category: 'Lender Name', description: 'who lends' }]);
    expect(list.headers.etag).toBe(c.headers.etag);
    const project = await call({ method: 'GET', url: `${P}/Loans?${V}` });
    expect(project.headers.etag).toBe(list.headers.etag);
  });

  it('refuses bad category names, naming the field', async () => {
    for (const bad of ['a:b', 'cost$', 'x&y', '50%', 'a*', '(x)', 'a+b', 'a~', '#1', 'a/b', 'why?', 'c'.repeat(51), ' padded']) {
      const r = await call({ method: 'PUT', url: entity(bad) });
      expect(r.status, bad).toBe(400);
      expect(r.json.error.target, bad).toBe('category');
    }
    expect((await call({ method: 'PUT', url: entity('c'.repeat(50)) })).status).toBe(201);
  });

  it('refuses a category that differs only in case', async () => {
    await call({ method: 'PUT', url: entity('Date') });
    expect((await call({ method: 'PUT', url: entity('date') })).status).toBe(409);
  });

  it('allows at most 200 categories', async () => {
    for (let i = 0; i < 200; i++) expect((await call({ method: 'PUT', url: entity(`C${i}`) })).status).toBe(201);
    const r = await call({ method: 'PUT', url: entity('C200') });
    expect(r.status).toBe(403);
    expect(r.json.error.code).toBe('QuotaExceeded');
    expect((await call({ method: 'PUT', url: entity('C0'), body: { description: 'update still fine' } })).status).toBe(200);
  });

  it('answers 412 on a stale If-Match and 404 for an unknown project or category', async () => {
    const a = await call({ method: 'PUT', url: entity('Date') });
    await call({ method: 'PUT', url: entity('Amount'), headers: { 'if-match': a.headers.etag } });
    const stale = await call({ method: 'PUT', url: entity('Rate'), headers: { 'if-match': a.headers.etag } });
    expect(stale.status).toBe(412);
    const staleDelete = await call({ method: 'DELETE', url: entity('Date'), headers: { 'if-match': a.headers.etag } });
    expect(staleDelete.status).toBe(412);
    expect((await call({ method: 'GET', url: `${P}/Loans/entities?${V}` })).json.value).toHaveLength(2);
    expect((await call({ method: 'GET', url: `${P}/Nope/entities?${V}` })).status).toBe(404);
    expect((await call({ method: 'DELETE', url: entity('Rate') })).status).toBe(404);
  });

  it('sends quoted entity tags and accepts them back, strong or weak, in If-Match', async () => {
    const a = await call({ method: 'PUT', url: entity('Date') });
    expect(a.headers.etag).toMatch(/^"[^"]+"$/);
    const b = await call({ method: 'PUT', url: entity('Amount'), headers: { 'if-match': a.headers.etag } });
    expect(b.status).toBe(201);
    const c = await call({ method: 'PUT', url: entity('Rate'), headers: { 'if-match': `W/${b.headers.etag}` } });
    expect(c.status).toBe(201);
  });

  it('deletes an unused category', async () => {
    await call({ method: 'PUT', url: entity('Date') });
    const d = await call({ method: 'DELETE', url: entity('Date') });
    expect(d.status).toBe(200);
    expect(d.json).toEqual({ category: 'Date', removedLabels: 0 });
    expect((await call({ method: 'GET', url: `${P}/Loans/entities?${V}` })).json.value).toEqual([]);
  });

  it('refuses to delete a category still used by labels (409 with the count) unless force=true removes them', async () => {
    await call({ method: 'PUT', url: entity('Date') });
    await call({ method: 'PUT', url: entity('Amount') });
    await labelDoc('a.txt', ['Date', 'Amount', 'Date']);
    await labelDoc('b.txt', ['Date']);
    await labelDoc('c.txt', ['Amount']);

    const refused = await call({ method: 'DELETE', url: entity('Date') });
    expect(refused.status).toBe(409);
    expect(refused.json.error.innererror.labelCount).toBe(3);
    expect(refused.json.error.message).toContain('3 label');
    expect((await call({ method: 'GET', url: `${P}/Loans/entities?${V}` })).json.value).toHaveLength(2);

    expect((await call({ method: 'DELETE', url: `${P}/Loans/entities/Date?${V}&force=maybe` })).status).toBe(400);
    const forced = await call({ method: 'DELETE', url: `${P}/Loans/entities/Date?${V}&force=true` });
    expect(forced.status).toBe(200);
    expect(forced.json.removedLabels).toBe(3);

    const docs = await deps.store.list<{ labels: Array<{ category: string }>; suggestions: Array<{ category: string }> }>('document', 'Loans');
    expect(docs.flatMap((d) => d.value.labels.map((l) => l.category))).toEqual(['Amount', 'Amount']);
    expect(docs.flatMap((d) => d.value.suggestions)).toEqual([]);
    expect((await call({ method: 'GET', url: `${P}/Loans/entities?${V}` })).json.value).toEqual([{ category: 'Amount' }]);
  });
});
