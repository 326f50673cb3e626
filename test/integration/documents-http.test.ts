// Through the real local stack over HTTP: a blob uploaded with the plain storage SDK is noticed by the stack's blob
// watcher, shows up in the documents API, is labelled with ETag concurrency and comes back out of :export at the
// resultUrl; BIO goes in through :import.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../lib/app/logger.js';
import { loadConfig } from '../../lib/config.js';
import { startLocalStack, type LocalStack } from '../../lib/local/main.js';

const P = '/language/authoring/analyze-text/projects';
const V = 'api-version=2023-04-01';

let dataDir: string;
let stack: LocalStack;

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${stack.url}${path}`, {
    method,
    headers: {
      'Ocp-Apim-Subscription-Key': stack.apiKey,
      ...(body !== undefined && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text && /json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : undefined };
}

async function waitForJob(location: string) {
  const u = new URL(location);
  for (;;) {
    const r = await call('GET', u.pathname + u.search);
    if (['succeeded', 'failed', 'partiallyCompleted'].includes(r.json.status)) return r.json;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'cner-docs-'));
  stack = await startLocalStack(
    loadConfig({ PORT: '0', AZURITE_BLOB_PORT: '0', AZURITE_QUEUE_PORT: '0', COSMOS_PORT: '0', DATA_DIR: dataDir }),
    { log: silentLogger, workerIdleMs: 200, blobWatcher: { intervalMs: 1000 } },
  );
});
afterAll(async () => {
  await stack?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('documents over HTTP on the local stack', () => {
  it('upload with the storage SDK → document in the API → labels with If-Match → :export resultUrl', async () => {
    expect((await call('PATCH', `${P}/Loans?${V}`, { projectKind: 'CustomEntityRecognition', storageInputContainerName: 'loans', language: 'en' }, { 'content-type': 'application/merge-patch+json' })).status).toBe(201);
    expect((await call('PUT', `${P}/Loans/entities/Person?${V}`)).status).toBe(201);

    const sdk = BlobServiceClient.fromConnectionString(stack.storageConnectionString!);
    await sdk.getContainerClient('loans').getBlockBlobClient('01.txt').uploadData(Buffer.from('Alice met Bob.', 'utf8'));
    // The watcher npm start runs picks the blob up; wait for one full pass instead of sleeping.
    await stack.blobWatcher!.drained();

    const list = await call('GET', `${P}/Loans/documents?${V}`);
    expect(list.json.value).toEqual([expect.objectContaining({ location: '01.txt', status: 'ready', characters: 14 })]);

    const added = await call('POST', `${P}/Loans/documents/01.txt/labels?${V}`, { category: 'Person', offset: 0, length: 5 });
    expect(added.status).toBe(201);
    const labels = await call('GET', `${P}/Loans/documents/01.txt/labels?${V}`);
    const etag = labels.headers.get('etag')!;
    const both = { labels: [...labels.json.labels, { category: 'Person', offset: 10, length: 3 }] };
    expect((await call('PUT', `${P}/Loans/documents/01.txt/labels?${V}`, both)).status).toBe(428);
    expect((await call('PUT', `${P}/Loans/documents/01.txt/labels?${V}`, both, { 'if-match': etag })).status).toBe(200);
    expect((await call('PUT', `${P}/Loans/documents/01.txt/labels?${V}`, both, { 'if-match': etag })).status).toBe(412);

    const ex = await call('POST', `${P}/Loans/:export?${V}&stringIndexType=Utf16CodeUnit`);
    expect(ex.status).toBe(202);
    const job = await waitForJob(ex.headers.get('operation-location')!);
    expect(job.status).toBe('succeeded');
    const file = await (await fetch(job.result.resultUrl)).json();
    expect(file.assets.documents).toEqual([
      expect.objectContaining({
        location: '01.txt',
        entities: [{ regionOffset: 0, regionLength: 14, labels: [{ category: 'Person', offset: 0, length: 5 }, { category: 'Person', offset: 10, length: 3 }] }],
      }),
    ]);
  });

  it(':import of a BIO file creates documents in the container and labels them', async () => {
    const bio = 'Alice\tB-Person\nmet\tO\nBob\tB-Person\n\nCarol\tB-Person\nleft\tO\n';
    const imp = await call('POST', `${P}/Loans/:import?${V}&format=bio&dataset=Train&prefix=train`, bio, { 'content-type': 'text/plain' });
    expect(imp.status).toBe(202);
    const job = await waitForJob(imp.headers.get('operation-location')!);
    expect(job).toMatchObject({ status: 'succeeded', result: { documents: 1, labels: 3 } });
    const doc = await call('GET', `${P}/Loans/documents/train_00001.txt?${V}`);
    expect(doc.json).toMatchObject({ text: 'Alice met Bob\nCarol left', dataset: 'Train' });
    const stats = await call('GET', `${P}/Loans/statistics?${V}`);
    expect(stats.json.entities.Person.labels).toMatchObject({ Train: 3 });
  });
});
