// A .txt uploaded with the plain storage SDK into a project's container (Azurite) becomes a document, through the
// same watcher `npm start` runs; documents live in Cosmos (the local emulator).
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CosmosClient } from '@azure/cosmos';
import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AzureBlobStore } from '../../lib/adapters/blob/azure-blob-store.js';
import { CosmosDocumentStore, ensureCosmosContainer } from '../../lib/adapters/cosmos/cosmos-document-store.js';
import { memoryDeps } from '../../lib/app/memory.js';
import type { Deps } from '../../lib/app/types.js';
import { documentsGet, documentsList, labelsAdd, projectStatistics } from '../../lib/documents/service.js';
import { exportStart, importStart } from '../../lib/documents/transfer.js';
import { drainJobQueue, jobHandlers, type JobRecord } from '../../lib/jobs/index.js';
import { startBlobWatcher, type BlobWatcher } from '../../lib/local/blob-watcher.js';
import { seedProject } from '../unit/documents/helpers.js';
import { emulatorCosmosClient, startAzurite, startCosmos, type TestAzurite, type TestCosmos } from '../support/emulators.js';

let azurite: TestAzurite;
let cosmos: TestCosmos;
let client: CosmosClient;
let sdk: BlobServiceClient;
let deps: Deps;
let watcher: BlobWatcher;

beforeAll(async () => {
  [azurite, cosmos] = await Promise.all([startAzurite(), startCosmos()]);
  client = emulatorCosmosClient(cosmos.endpoint, cosmos.key);
  sdk = BlobServiceClient.fromConnectionString(azurite.connectionString);
  deps = memoryDeps({
    store: new CosmosDocumentStore(await ensureCosmosContainer(client, 'documents', `c-${randomUUID()}`)),
    blobs: new AzureBlobStore(BlobServiceClient.fromConnectionString(azurite.connectionString)),
  });
  watcher = startBlobWatcher(deps, { intervalMs: 500 });
});

afterAll(async () => {
  await watcher?.stop();
  client?.dispose();
  await Promise.all([azurite?.stop(), cosmos?.stop()]);
});

const createProject = (projectName: string, container: string, categories: string[]) =>
  seedProject(deps, projectName, container, categories);

const upload = (container: string, name: string, data: string | Uint8Array) =>
  sdk.getContainerClient(container).getBlockBlobClient(name).uploadData(typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data));

describe('blob uploads through Azurite', () => {
  it('upload → document, re-upload → labels re-anchored or marked for review, delete → gone', async () => {
    await createProject('Loans', 'loans', ['Person']);
    await upload('loans', 'in/01.txt', '\uFEFFAlice met Bob.');
    await watcher.drained();
    const { document } = await documentsGet(deps, 'Loans', 'in/01.txt');
    expect(document).toMatchObject({ text: 'Alice met Bob.', status: 'ready' });

    await labelsAdd(deps, 'Loans', 'in/01.txt', { category: 'Person', offset: 0, length: 5 });
    await labelsAdd(deps, 'Loans', 'in/01.txt', { category: 'Person', offset: 10, length: 3 });
    await upload('loans', 'in/01.txt', 'Today Alice met Carol.');
    await watcher.drained();
    const after = (await documentsGet(deps, 'Loans', 'in/01.txt')).document;
    expect(after.labels.map((l) => [l.status ?? 'accepted', l.offset])).toEqual([
      ['accepted', 6],
      ['needsReview', 10],
    ]);

    await upload('loans', 'photo.png', new Uint8Array([0x89, 0x50]));
    await watcher.drained();
    expect((await documentsList(deps, 'Loans', { status: 'rejected' })).map((d) => d.location)).toEqual(['photo.png']);

    await sdk.getContainerClient('loans').deleteBlob('in/01.txt');
    await watcher.drained();
    expect((await documentsList(deps, 'Loans', { status: 'ready' }))).toEqual([]);
  });

  it.each([
    ['crossner_politics', 'crossner-politics'],
    ['wnut17', 'wnut17'],
  ])('%s: blob uploads + :import; statistics match stats.json; export has the same entities and labels', async (dataset, name) => {
    const bench = `/work/shared/bench/${dataset}`;
    const file = JSON.parse(readFileSync(join(bench, 'project.json'), 'utf8'));
    await createProject(name, name, []);
    for (const doc of readdirSync(join(bench, 'docs'))) await upload(name, doc, readFileSync(join(bench, 'docs', doc)));
    // The uploads become (unlabelled) documents first, as they would for a user; the import then labels them.
    await watcher.drained();
    expect((await documentsList(deps, name, {})).length).toBe(file.assets.documents.length);
    const { jobId } = await importStart(deps, name, { format: 'azure', payload: readFileSync(join(bench, 'project.json')) });
    await drainJobQueue(deps, jobHandlers);
    const job = (await deps.store.get<JobRecord>('job', name, jobId))!.value;
    expect(job.status).toBe('succeeded');
    const stats = JSON.parse(readFileSync(join(bench, 'stats.json'), 'utf8'));
    const s = await projectStatistics(deps, name);
    for (const [split, ds] of [['train', 'Train'], ['test', 'Test']] as const)
      expect(Object.fromEntries(Object.entries(s.entities).map(([c, e]) => [c, e.labels[ds]]))).toEqual(stats.splits[split].perLabel);
    // The watcher sees the same blobs afterwards and changes nothing.
    await watcher.drained();
    expect((await projectStatistics(deps, name)).labels.total).toBe(s.labels.total);

    const ex = await exportStart(deps, name, { format: 'azure' });
    await drainJobQueue(deps, jobHandlers);
    const ej = (await deps.store.get<JobRecord>('job', name, ex.jobId))!.value;
    const res = await fetch((ej.result as { resultUrl: string }).resultUrl);
    expect(res.status).toBe(200);
    const back = await res.json();
    const labels = (f: typeof file) =>
      f.assets.documents
        .flatMap((d: { location: string; dataset: string; entities: Array<{ labels: Array<{ category: string; offset: number; length: number }> }> }) =>
          d.entities.flatMap((r) => r.labels.map((l) => `${d.location}:${d.dataset}:${l.offset}+${l.length}:${l.category}`)),
        )
        .sort();
    expect(labels(back)).toEqual(labels(file));
    expect(back.assets.entities).toEqual(file.assets.entities);
  });
});
