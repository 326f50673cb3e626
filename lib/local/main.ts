// `npm start`: emulators (unless external services are configured), the app's deps, the HTTP host and the queue worker.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildDeps, type AppRuntime } from '../app/deps.js';
import { consoleLogger, type Logger } from '../app/logger.js';
import type { ComponentState, Deps } from '../app/types.js';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { DomainError } from '../errors.js';
import { errorResponse } from '../http/errors.js';
import { createHttpHandler, serialize, type HttpHandler } from '../http/handle.js';
import { routes } from '../http/routes/index.js';
import { jobHandlers } from '../jobs/index.js';
import { startBlobWatcher, type BlobWatcher } from './blob-watcher.js';
import { startAzurite, startCosmosEmulator, startLocalEmulators } from './emulators.js';
import { startQueueWorker, type QueueWorker } from './queue-worker.js';
import { startHttpServer, type LocalHttpServer } from './server.js';

/** A running local stack. */
export interface LocalStack {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** A key the API accepts (`Ocp-Apim-Subscription-Key`). */
  apiKey: string;
  storageConnectionString?: string;
  deps: Deps;
  /** The local stand-in for Event Grid blob events (undefined when started with `blobWatcher: false`). */
  blobWatcher?: BlobWatcher;
  /** Stops the HTTP host, then the blob watcher and worker, then the emulators (which write their final snapshot). */
  stop(): Promise<void>;
}

const API_KEY_FILE = 'api-key';

/** The configured keys, or the key kept in DATA_DIR (generated on first start). */
async function resolveApiKeys(config: Config): Promise<{ keys: string[]; generated: boolean }> {
  if (config.apiKeys.length > 0) return { keys: config.apiKeys, generated: false };
  const file = join(resolve(config.dataDir), API_KEY_FILE);
  try {
    const key = (await readFile(file, 'utf8')).trim();
    if (key) return { keys: [key], generated: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const key = randomBytes(24).toString('base64url');
  await mkdir(resolve(config.dataDir), { recursive: true });
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  return { keys: [key], generated: true };
}

/** Answers `/health` with 503 (and each component's state) and every other route with 503 while the stack starts. */
export function startingHandler(states: () => Record<string, ComponentState>, log: Logger): HttpHandler {
  return async (req) => {
    const path = new URL(req.url).pathname;
    if (path === '/health')
      return serialize({ status: 503, headers: { 'retry-after': '1' }, body: { status: 'starting', components: states() } }, req.requestId);
    return serialize(
      errorResponse(new DomainError('UNAVAILABLE', 'The service is starting.'), {
        azure: path.startsWith('/language'),
        requestId: req.requestId,
        instance: path,
        log,
        headers: { 'retry-after': '1' },
      }),
      req.requestId,
    );
  };
}

/** What main started itself: the emulators for whatever is not configured externally (possibly none). */
interface StartedEmulators {
  storageConnectionString?: string;
  cosmosEndpoint?: string;
  cosmosKey?: string;
  health(): Record<string, ComponentState>;
  stop(): Promise<void>;
}

/** Starts Azurite unless storage is configured, and the Cosmos emulator unless Cosmos is, both under DATA_DIR. */
async function startMissingEmulators(config: Config, log: Logger, snapshotIntervalMs?: number): Promise<StartedEmulators> {
  if (!config.storage && !config.cosmos) {
    const all = await startLocalEmulators({
      dataDir: config.dataDir,
      blobPort: config.azuriteBlobPort,
      queuePort: config.azuriteQueuePort,
      cosmosPort: config.cosmosPort,
      snapshotIntervalMs,
      log,
    });
    return all;
  }
  if (!config.storage) {
    const azurite = await startAzurite({
      location: join(resolve(config.dataDir), 'azurite'),
      blobPort: config.azuriteBlobPort,
      queuePort: config.azuriteQueuePort,
    });
    log.info('azurite ready', { blob: azurite.blobEndpoint, queue: azurite.queueEndpoint });
    return {
      storageConnectionString: azurite.connectionString,
      health: () => {
        const a = azurite.state();
        return { 'azurite-blob': a.blob, 'azurite-queue': a.queue };
      },
      stop: () => azurite.stop(),
    };
  }
  if (!config.cosmos) {
    const cosmos = await startCosmosEmulator({
      port: config.cosmosPort,
      dataFile: join(resolve(config.dataDir), 'cosmos.json'),
      snapshotIntervalMs,
      log,
    });
    log.info('cosmos emulator ready', { endpoint: cosmos.endpoint });
    return {
      cosmosEndpoint: cosmos.endpoint,
      cosmosKey: cosmos.key,
      health: () => ({ cosmos: cosmos.state() }),
      stop: () => cosmos.stop(),
    };
  }
  return { health: () => ({}), stop: async () => {} };
}

/**
 * Starts the whole local stack from `config`. Tests pass ports 0 (free ports) and a temp DATA_DIR. Starts Azurite
 * and the Cosmos emulator only for what is not configured externally (STORAGE_CONNECTION / COSMOS_ENDPOINT…).
 */
export async function startLocalStack(
  config: Config,
  opts: {
    log?: Logger;
    workerIdleMs?: number;
    snapshotIntervalMs?: number;
    /** Blob polling (default every 2 s); false to start none. */
    blobWatcher?: { intervalMs?: number } | false;
  } = {},
): Promise<LocalStack> {
  const log = opts.log ?? consoleLogger;
  const { keys } = await resolveApiKeys(config);
  const states: Record<string, ComponentState> = { emulators: 'starting', app: 'starting' };
  const server: LocalHttpServer = await startHttpServer({
    port: config.port,
    handler: startingHandler(() => ({ ...states }), log),
    log,
  });
  let emulators: StartedEmulators | undefined;
  let runtime: AppRuntime | undefined;
  let worker: QueueWorker | undefined;
  let watcher: BlobWatcher | undefined;
  try {
    emulators = await startMissingEmulators(config, log, opts.snapshotIntervalMs);
    const effective: Config & Required<Pick<Config, 'storage' | 'cosmos'>> = {
      ...config,
      storage: config.storage ?? { kind: 'connectionString', connectionString: emulators.storageConnectionString! },
      cosmos: config.cosmos ?? { kind: 'key', endpoint: emulators.cosmosEndpoint!, key: emulators.cosmosKey! },
    };
    delete states.emulators;
    const em = emulators;
    runtime = await buildDeps(effective, {
      log,
      apiKeys: keys,
      extraHealth: async () => ({
        ...(em?.health() ?? {}),
        queueWorker: worker?.state() ?? 'starting',
      }),
    });
    const base = runtime.deps;
    // Wake the worker as soon as a job is queued, so local jobs start without waiting for the next poll.
    const deps: Deps = {
      ...base,
      queue: {
        send: async (body) => {
          await base.queue.send(body);
          worker?.wake();
        },
        receive: (max, o) => base.queue.receive(max, o),
        deadLettered: () => base.queue.deadLettered(),
      },
    };
    worker = startQueueWorker({ deps, handlers: jobHandlers, idleMs: opts.workerIdleMs });
    if (opts.blobWatcher !== false) watcher = startBlobWatcher(deps, opts.blobWatcher ?? {});
    server.setHandler(createHttpHandler(routes, deps));
    const storageConnectionString =
      effective.storage.kind === 'connectionString' ? effective.storage.connectionString : undefined;
    let stopping: Promise<void> | undefined;
    return {
      url: server.url,
      apiKey: keys[0],
      storageConnectionString,
      deps,
      blobWatcher: watcher,
      stop: () =>
        (stopping ??= (async () => {
          await server.close();
          await watcher?.stop();
          await worker?.stop();
          await runtime?.close();
          await emulators?.stop();
        })()),
    };
  } catch (err) {
    await server.close(0).catch(() => {});
    await watcher?.stop().catch(() => {});
    await worker?.stop().catch(() => {});
    await runtime?.close().catch(() => {});
    await emulators?.stop().catch(() => {});
    throw err;
  }
}

/** Entry point of `npm start`: prints what a user needs once ready, stops cleanly on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    console.error(err instanceof ConfigError ? err.message : err);
    process.exit(2);
  }
  let stack: LocalStack;
  try {
    stack = await startLocalStack(config);
  } catch (err) {
    console.error(`custom-ner failed to start: ${(err as Error).message}`);
    process.exit(1);
  }
  const lines = [
    '',
    'custom-ner is ready',
    `  URL:          ${stack.url}`,
    `  API key:      ${stack.apiKey}   (header Ocp-Apim-Subscription-Key)`,
    ...(stack.storageConnectionString ? [`  Storage:      ${stack.storageConnectionString}`] : []),
    `  Data:         ${resolve(config.dataDir)}`,
    `  Try:          curl -H "Ocp-Apim-Subscription-Key: ${stack.apiKey}" "${stack.url}/language/authoring/analyze-text/projects?api-version=2023-04-01"`,
    '',
  ];
  console.log(lines.join('\n'));
  let shuttingDown = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.on(signal, () => {
      if (shuttingDown) return;
      shuttingDown = true;
      console.log(`${signal}: stopping…`);
      stack.stop().then(
        () => {
          console.log('custom-ner stopped');
          process.exit(0);
        },
        (err) => {
          console.error('custom-ner: error while stopping', err);
          process.exit(1);
        },
      );
    });
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) void main();
