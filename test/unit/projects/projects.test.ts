import { beforeEach, describe, expect, it } from 'vitest';
import { memoryDeps, TEST_API_KEY } from '../../../lib/app/memory.js';
import type { Deps } from '../../../lib/app/types.js';
import { createHttpHandler, type HttpHandler } from '../../../lib/http/handle.js';
import { callInProcess, type RequestParts } from '../../../lib/http/in-process.js';
import { routes } from '../../../lib/http/routes/index.js';
import { drainJobQueue, jobHandlers } from '../../../lib/jobs/index.js';

const P = '/language/authoring/analyze-text/projects';
const V = 'api-version=2023-04-01';
const newProject = (container: string) => ({
  projectKind: 'CustomEntityRecognition',
  storageInputContainerName: container,
  language: 'en',
});

let deps: Deps;
let handler: HttpHandler;
const call = (parts: RequestParts) =>
  callInProcess(handler, { ...parts, headers: { 'Ocp-Apim-Subscription-Key': TEST_API_KEY, ...(parts.headers ?? {}) } });
const patch = (name: string, body: unknown, headers: Record<string, string> = {}) =>
  call({ method: 'PATCH', url: `${P}/${name}?${V}`, headers: { 'content-type': 'application/merge-patch+json', ...headers }, body: JSON.stringify(body) });

beforeEach(() => {
  deps = memoryDeps();
  handler = createHttpHandler(routes, deps);
});

describe('projects', () => {
  it('creates with 201, updates with 200 by merge patch, and reads back', async () => {
    const c = await patch('Loans', { ...newProject('loans'), description: 'loan docs', settings: { confidenceThreshold: 0.5 } });
    expect(c.status).toBe(201);
    expect(c.json).toMatchObject({ projectName: 'Loans', projectKind: 'CustomEntityRecognition', storageInputContainerName: 'loans', multilingual: false });
    expect(c.headers.etag).toBeTruthy();
    expect(c.json.entities).toBeUndefined();

    const u = await call({ method: 'PATCH', url: `${P}/Loans?${V}`, body: { description: null, multilingual: true } });
    expect(u.status).toBe(200);
    expect(u.json.description).toBeUndefined();
    expect(u.json.multilingual).toBe(true);
    expect(u.json.settings).toEqual({ confidenceThreshold: 0.5 });

    const g = await call({ method: 'GET', url: `${P}/Loans?${V}` });
    expect(g.status).toBe(200);
    expect(g.json).toEqual(u.json);
    expect(g.headers.etag).toBe(u.headers.etag);
  });

  it('creates the project container when it is missing', async () => {
    await patch('Loans', newProject('loan-docs'));
    // deleteContainer answers false for a container that never existed.
    expect(await deps.blobs.deleteContainer('loan-docs')).toBe(true);
  });

  it('validates the body and names the field', async () => {
    const cases: Array<[unknown, string]> = [
      [{ ...newProject('ab') }, 'storageInputContainerName'],
      [{ ...newProject('Upper') }, 'storageInputContainerName'],
      [{ ...newProject('a--b') }, 'storageInputContainerName'],
      [{ ...newProject('okay'), projectKind: 'CustomSingleLabelClassification' }, 'projectKind'],
      [{ ...newProject('okay'), settings: { confidenceThreshold: 1.5 } }, 'settings.confidenceThreshold'],
      [{ ...newProject('okay'), multilingual: 'yes' }, 'multilingual'],
      [{ storageInputContainerName: 'okay' }, 'projectKind'],
      [{ ...newProject('okay'), projectName: 'Other' }, 'projectName'],
    ];
    for (const [body, field] of cases) {
      const r = await patch('P1', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.error.target, JSON.stringify(body)).toBe(field);
    }
  });

  it('limits project names to 50 characters of [A-Za-z0-9_.-]', async () => {
    expect((await patch('a'.repeat(51), newProject('x51'))).status).toBe(400);
    expect((await patch('bad%20name', newProject('x52'))).json.error.target).toBe('projectName');
    expect((await patch('ok_name-1.2', newProject('x53'))).status).toBe(201);
  });

  it('accepts application/json too and refuses other media types with 415', async () => {
    expect((await call({ method: 'PATCH', url: `${P}/J?${V}`, body: newProject('jay') })).status).toBe(201);
    const r = await call({ method: 'PATCH', url: `${P}/K?${V}`, headers: { 'content-type': 'text/plain' }, body: JSON.stringify(newProject('kay')) });
    expect(r.status).toBe(415);
  });

  it('keeps one project per container and refuses to change the kind or container', async () => {
    await patch('A', newProject('shared'));
    const dup = await patch('B', newProject('shared'));
    expect(dup.status).toBe(409);
    const change = await patch('A', { storageInputContainerName: 'other' });
    expect(change.status).toBe(400);
    expect(change.json.error.target).toBe('storageInputContainerName');
  });

  it('refuses the 501st project', async () => {
    for (let i = 0; i < 500; i++)
      await deps.store.create('project', `p${i}`, `p${i}`, { projectName: `p${i}`, storageInputContainerName: `c${i}-x`, entities: [] });
    const r = await patch('one-too-many', newProject('last'));
    expect(r.status).toBe(403);
    expect(r.json.error.code).toBe('QuotaExceeded');
  });

  it('answers 404 ProjectNotFound for an unknown project', async () => {
    const r = await call({ method: 'GET', url: `${P}/nope?${V}` });
    expect(r.status).toBe(404);
    expect(r.json.error.innererror.code).toBe('ProjectNotFound');
  });

  it('pages the list with top, skip, maxpagesize and an absolute nextLink', async () => {
    for (const n of ['c', 'a', 'e', 'b', 'd']) await patch(n, newProject(`box-${n}`));
    const first = await call({ method: 'GET', url: `http://api.example:7071${P}?${V}&maxpagesize=2` });
    expect(first.json.value.map((p: { projectName: string }) => p.projectName)).toEqual(['a', 'b']);
    const next = new URL(first.json.nextLink);
    expect(next.origin).toBe('http://api.example:7071');
    expect(next.searchParams.get('api-version')).toBe('2023-04-01');
    const second = await call({ method: 'GET', url: first.json.nextLink });
    expect(second.json.value.map((p: { projectName: string }) => p.projectName)).toEqual(['c', 'd']);
    const third = await call({ method: 'GET', url: second.json.nextLink });
    expect(third.json.value.map((p: { projectName: string }) => p.projectName)).toEqual(['e']);
    expect(third.json.nextLink).toBeUndefined();

    const topped = await call({ method: 'GET', url: `${P}?${V}&top=3&skip=1&maxpagesize=2` });
    expect(topped.json.value.map((p: { projectName: string }) => p.projectName)).toEqual(['b', 'c']);
    const rest = await call({ method: 'GET', url: topped.json.nextLink });
    expect(rest.json.value.map((p: { projectName: string }) => p.projectName)).toEqual(['d']);
    expect(rest.json.nextLink).toBeUndefined();
    expect((await call({ method: 'GET', url: `${P}?${V}&top=0` })).status).toBe(400);
  });

  it('rejects a stale If-Match with 412', async () => {
    const c = await patch('E', newProject('etag-box'));
    const u = await patch('E', { description: 'one' }, { 'if-match': c.headers.etag });
    expect(u.status).toBe(200);
    const stale = await patch('E', { description: 'two' }, { 'if-match': c.headers.etag });
    expect(stale.status).toBe(412);
    expect(stale.json.error.code).toBe('PreconditionFailed');
    const unquoted = await patch('E', { description: 'three' }, { 'if-match': u.headers.etag.replace(/"/g, '') });
    expect(unquoted.status).toBe(200);
    expect((await patch('Missing', newProject('missing-box'), { 'if-match': u.headers.etag })).status).toBe(412);
  });

  it('deletes through a global deletion job that removes the partition, jobs and container, then succeeds', async () => {
    await patch('Gone', newProject('gone-box'));
    await call({ method: 'PUT', url: `${P}/Gone/entities/Date?${V}` });
    await deps.store.create('document', 'Gone', 'a.txt', { location: 'a.txt', labels: [] });
    await deps.store.create('job', 'Gone', 'j1', { jobId: 'j1' });
    await deps.blobs.put('gone-box', 'a.txt', new Uint8Array([65]));
    await patch('Kept', newProject('kept-box'));

    const d = await call({ method: 'DELETE', url: `http://localhost:7071${P}/Gone?${V}` });
    expect(d.status).toBe(202);
    const loc = new URL(d.headers['operation-location']);
    expect(loc.pathname).toMatch(new RegExp(`^${P}/global/deletion-jobs/[^/]+$`));
    expect(loc.searchParams.get('api-version')).toBe('2023-04-01');

    const before = await call({ method: 'GET', url: d.headers['operation-location'] });
    expect(before.json.status).toBe('notStarted');
    expect((await patch('Gone', { description: 'x' })).status).toBe(409);

    expect(await drainJobQueue(deps, jobHandlers)).toBe(1);
    const after = await call({ method: 'GET', url: d.headers['operation-location'] });
    expect(after.status).toBe(200);
    expect(after.json).toMatchObject({ status: 'succeeded', errors: [], warnings: [] });
    expect(after.json.jobId).toBe(loc.pathname.split('/').pop());

    expect((await call({ method: 'GET', url: `${P}/Gone?${V}` })).status).toBe(404);
    expect(await deps.store.list('document', 'Gone')).toEqual([]);
    expect(await deps.store.list('job', 'Gone')).toEqual([]);
    expect(await deps.blobs.list('gone-box')).toEqual([]);
    expect(await deps.blobs.deleteContainer('gone-box')).toBe(false);
    expect((await call({ method: 'GET', url: `${P}/Kept?${V}` })).status).toBe(200);
    // The name and container are free again.
    expect((await patch('Gone', newProject('gone-box'))).status).toBe(201);
  });

  it('answers 404 OperationNotFound for an unknown deletion job', async () => {
    const r = await call({ method: 'GET', url: `${P}/global/deletion-jobs/nope?${V}` });
    expect(r.status).toBe(404);
    expect(r.json.error.innererror.code).toBe('OperationNotFound');
  });
});
