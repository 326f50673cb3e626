import { HttpRequest, InvocationContext } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { createFunctionsHttpHandler } from '../../../functions/http.js';
import { createJobTrigger, JobRetryError } from '../../../functions/jobs.js';
import { memoryDeps, TEST_API_KEY } from '../../../lib/app/memory.js';
import { jobHandlers, jobsGet } from '../../../lib/jobs/index.js';

const P = 'http://localhost:7071/language/authoring/analyze-text/projects';
const V = 'api-version=2023-04-01';

describe('functions/ adapters', () => {
  it('serves the route table through the Functions HTTP handler', async () => {
    const deps = memoryDeps();
    const handler = createFunctionsHttpHandler(async () => deps);
    const created = await handler(
      new HttpRequest({
        method: 'PATCH',
        url: `${P}/Loans?${V}`,
        headers: { 'ocp-apim-subscription-key': TEST_API_KEY, 'content-type': 'application/merge-patch+json' },
        body: { string: JSON.stringify({ projectKind: 'CustomEntityRecognition', storageInputContainerName: 'loans', language: 'en' }) },
      }),
      new InvocationContext({ invocationId: 'inv-1' }),
    );
    expect(created.status).toBe(201);
    expect((created.headers as Record<string, string>)['x-ms-request-id']).toBe('inv-1');
    expect(JSON.parse(Buffer.from(created.body as Uint8Array).toString()).projectName).toBe('Loans');

    const unauth = await handler(new HttpRequest({ method: 'GET', url: `${P}?${V}` }), new InvocationContext());
    expect(unauth.status).toBe(401);
    expect((unauth.headers as Record<string, string>)['x-ms-error-code']).toBe('Unauthorized');
  });

  it('answers 413 for a streamed body over the limit and 400 for malformed JSON', async () => {
    const handler = createFunctionsHttpHandler(async () => memoryDeps());
    const headers = { 'ocp-apim-subscription-key': TEST_API_KEY, 'content-type': 'application/json' };
    const big = await handler(
      new HttpRequest({ method: 'PATCH', url: `${P}/Big?${V}`, headers, body: { string: `{"description":"${'x'.repeat(2 * 1024 * 1024)}"}` } }),
      new InvocationContext(),
    );
    expect(big.status).toBe(413);
    const bad = await handler(
      new HttpRequest({ method: 'PATCH', url: `${P}/Bad?${V}`, headers, body: { string: '{nope' } }),
      new InvocationContext(),
    );
    expect(bad.status).toBe(400);
  });

  it('answers 503 without internals when the deps cannot be built', async () => {
    const handler = createFunctionsHttpHandler(async () => {
      throw new Error('AccountKey=secret');
    });
    const ctx = new InvocationContext({ invocationId: 'inv-9' });
    const r = await handler(new HttpRequest({ method: 'GET', url: 'http://localhost/health' }), ctx);
    expect(r.status).toBe(503);
    expect(JSON.stringify(r.jsonBody)).not.toContain('secret');
    expect(JSON.stringify(r.jsonBody)).toContain('inv-9');
  });

  it('runs a deletion job from a queue message and throws only for retryable failures', async () => {
    const deps = memoryDeps();
    const http = createFunctionsHttpHandler(async () => deps);
    const headers = { 'ocp-apim-subscription-key': TEST_API_KEY, 'content-type': 'application/json' };
    await http(
      new HttpRequest({
        method: 'PATCH',
        url: `${P}/Gone?${V}`,
        headers,
        body: { string: JSON.stringify({ projectKind: 'CustomEntityRecognition', storageInputContainerName: 'gone', language: 'en' }) },
      }),
      new InvocationContext(),
    );
    const del = await http(new HttpRequest({ method: 'DELETE', url: `${P}/Gone?${V}`, headers }), new InvocationContext());
    expect(del.status).toBe(202);
    const [msg] = await deps.queue.receive<{ jobId: string }>(1);
    const trigger = createJobTrigger(async () => deps, jobHandlers);
    await trigger(msg.body, new InvocationContext({ triggerMetadata: { dequeueCount: 1 } }));
    expect((await jobsGet(deps, 'global', msg.body.jobId))?.status).toBe('succeeded');
    expect(await deps.store.get('project', 'Gone', 'Gone')).toBeUndefined();

    const failing = createJobTrigger(async () => deps, [
      { type: 'boom', message: (await import('zod')).z.object({}), run: async () => { throw new Error('transient'); } },
    ]);
    await deps.store.create('job', 'p', 'j1', { jobId: 'j1', kind: 'boom', projectName: 'p', status: 'notStarted', warnings: [], errors: [] });
    await expect(
      failing({ type: 'boom', jobId: 'j1', projectName: 'p' }, new InvocationContext({ triggerMetadata: { deliveryCount: 1 } })),
    ).rejects.toBeInstanceOf(JobRetryError);
  });
});
