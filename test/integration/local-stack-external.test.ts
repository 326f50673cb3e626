import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AzureBlobStore } from '../../lib/adapters/blob/azure-blob-store.js';
import { silentLogger } from '../../lib/app/logger.js';
import { loadConfig } from '../../lib/config.js';
import { startLocalStack, type LocalStack } from '../../lib/local/main.js';
import { startAzurite, startCosmos, type TestAzurite, type TestCosmos } from '../support/emulators.js';
import { BlobServiceClient } from '@azure/storage-blob';

let azurite: TestAzurite;
let cosmos: TestCosmos;
let dataDir: string;
let stack: LocalStack | undefined;

beforeAll(async () => {
  [azurite, cosmos] = await Promise.all([startAzurite(), startCosmos()]);
  dataDir = await mkdtemp(join(tmpdir(), 'cner-ext-'));
});
afterAll(async () => {
  await stack?.stop();
  await Promise.all([azurite?.stop(), cosmos?.stop()]);
  await rm(dataDir, { recursive: true, force: true });
});

describe('local stack with external services', () => {
  it('uses STORAGE_CONNECTION and COSMOS_ENDPOINT and starts no emulator of its own', async () => {
    stack = await startLocalStack(
      loadConfig({
        PORT: '0',
        DATA_DIR: dataDir,
        API_KEYS: 'k1,k2',
        STORAGE_CONNECTION: azurite.connectionString,
        COSMOS_ENDPOINT: cosmos.endpoint,
        COSMOS_KEY: cosmos.key,
      }),
      { log: silentLogger },
    );
    expect(stack.apiKey).toBe('k1');
    const health = await (await fetch(`${stack.url}/health`)).json();
    expect(Object.keys(health.components).sort()).toEqual(['blobStore', 'documentStore', 'jobQueue', 'queueWorker']);
    const r = await fetch(`${stack.url}/language/authoring/analyze-text/projects/Ext?api-version=2023-04-01`, {
      method: 'PATCH',
      headers: { 'Ocp-Apim-Subscription-Key': 'k2', 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({ projectKind: 'CustomEntityRecognition', storageInputContainerName: 'external-box', language: 'en' }),
    });
    expect(r.status).toBe(201);
    // The container landed in the external Azurite, and no emulator data appeared under DATA_DIR.
    const external = new AzureBlobStore(BlobServiceClient.fromConnectionString(azurite.connectionString));
    expect(await external.deleteContainer('external-box')).toBe(true);
    expect((await readdir(dataDir)).filter((f) => f === 'azurite' || f === 'cosmos.json')).toEqual([]);
  });
});
