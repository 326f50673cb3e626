// The local stack's storage: Azurite (blob + queue) in-process and the Cosmos emulator, persisted under a data dir.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CosmosClient } from '@azure/cosmos';
import type { ComponentState } from '../app/types.js';
import {
  CosmosSnapshotter,
  readSnapshot,
  removeStaleTempFiles,
  restoreCosmos,
  type SnapshotInfo,
} from './cosmos-persistence.js';

const require = createRequire(import.meta.url);

/** Azurite's well-known development account (the same in every Azurite and the official emulator docs). */
export const AZURITE_ACCOUNT_NAME = 'devstoreaccount1';
export const AZURITE_ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
/** The Cosmos emulator's well-known key (the emulator does not check it; the SDK needs one). */
export const COSMOS_EMULATOR_KEY =
  'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==';

/** Where an emulator's progress goes; a subset of lib/app's Logger. */
export interface EmulatorLog {
  info(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const quiet: EmulatorLog = { info: () => {}, error: () => {} };

// --- Azurite -------------------------------------------------------------------------------------------------------

// Azurite ships no type declarations; these are the parts of its server classes used here.
interface AzuriteServer {
  start(): Promise<void>;
  close(): Promise<void>;
  /** Closes the stores and GC timers start() opened; close() refuses when listening failed, this does not. */
  afterClose(): Promise<void>;
  getStatus(): number;
  httpServer: Server;
}
type AzuriteServerClass = new (config: unknown) => AzuriteServer;
type AzuriteConfigClass = new (
  host: string,
  port: number,
  keepAliveTimeout: number,
  metadataDBPath: string,
  extentDBPath: string,
  persistencePathArray: Array<{ locationId: string; locationPath: string; maxConcurrency: number }>,
  enableAccessLog: boolean,
  accessLogWriteStream: undefined,
  enableDebugLog: boolean,
  debugLogFilePath: undefined,
  loose: boolean,
  skipApiVersionCheck: boolean,
) => unknown;

const load = <T>(path: string): T => (require(path) as { default: T }).default;

/** Options of {@link startAzurite}. */
export interface AzuriteOptions {
  /** Directory for Azurite's own persistence (its Loki databases and blob/queue extents). */
  location: string;
  host?: string;
  /** 0 (default) picks a free port. */
  blobPort?: number;
  queuePort?: number;
}

/** A running Azurite (blob + queue). */
export interface AzuriteHandle {
  blobEndpoint: string;
  queueEndpoint: string;
  /** Shared-key connection string with both endpoints (what STORAGE_CONNECTION would hold). */
  connectionString: string;
  accountName: string;
  accountKey: string;
  state(): { blob: ComponentState; queue: ComponentState };
  stop(): Promise<void>;
}

function portInUse(err: unknown, port: number, what: string): Error {
  if ((err as NodeJS.ErrnoException)?.code === 'EADDRINUSE')
    return new Error(`${what} cannot listen on port ${port}: it is in use (another emulator running?).`, { cause: err });
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * Starts Azurite's blob and queue servers in this process (loose mode, any API version), keeping data under
 * `location`. Resolves once both listen.
 */
export async function startAzurite(opts: AzuriteOptions): Promise<AzuriteHandle> {
  const host = opts.host ?? '127.0.0.1';
  const location = resolve(opts.location);
  await mkdir(location, { recursive: true });
  const BlobServer = load<AzuriteServerClass>('azurite/dist/src/blob/BlobServer.js');
  const BlobConfiguration = load<AzuriteConfigClass>('azurite/dist/src/blob/BlobConfiguration.js');
  const QueueServer = load<AzuriteServerClass>('azurite/dist/src/queue/QueueServer.js');
  const QueueConfiguration = load<AzuriteConfigClass>('azurite/dist/src/queue/QueueConfiguration.js');

  // Same file layout as the azurite CLI with --location, so either can open the other's data.
  const blob = new BlobServer(
    new BlobConfiguration(
      host,
      opts.blobPort ?? 0,
      5,
      join(location, '__azurite_db_blob__.json'),
      join(location, '__azurite_db_blob_extent__.json'),
      [{ locationId: 'Default', locationPath: join(location, '__blobstorage__'), maxConcurrency: 10 }],
      false,
      undefined,
      false,
      undefined,
      true,
      true,
    ),
  );
  const states = { blob: 'starting' as ComponentState, queue: 'starting' as ComponentState };
  try {
    await blob.start();
  } catch (err) {
    await blob.afterClose().catch(() => {});
    throw portInUse(err, opts.blobPort ?? 0, 'Azurite blob');
  }
  states.blob = 'ready';
  // Constructed only now: its Loki databases start autosave timers that would outlive a failed blob start.
  const queue = new QueueServer(
    new QueueConfiguration(
      host,
      opts.queuePort ?? 0,
      5,
      join(location, '__azurite_db_queue__.json'),
      join(location, '__azurite_db_queue_extent__.json'),
      [{ locationId: 'Default', locationPath: join(location, '__queuestorage__'), maxConcurrency: 10 }],
      false,
      undefined,
      false,
      undefined,
      true,
      true,
    ),
  );
  try {
    await queue.start();
  } catch (err) {
    await queue.afterClose().catch(() => {});
    await blob.close().catch(() => {});
    throw portInUse(err, opts.queuePort ?? 0, 'Azurite queue');
  }
  states.queue = 'ready';
  blob.httpServer.once('close', () => (states.blob = 'unavailable'));
  queue.httpServer.once('close', () => (states.queue = 'unavailable'));

  const port = (s: AzuriteServer) => (s.httpServer.address() as AddressInfo).port;
  const blobEndpoint = `http://${host}:${port(blob)}/${AZURITE_ACCOUNT_NAME}`;
  const queueEndpoint = `http://${host}:${port(queue)}/${AZURITE_ACCOUNT_NAME}`;
  let stopping: Promise<void> | undefined;
  return {
    blobEndpoint,
    queueEndpoint,
    connectionString:
      `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT_NAME};AccountKey=${AZURITE_ACCOUNT_KEY};` +
      `BlobEndpoint=${blobEndpoint};QueueEndpoint=${queueEndpoint};`,
    accountName: AZURITE_ACCOUNT_NAME,
    accountKey: AZURITE_ACCOUNT_KEY,
    state: () => ({ ...states }),
    stop: () =>
      (stopping ??= (async () => {
        states.blob = states.queue = 'unavailable';
        // close() saves Azurite's Loki databases; it does not wait for the listening socket, so wait for that too.
        const closed = (s: AzuriteServer) =>
          s.httpServer.listening ? new Promise<void>((r) => s.httpServer.once('close', () => r())) : Promise.resolve();
        const waits = [closed(blob), closed(queue)];
        await Promise.all([blob.close(), queue.close()]);
        await Promise.all(waits);
      })()),
  };
}

// --- Cosmos emulator -----------------------------------------------------------------------------------------------

/** Options of {@link startCosmosEmulator}. */
export interface CosmosEmulatorOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Snapshot file: restored on start, written while things change and on stop. Without it, memory only. */
  dataFile?: string;
  /** Minimum time between snapshots (default 2000 ms). */
  snapshotIntervalMs?: number;
  log?: EmulatorLog;
  /** Called after each snapshot that was written. */
  onSnapshot?: (info: SnapshotInfo) => void;
}

/** A running Cosmos emulator. */
export interface CosmosEmulatorHandle {
  /** `http://host:port/`; clients need `connectionPolicy: { enableEndpointDiscovery: false }`. */
  endpoint: string;
  key: string;
  state(): ComponentState;
  /** Writes a snapshot now if anything changed (no-op without `dataFile`). */
  flush(): Promise<SnapshotInfo | undefined>;
  /** Final snapshot (with `dataFile`), then closes the server. */
  stop(): Promise<void>;
}

/** A CosmosClient set up for the emulator (plain HTTP, no endpoint discovery). */
export function emulatorCosmosClient(endpoint: string, key = COSMOS_EMULATOR_KEY): CosmosClient {
  return new CosmosClient({ endpoint, key, connectionPolicy: { enableEndpointDiscovery: false } });
}

function isWrite(req: IncomingMessage): boolean {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return false;
  if (req.method !== 'POST') return true;
  const isQuery = String(req.headers['x-ms-documentdb-isquery'] ?? '').toLowerCase() === 'true';
  return !isQuery && !String(req.headers['content-type'] ?? '').startsWith('application/query+json');
}

/**
 * Starts @vercel/cosmosdb-server over plain HTTP. With `dataFile` it restores that snapshot before resolving and
 * keeps it current: at most every `snapshotIntervalMs` while writes happen, and once more on `stop()`.
 * Note: item ETags change across a restart (the emulator assigns new ones on restore).
 */
export async function startCosmosEmulator(opts: CosmosEmulatorOptions = {}): Promise<CosmosEmulatorHandle> {
  const host = opts.host ?? '127.0.0.1';
  const log = opts.log ?? quiet;
  const { createHttpServer } = require('@vercel/cosmosdb-server') as {
    createHttpServer(o?: { keepAlive?: boolean }): Server;
  };
  const server = createHttpServer({ keepAlive: true });
  let state: ComponentState = 'starting';
  let snapshotter: CosmosSnapshotter | undefined;
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!isWrite(req)) return;
    res.once('finish', () => {
      if (res.statusCode < 400) snapshotter?.markDirty();
    });
  });
  try {
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(opts.port ?? 0, host, () => {
        server.off('error', fail);
        ok();
      });
    });
  } catch (err) {
    throw portInUse(err, opts.port ?? 0, 'Cosmos emulator');
  }
  server.once('close', () => (state = 'unavailable'));
  const endpoint = `http://${host}:${(server.address() as AddressInfo).port}/`;
  const client = emulatorCosmosClient(endpoint);
  const closeServer = () =>
    new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    });

  if (opts.dataFile) {
    const file = resolve(opts.dataFile);
    try {
      await removeStaleTempFiles(file);
      const snapshot = await readSnapshot(file);
      if (snapshot) {
        const restored = await restoreCosmos(client, snapshot);
        log.info('cosmos emulator restored', { file, ...restored });
      }
      snapshotter = new CosmosSnapshotter({
        client,
        file,
        intervalMs: opts.snapshotIntervalMs,
        onSnapshot: (info) => {
          log.info('cosmos snapshot written', { ...info });
          opts.onSnapshot?.(info);
        },
        onError: (err) => log.error('cosmos snapshot failed', { file, error: err }),
      });
      if (snapshot) snapshotter.setBaseline(snapshot);
      snapshotter.start();
    } catch (err) {
      client.dispose();
      await closeServer();
      throw err;
    }
  }
  state = 'ready';

  let stopping: Promise<void> | undefined;
  return {
    endpoint,
    key: COSMOS_EMULATOR_KEY,
    state: () => state,
    flush: async () => snapshotter?.flush(),
    stop: () =>
      (stopping ??= (async () => {
        try {
          await snapshotter?.stop();
        } finally {
          state = 'unavailable';
          client.dispose();
          await closeServer();
        }
      })()),
  };
}

// --- The local stack -----------------------------------------------------------------------------------------------

/** Options of {@link startLocalEmulators}; main.ts passes them from config (DATA_DIR, AZURITE_*_PORT, COSMOS_PORT). */
export interface LocalEmulatorOptions {
  /** Default `./.data`; Azurite keeps its data in `<dataDir>/azurite`, the Cosmos emulator in `<dataDir>/cosmos.json`. */
  dataDir?: string;
  /** Default 10000. */
  blobPort?: number;
  /** Default 10001. */
  queuePort?: number;
  /** Default 8081. */
  cosmosPort?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Minimum time between Cosmos snapshots (default 2000 ms). */
  snapshotIntervalMs?: number;
  log?: EmulatorLog;
  /** Called after each Cosmos snapshot written to disk. */
  onSnapshot?: (info: SnapshotInfo) => void;
}

/** The running local storage stack. */
export interface LocalEmulators {
  /** For BlobServiceClient/QueueServiceClient.fromConnectionString (shared key, Azurite). */
  storageConnectionString: string;
  blobEndpoint: string;
  queueEndpoint: string;
  /** For CosmosClient: use {@link emulatorCosmosClient} or pass `connectionPolicy: { enableEndpointDiscovery: false }`. */
  cosmosEndpoint: string;
  cosmosKey: string;
  /** `azurite-blob`, `azurite-queue`, `cosmos` → state. */
  health(): Record<string, ComponentState>;
  /** Writes a Cosmos snapshot now if anything changed. */
  flush(): Promise<void>;
  /** Final Cosmos snapshot, then closes everything. Call on SIGINT/SIGTERM after the HTTP host stopped accepting. */
  stop(): Promise<void>;
}

/**
 * Starts Azurite and the Cosmos emulator for `npm start`, restoring the Cosmos state from `<dataDir>/cosmos.json`
 * before resolving. Until the promise resolves the caller should report every component as `starting`.
 * Durability: clean stop loses nothing; `kill -9` loses at most the last snapshot interval (2 s) of Cosmos writes and
 * Azurite's own autosave interval (5 s) of blob/queue metadata.
 */
export async function startLocalEmulators(opts: LocalEmulatorOptions = {}): Promise<LocalEmulators> {
  const dataDir = resolve(opts.dataDir ?? './.data');
  const log = opts.log ?? quiet;
  const host = opts.host ?? '127.0.0.1';
  await mkdir(dataDir, { recursive: true });
  const azurite = await startAzurite({
    location: join(dataDir, 'azurite'),
    host,
    blobPort: opts.blobPort ?? 10000,
    queuePort: opts.queuePort ?? 10001,
  });
  let cosmos: CosmosEmulatorHandle;
  try {
    cosmos = await startCosmosEmulator({
      host,
      port: opts.cosmosPort ?? 8081,
      dataFile: join(dataDir, 'cosmos.json'),
      snapshotIntervalMs: opts.snapshotIntervalMs,
      log,
      onSnapshot: opts.onSnapshot,
    });
  } catch (err) {
    await azurite.stop().catch(() => {});
    throw err;
  }
  log.info('local emulators ready', {
    blob: azurite.blobEndpoint,
    queue: azurite.queueEndpoint,
    cosmos: cosmos.endpoint,
    dataDir,
  });
  let stopping: Promise<void> | undefined;
  return {
    storageConnectionString: azurite.connectionString,
    blobEndpoint: azurite.blobEndpoint,
    queueEndpoint: azurite.queueEndpoint,
    cosmosEndpoint: cosmos.endpoint,
    cosmosKey: cosmos.key,
    health: () => {
      const a = azurite.state();
      return { 'azurite-blob': a.blob, 'azurite-queue': a.queue, cosmos: cosmos.state() };
    },
    flush: async () => {
      await cosmos.flush();
    },
    stop: () =>
      (stopping ??= (async () => {
        const results = await Promise.allSettled([cosmos.stop(), azurite.stop()]);
        const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (failed) throw failed.reason;
        log.info('local emulators stopped', { dataDir });
      })()),
  };
}
