import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../lib/app/logger.js';
import { loadConfig } from '../../lib/config.js';
import { startLocalStack, type LocalStack } from '../../lib/local/main.js';

const P = '/language/authoring/analyze-text/projects';
const V = 'api-version=2023-04-01';

let dataDir: string;
let stack: LocalStack | undefined;

const config = () =>
  loadConfig({ PORT: '0', AZURITE_BLOB_PORT: '0', AZURITE_QUEUE_PORT: '0', COSMOS_PORT: '0', DATA_DIR: dataDir });

function api(s: LocalStack) {
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${s.url}${path}`, {
      method,
      headers: {
        'Ocp-Apim-Subscription-Key': s.apiKey,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, json: text && /json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : undefined };
  };
}

async function waitForJob(call: ReturnType<typeof api>, location: string): Promise<{ status: string }> {
  const path = new URL(location).pathname + new URL(location).search;
  for (;;) {
    const r = await call('GET', path);
    if (['succeeded', 'failed', 'partiallyCompleted', 'cancelled'].includes(r.json.status)) return r.json;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'cner-stack-'));
});
afterAll(async () => {
  await stack?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('local stack (Azurite + Cosmos emulator + HTTP host + queue worker)', () => {
  it('serves the API, runs deletion jobs, and keeps projects and categories across a clean restart', async () => {
    stack = await startLocalStack(config(), { log: silentLogger, workerIdleMs: 200 });
    const first = stack;
    const call = api(first);

    const health = await fetch(`${first.url}/health`);
    expect(health.status).toBe(200);
    expect((await health.json()).components).toMatchObject({ cosmos: 'ready', 'azurite-blob': 'ready', queueWorker: 'ready', documentStore: 'ready' });

    expect((await call('GET', `${P}?${V}`, undefined, { 'Ocp-Apim-Subscription-Key': 'wrong' })).status).toBe(401);
    const keyFile = (await readFile(join(dataDir, 'api-key'), 'utf8')).trim();
    expect(keyFile).toBe(first.apiKey);

    for (const name of ['Loans', 'Leases', 'Doomed']) {
      const r = await call('PATCH', `${P}/${name}?${V}`, {
        projectKind: 'CustomEntityRecognition',
        storageInputContainerName: name.toLowerCase(),
        language: 'en',
      });
      expect(r.status).toBe(201);
    }
    for (const cat of ['Date', 'LenderName', 'Amount']) expect((await call('PUT', `${P}/Loans/entities/${cat}?${V}`)).status).toBe(201);
    expect((await call('PUT', `${P}/Leases/entities/Tenant?${V}`, { description: 'who rents' })).status).toBe(201);
    // The project's container exists in Azurite.
    expect(await first.deps.blobs.deleteContainer('leases')).toBe(true);
    await first.deps.blobs.ensureContainer('leases');

    // npm start watches project containers: a file written with a storage client becomes a document.
    await first.deps.blobs.put('loans', 'contract-1.txt', Buffer.from('Signed on 1 May 2024 by Contoso Bank.'));
    await first.blobWatcher!.drained();
    const doc = await first.deps.store.get<{ text: string; status: string }>('document', 'Loans', encodeURIComponent('contract-1.txt'));
    expect(doc?.value).toMatchObject({ text: 'Signed on 1 May 2024 by Contoso Bank.', status: 'ready' });

    // Bad input over a real socket: never a 500.
    expect((await call('POST', `${P}/Loans?${V}`)).status).toBe(405);
    expect((await call('GET', `/language/nothing?${V}`)).status).toBe(404);
    expect((await call('PATCH', `${P}/Loans?${V}`, '{"description":')).status).toBe(400);
    const big = await call('PATCH', `${P}/Loans?${V}`, { description: 'x'.repeat(2 * 1024 * 1024) });
    expect(big.status).toBe(413);

    const del = await call('DELETE', `${P}/Doomed?${V}`);
    expect(del.status).toBe(202);
    expect(await waitForJob(call, del.headers.get('operation-location')!)).toMatchObject({ status: 'succeeded' });
    expect((await call('GET', `${P}/Doomed?${V}`)).status).toBe(404);
    expect(await first.deps.blobs.deleteContainer('doomed')).toBe(false);

    await first.stop();
    stack = undefined;
    expect(await fetch(`${first.url}/health`).then(() => 'answered', () => 'refused')).toBe('refused');

    stack = await startLocalStack(config(), { log: silentLogger, workerIdleMs: 200 });
    const again = api(stack);
    expect(stack.apiKey).toBe(first.apiKey);
    const list = await again('GET', `${P}?${V}`);
    expect(list.json.value.map((p: { projectName: string }) => p.projectName)).toEqual(['Leases', 'Loans']);
    const loans = await again('GET', `${P}/Loans/entities?${V}`);
    expect(loans.json.value.map((e: { category: string }) => e.category)).toEqual(['Date', 'LenderName', 'Amount']);
    const leases = await again('GET', `${P}/Leases/entities?${V}`);
    expect(leases.json.value).toEqual([{ category: 'Tenant', description: 'who rents' }]);
    // The ETag read after restart works for a conditional update.
    expect((await again('PUT', `${P}/Loans/entities/Rate?${V}`, undefined, { 'if-match': loans.headers.get('etag')! })).status).toBe(201);
  }, 120_000);
});
