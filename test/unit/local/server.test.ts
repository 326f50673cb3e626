import { afterEach, describe, expect, it } from 'vitest';
import { memoryDeps, TEST_API_KEY } from '../../../lib/app/memory.js';
import { silentLogger } from '../../../lib/app/logger.js';
import { createHttpHandler } from '../../../lib/http/handle.js';
import { routes } from '../../../lib/http/routes/index.js';
import { startHttpServer, type LocalHttpServer } from '../../../lib/local/server.js';

const P = '/language/authoring/analyze-text/projects';
const V = 'api-version=2023-04-01';
let server: LocalHttpServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('local HTTP server', () => {
  it('answers 413 to a chunked body over the limit (no content-length) and stays up', async () => {
    server = await startHttpServer({ port: 0, handler: createHttpHandler(routes, memoryDeps()), log: silentLogger });
    const chunk = new Uint8Array(64 * 1024).fill(32);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 2 * 1024 * 1024) return controller.close();
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const r = await fetch(`${server.url}${P}/Big?${V}`, {
      method: 'PATCH',
      headers: { 'Ocp-Apim-Subscription-Key': TEST_API_KEY, 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(r.status).toBe(413);
    expect((await r.json()).error.code).toBe('InvalidRequest');
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
  });

  it('builds operation-location from the Host the client used', async () => {
    const deps = memoryDeps();
    server = await startHttpServer({ port: 0, handler: createHttpHandler(routes, deps), log: silentLogger });
    const headers = { 'Ocp-Apim-Subscription-Key': TEST_API_KEY, 'content-type': 'application/json' };
    await fetch(`${server.url}${P}/Gone?${V}`, {
      method: 'PATCH',
      headers,
      body: JSON.stringify({ projectKind: 'CustomEntityRecognition', storageInputContainerName: 'gone', language: 'en' }),
    });
    const del = await fetch(`${server.url}${P}/Gone?${V}`, { method: 'DELETE', headers });
    expect(del.status).toBe(202);
    expect(del.headers.get('operation-location')).toMatch(new RegExp(`^${server.url}${P}/global/deletion-jobs/`));
  });
});
