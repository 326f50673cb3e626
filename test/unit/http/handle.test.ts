import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { recordingLogger } from '../../../lib/app/logger.js';
import { memoryDeps, TEST_API_KEY } from '../../../lib/app/memory.js';
import { isValidApiKey } from '../../../lib/http/auth.js';
import { createHttpHandler } from '../../../lib/http/handle.js';
import { callInProcess } from '../../../lib/http/in-process.js';
import { defineRoute } from '../../../lib/http/types.js';
import { DomainError } from '../../../lib/errors.js';

const V = 'api-version=2023-04-01';
const key = { 'Ocp-Apim-Subscription-Key': TEST_API_KEY };
const Item = z.strictObject({
  name: z.string().min(1),
  labels: z.array(z.object({ offset: z.number().int().min(0) })).optional(),
});

function setup() {
  const log = recordingLogger();
  const deps = memoryDeps({ log });
  const handler = createHttpHandler(
    [
      defineRoute({
        method: 'POST',
        path: '/language/things/{id}',
        params: z.object({ id: z.string().max(5) }),
        query: z.object({ top: z.coerce.number().int().min(1).optional() }),
        body: { schema: Item, maxBytes: 200 },
        handler: async (_d, req) => ({ status: 200, body: { id: req.params.id, top: req.query.top, body: req.body } }),
      }),
      defineRoute({
        method: 'GET',
        path: '/language/boom',
        handler: async () => {
          throw new Error('connection string AccountKey=secret leaked?');
        },
      }),
      defineRoute({
        method: 'POST',
        path: '/ours/things',
        body: { schema: Item },
        handler: async () => ({ status: 204 }),
      }),
      defineRoute({
        method: 'GET',
        path: '/ours/conflict',
        handler: async () => {
          throw new DomainError('CONFLICT', 'in use', { details: { labelCount: 3 } });
        },
      }),
    ],
    deps,
  );
  return { handler, log };
}

describe('HTTP pipeline', () => {
  it('passes validated params, query and body to the handler', async () => {
    const { handler } = setup();
    const r = await callInProcess(handler, {
      method: 'POST',
      url: `/language/things/a1?${V}&top=3`,
      headers: key,
      body: { name: 'x' },
    });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ id: 'a1', top: 3, body: { name: 'x' } });
    expect(r.headers['x-ms-request-id']).toBeTruthy();
  });

  it('answers Azure-shaped 404 for an unknown route and 405 with Allow for a wrong method', async () => {
    const { handler } = setup();
    const nf = await callInProcess(handler, { method: 'GET', url: `/language/nothing?${V}`, headers: key });
    expect(nf.status).toBe(404);
    expect(nf.headers['x-ms-error-code']).toBe('NotFound');
    expect(nf.json.error.code).toBe('NotFound');
    const na = await callInProcess(handler, { method: 'DELETE', url: `/language/things/a?${V}`, headers: key });
    expect(na.status).toBe(405);
    expect(na.headers.allow).toBe('POST');
    expect(na.json.error.message).toMatch(/DELETE/);
  });

  it('requires a valid subscription key (401, Azure shape) before anything else', async () => {
    const { handler } = setup();
    const missing = await callInProcess(handler, { method: 'POST', url: `/language/things/a?${V}`, body: { name: 'x' } });
    expect(missing.status).toBe(401);
    expect(missing.headers['x-ms-error-code']).toBe('Unauthorized');
    expect(missing.json.error.innererror.code).toBe('MissingSubscriptionKey');
    const wrong = await callInProcess(handler, {
      method: 'POST',
      url: `/language/things/a?${V}`,
      headers: { 'ocp-apim-subscription-key': 'nope' },
      body: { name: 'x' },
    });
    expect(wrong.status).toBe(401);
  });

  it('compares keys against every configured key, whatever their length', () => {
    expect(isValidApiKey('b', ['aaaa', 'b'])).toBe(true);
    expect(isValidApiKey('bb', ['aaaa', 'b'])).toBe(false);
    expect(isValidApiKey('', ['aaaa'])).toBe(false);
    expect(isValidApiKey('x', [])).toBe(false);
  });

  it('rejects a missing or unsupported api-version with 400 naming the supported versions', async () => {
    const { handler } = setup();
    for (const url of ['/language/things/a', '/language/things/a?api-version=2021-11-01-preview']) {
      const r = await callInProcess(handler, { method: 'POST', url, headers: key, body: { name: 'x' } });
      expect(r.status).toBe(400);
      expect(r.json.error.message).toContain('2022-05-01, 2022-10-01-preview, 2023-04-01, 2023-04-15');
      expect(r.json.error.target).toBe('api-version');
    }
    for (const v of ['2022-05-01', '2022-10-01-preview', '2023-04-15']) {
      const r = await callInProcess(handler, { method: 'POST', url: `/language/things/a?api-version=${v}`, headers: key, body: { name: 'x' } });
      expect(r.status).toBe(200);
    }
  });

  it('names the failing fields of body, query and path in Azure errors', async () => {
    const { handler } = setup();
    const r = await callInProcess(handler, {
      method: 'POST',
      url: `/language/things/a?${V}`,
      headers: key,
      body: { name: '', labels: [{ offset: 1 }, { offset: -1 }] },
    });
    expect(r.status).toBe(400);
    expect(r.headers['x-ms-error-code']).toBe('InvalidArgument');
    expect(r.json.error.details.map((d: { target: string }) => d.target)).toEqual(['name', 'labels[1].offset']);
    expect(r.json.error.target).toBe('name');
    expect(r.json.error.innererror.code).toBe('InvalidParameterValue');

    const q = await callInProcess(handler, { method: 'POST', url: `/language/things/toolongid?${V}&top=0`, headers: key, body: { name: 'x' } });
    expect(q.status).toBe(400);
    expect(q.json.error.target).toBe('id');
    const q2 = await callInProcess(handler, { method: 'POST', url: `/language/things/a?${V}&top=zero`, headers: key, body: { name: 'x' } });
    expect(q2.json.error.target).toBe('top');

    const extra = await callInProcess(handler, { method: 'POST', url: `/language/things/a?${V}`, headers: key, body: { name: 'x', nmae: 'y' } });
    expect(extra.status).toBe(400);
    expect(extra.json.error.details[0].target).toBe('nmae');
  });

  it('answers 400 for malformed JSON, 415 for a wrong content-type, 413 over the size limit', async () => {
    const { handler } = setup();
    const bad = await callInProcess(handler, {
      method: 'POST',
      url: `/language/things/a?${V}`,
      headers: { ...key, 'content-type': 'application/json' },
      body: '{"name": ',
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.innererror.code).toBe('InvalidRequestBodyFormat');
    const type = await callInProcess(handler, {
      method: 'POST',
      url: `/language/things/a?${V}`,
      headers: { ...key, 'content-type': 'text/plain' },
      body: '{"name":"x"}',
    });
    expect(type.status).toBe(415);
    const big = await callInProcess(handler, {
      method: 'POST',
      url: `/language/things/a?${V}`,
      headers: key,
      body: { name: 'x'.repeat(300) },
    });
    expect(big.status).toBe(413);
    expect(big.json.error.message).toContain('200 bytes');
    const empty = await callInProcess(handler, { method: 'POST', url: `/language/things/a?${V}`, headers: key });
    expect(empty.status).toBe(400);
  });

  it('hides the cause of a 500 from the body and logs it with the request id', async () => {
    const { handler, log } = setup();
    const r = await callInProcess(handler, { method: 'GET', url: `/language/boom?${V}`, headers: key });
    expect(r.status).toBe(500);
    expect(r.text).not.toContain('secret');
    expect(r.json.error.code).toBe('InternalServerError');
    const requestId = r.headers['x-ms-request-id'];
    expect(r.json.error.message).toContain(requestId);
    const entry = log.entries.find((e) => e.level === 'error');
    expect(entry?.fields?.requestId).toBe(requestId);
    expect(String((entry?.fields?.error as Error).message)).toContain('secret');
  });

  it('answers problem+json with code, errors[] and details on non-Azure routes', async () => {
    const { handler } = setup();
    const r = await callInProcess(handler, { method: 'POST', url: '/ours/things', headers: key, body: { name: 3 } });
    expect(r.status).toBe(400);
    expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(r.headers['x-ms-error-code']).toBeUndefined();
    expect(r.json).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', instance: '/ours/things', errors: [{ path: 'name' }] });
    const c = await callInProcess(handler, { method: 'GET', url: '/ours/conflict', headers: key });
    expect(c.status).toBe(409);
    expect(c.json).toMatchObject({ title: 'Conflict', detail: 'in use', labelCount: 3 });
    const nf = await callInProcess(handler, { method: 'GET', url: '/ours/missing', headers: key });
    expect(nf.headers['content-type']).toMatch(/problem\+json/);
  });
});
