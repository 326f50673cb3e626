import { describe, expect, it } from 'vitest';
import { memoryDeps } from '../../../lib/app/memory.js';
import { silentLogger } from '../../../lib/app/logger.js';
import { createHttpHandler } from '../../../lib/http/handle.js';
import { callInProcess } from '../../../lib/http/in-process.js';
import { routes } from '../../../lib/http/routes/index.js';
import { startingHandler } from '../../../lib/local/main.js';

describe('/health', () => {
  it('answers 200 with each component when all are ready, without a key or api-version', async () => {
    const h = createHttpHandler(routes, memoryDeps());
    const r = await callInProcess(h, { method: 'GET', url: '/health' });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ status: 'ready', components: { documentStore: 'ready', blobStore: 'ready', jobQueue: 'ready' } });
  });

  it('answers 503 naming the component that is not ready', async () => {
    const h = createHttpHandler(routes, memoryDeps({ health: async () => ({ documentStore: 'ready', cosmos: 'unavailable' }) }));
    const r = await callInProcess(h, { method: 'GET', url: '/health' });
    expect(r.status).toBe(503);
    expect(r.json.components.cosmos).toBe('unavailable');
  });

  it('answers 503 while the local stack starts, for /health and every other route', async () => {
    const h = startingHandler(() => ({ emulators: 'starting' }), silentLogger);
    const health = await callInProcess(h, { method: 'GET', url: '/health' });
    expect(health.status).toBe(503);
    expect(health.json.components).toEqual({ emulators: 'starting' });
    const api = await callInProcess(h, { method: 'GET', url: '/language/authoring/analyze-text/projects?api-version=2023-04-01' });
    expect(api.status).toBe(503);
    expect(api.headers['x-ms-error-code']).toBe('ServiceUnavailable');
  });
});
