// The local stack's storage survives restarts: a clean stop keeps everything, kill -9 keeps what was snapshotted.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import { afterEach, describe, expect, it } from 'vitest';
import { AzureBlobStore } from '../../lib/adapters/blob/azure-blob-store.js';
import { CosmosDocumentStore, ensureCosmosContainer } from '../../lib/adapters/cosmos/cosmos-document-store.js';
import { StorageQueueJobQueue } from '../../lib/adapters/storage-queue/storage-queue-job-queue.js';
import {
  emulatorCosmosClient,
  type LocalEmulators,
  startCosmosEmulator,
  startLocalEmulators,
} from '../../lib/local/emulators.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'local-stack-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function start(dataDir: string, opts: { snapshotIntervalMs?: number } = {}): Promise<LocalEmulators> {
  const emulators = await startLocalEmulators({ dataDir, blobPort: 0, queuePort: 0, cosmosPort: 0, ...opts });
  cleanups.push(() => emulators.stop());
  return emulators;
}

/** The adapters the app would build on top of the emulators. */
async function adapters(e: { cosmosEndpoint: string; storageConnectionString: string }) {
  const client = emulatorCosmosClient(e.cosmosEndpoint);
  cleanups.push(async () => client.dispose());
  return {
    store: new CosmosDocumentStore(await ensureCosmosContainer(client, 'customner', 'items')),
    blobs: new AzureBlobStore(BlobServiceClient.fromConnectionString(e.storageConnectionString)),
    queue: new StorageQueueJobQueue(
      QueueServiceClient.fromConnectionString(e.storageConnectionString).getQueueClient('jobs'),
    ),
  };
}

describe('local emulators persistence', () => {
  it('keeps projects, blobs and queued jobs across a clean stop and restart', async () => {
    const dataDir = await tempDir();
    // A long interval: only the snapshot taken by stop() can have saved the Cosmos writes.
    const first = await start(dataDir, { snapshotIntervalMs: 600_000 });
    expect(first.health()).toEqual({ 'azurite-blob': 'ready', 'azurite-queue': 'ready', cosmos: 'ready' });
    const a = await adapters(first);
    await a.store.create('project', 'alpha', 'alpha', { projectName: 'alpha', entities: [{ category: 'Person' }] });
    await a.store.create('document', 'alpha', 'folder%2Fdoc 1.txt', { location: 'folder/doc 1.txt' });
    await a.store.create('project', 'beta', 'beta', { projectName: 'beta' });
    await a.store.delete('project', 'beta', 'beta');
    await a.blobs.put('documents', 'alpha/doc 1.txt', new TextEncoder().encode('Jane lives in Paris.'));
    await a.queue.send({ type: 'project-delete', projectName: 'alpha', jobId: 'j1' });
    await first.stop();
    expect(first.health()).toEqual({ 'azurite-blob': 'unavailable', 'azurite-queue': 'unavailable', cosmos: 'unavailable' });

    const second = await start(dataDir);
    const b = await adapters(second);
    expect((await b.store.listAcross('project')).map((p) => [p.partition, p.value])).toEqual([
      ['alpha', { projectName: 'alpha', entities: [{ category: 'Person' }] }],
    ]);
    expect((await b.store.get('document', 'alpha', 'folder%2Fdoc 1.txt'))?.value).toEqual({
      location: 'folder/doc 1.txt',
    });
    expect(new TextDecoder().decode((await b.blobs.get('documents', 'alpha/doc 1.txt'))?.bytes)).toBe(
      'Jane lives in Paris.',
    );
    const [job] = await b.queue.receive(1);
    expect(job?.body).toEqual({ type: 'project-delete', projectName: 'alpha', jobId: 'j1' });
  });

  it('snapshots only after successful writes, and clears temp files a killed process left', async () => {
    const dataDir = await tempDir();
    const file = join(dataDir, 'cosmos.json');
    await writeFile(`${file}.12345.tmp`, '{"half":', 'utf8');
    const cosmos = await startCosmosEmulator({ port: 0, dataFile: file, snapshotIntervalMs: 600_000 });
    cleanups.push(() => cosmos.stop());
    expect(await readdir(dataDir)).toEqual([]);
    const { store } = await adapters({ cosmosEndpoint: cosmos.endpoint, storageConnectionString: 'UseDevelopmentStorage=true' });
    expect(await cosmos.flush()).toMatchObject({ items: 0, containers: 1 });

    await store.create('project', 'p1', 'p1', { v: 1 });
    expect(await cosmos.flush()).toMatchObject({ file, items: 1 });
    expect(await cosmos.flush()).toBeUndefined(); // nothing new
    await store.get('project', 'p1', 'p1');
    await store.list('project', 'p1');
    await expect(store.create('project', 'p1', 'p1', { v: 2 })).rejects.toThrow();
    expect(await cosmos.flush()).toBeUndefined(); // reads and failed writes change nothing
    expect(await readdir(dataDir)).toEqual(['cosmos.json']);
  });

  it('says which port is taken when another process already listens there', async () => {
    const dataDir = await tempDir();
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => blocker.close(() => r())));
    const taken = (blocker.address() as { port: number }).port;
    await expect(
      startLocalEmulators({ dataDir, blobPort: 0, queuePort: 0, cosmosPort: taken }),
    ).rejects.toThrow(`Cosmos emulator cannot listen on port ${taken}: it is in use`);
    await expect(startLocalEmulators({ dataDir, blobPort: taken, queuePort: 0, cosmosPort: 0 })).rejects.toThrow(
      `Azurite blob cannot listen on port ${taken}: it is in use`,
    );
  });

  it('refuses to start over a corrupt Cosmos snapshot and leaves the file alone', async () => {
    const dataDir = await tempDir();
    await writeFile(join(dataDir, 'cosmos.json'), '{"version":1,"databases":[', 'utf8');
    await expect(startLocalEmulators({ dataDir, blobPort: 0, queuePort: 0, cosmosPort: 0 })).rejects.toThrow(
      /cosmos\.json is not valid JSON/,
    );
    expect(await readFile(join(dataDir, 'cosmos.json'), 'utf8')).toBe('{"version":1,"databases":[');
  });

  it('after kill -9 keeps every write the last snapshot saw', async () => {
    const dataDir = await tempDir();
    const child = spawnChild(dataDir);
    const ready = await child.next((e) => e.event === 'ready');
    const a = await adapters(ready as { cosmosEndpoint: string; storageConnectionString: string });
    for (const name of ['alpha', 'beta', 'gamma'])
      await a.store.create('project', name, name, { projectName: name, description: `the ${name} project` });
    await a.store.upsert('project', 'beta', 'beta', { projectName: 'beta', description: 'renamed' });
    await a.store.create('project', 'delta', 'delta', { projectName: 'delta', description: 'written last' });
    const lastWrite = Date.now();

    // A snapshot holding 4 items was dumped after the last write, so it holds every earlier one too.
    // Wait for it, then kill the child without any chance to clean up.
    await child.next((e) => e.event === 'snapshot' && Number(e.items) >= 4);
    expect(Date.now() - lastWrite).toBeLessThan(5000); // the promise: at most 5 s of writes at risk
    child.process.kill('SIGKILL');
    await child.exited;

    const again = await start(dataDir);
    const b = await adapters(again);
    expect((await b.store.listAcross<{ description: string }>('project')).map((p) => [p.id, p.value.description])).toEqual([
      ['alpha', 'the alpha project'],
      ['beta', 'renamed'],
      ['delta', 'written last'],
      ['gamma', 'the gamma project'],
    ]);
  });
});

/** Runs test/support/local-emulators-child.ts in its own node process and lets the test await its JSON events. */
function spawnChild(dataDir: string) {
  const proc: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, '../support/local-emulators-child.ts'), dataDir],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  cleanups.push(async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    await exited;
  });
  const events: Array<Record<string, unknown>> = [];
  const waiters: Array<{ match: (e: Record<string, unknown>) => boolean; resolve: (e: Record<string, unknown>) => void }> =
    [];
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    let event: Record<string, unknown>;
    try {
      event = JSON.parse(line);
    } catch {
      return; // not one of ours
    }
    events.push(event);
    for (const w of [...waiters]) if (w.match(event)) waiters.splice(waiters.indexOf(w), 1) && w.resolve(event);
  });
  return {
    process: proc,
    exited,
    /** Resolves with the first event (already seen or future) that matches; rejects if the child exits first. */
    next(match: (e: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
      const seen = events.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ match, resolve });
        void exited.then(() => reject(new Error(`emulator child exited (code ${proc.exitCode}) before the event`)));
      });
    },
  };
}
