// The composition root: the only place SDK clients are built (once per process) and wired to the adapters.
import { CosmosClient, type Container } from '@azure/cosmos';
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { ServiceBusClient } from '@azure/service-bus';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueClient, QueueServiceClient } from '@azure/storage-queue';
import { AzureBlobStore } from '../adapters/blob/azure-blob-store.js';
import { CosmosDocumentStore, ensureCosmosContainer } from '../adapters/cosmos/cosmos-document-store.js';
import { ServiceBusJobQueue } from '../adapters/service-bus/service-bus-job-queue.js';
import { StorageQueueJobQueue } from '../adapters/storage-queue/storage-queue-job-queue.js';
import { getConfig, type Config } from '../config.js';
import { randomIds, systemClock } from '../ports/clock.js';
import type { JobQueue } from '../ports/job-queue.js';
import { consoleLogger, type Logger } from './logger.js';
import type { ComponentState, Deps } from './types.js';

/** The single Cosmos container every collection lives in (partition key `/pk`). */
export const COSMOS_CONTAINER = 'items';

/** Deps plus what it takes to release their clients. */
export interface AppRuntime {
  deps: Deps;
  /** Closes connections (Service Bus links, Cosmos timers). */
  close(): Promise<void>;
}

const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e) => (clearTimeout(t), reject(e)),
    );
  });

/**
 * Builds every client from `config`: Cosmos with a key (emulator) or DefaultAzureCredential, blobs from a connection
 * string or service URI + credential, and the job queue on Service Bus (when SERVICEBUS__fullyQualifiedNamespace is
 * set) or on a storage queue. With a key, the Cosmos database and container are created if missing; with an
 * identity they must exist (infra creates them; data-plane roles cannot).
 */
export async function buildDeps(
  config: Config,
  opts: { log?: Logger; apiKeys?: readonly string[]; extraHealth?: () => Promise<Record<string, ComponentState>> } = {},
): Promise<AppRuntime> {
  const log = opts.log ?? consoleLogger;
  if (!config.storage) throw new Error('No storage configured: set STORAGE_CONNECTION or STORAGE__blobServiceUri.');
  if (!config.cosmos) throw new Error('No Cosmos DB configured: set COSMOS_ENDPOINT (+ COSMOS_KEY) or COSMOS__accountEndpoint.');
  let credential: TokenCredential | undefined;
  const identity = () =>
    (credential ??= new DefaultAzureCredential(config.azureClientId ? { managedIdentityClientId: config.azureClientId } : {}));

  const cosmos =
    config.cosmos.kind === 'key'
      ? new CosmosClient({
          endpoint: config.cosmos.endpoint,
          key: config.cosmos.key,
          // The local emulator has no regional endpoints to discover.
          connectionPolicy: { enableEndpointDiscovery: false },
        })
      : new CosmosClient({ endpoint: config.cosmos.endpoint, aadCredentials: identity() });
  const container: Container =
    config.cosmos.kind === 'key'
      ? await ensureCosmosContainer(cosmos, config.cosmosDatabase, COSMOS_CONTAINER)
      : cosmos.database(config.cosmosDatabase).container(COSMOS_CONTAINER);
  const store = new CosmosDocumentStore(container);

  const blobService =
    config.storage.kind === 'connectionString'
      ? BlobServiceClient.fromConnectionString(config.storage.connectionString)
      : new BlobServiceClient(config.storage.blobServiceUri, identity());
  const blobs = new AzureBlobStore(blobService);

  let queue: JobQueue;
  let serviceBus: ServiceBusClient | undefined;
  if (config.serviceBusNamespace) {
    serviceBus = new ServiceBusClient(config.serviceBusNamespace, identity());
    queue = ServiceBusJobQueue.fromClient(serviceBus, config.jobQueueName);
  } else if (config.storage.kind === 'connectionString') {
    queue = new StorageQueueJobQueue(
      QueueServiceClient.fromConnectionString(config.storage.connectionString).getQueueClient(config.jobQueueName),
    );
  } else {
    const base = config.storage.queueServiceUri ?? config.storage.blobServiceUri.replace('.blob.', '.queue.');
    queue = new StorageQueueJobQueue(new QueueClient(`${base.replace(/\/$/, '')}/${config.jobQueueName}`, identity()));
  }

  const probe = async (fn: () => Promise<unknown>): Promise<ComponentState> => {
    try {
      await withTimeout(fn(), 3000);
      return 'ready';
    } catch {
      return 'unavailable';
    }
  };
  const deps: Deps = {
    store,
    blobs,
    queue,
    clock: systemClock,
    ids: randomIds,
    log,
    apiKeys: opts.apiKeys ?? config.apiKeys,
    health: async () => {
      const [documentStore, blobStore] = await Promise.all([
        probe(() => store.get('project', '__health', '__health')),
        probe(() => blobs.list('health-probe')),
      ]);
      return { documentStore, blobStore, jobQueue: 'ready', ...((await opts.extraHealth?.()) ?? {}) };
    },
  };
  return {
    deps,
    close: async () => {
      await serviceBus?.close();
      cosmos.dispose();
    },
  };
}

let shared: Promise<AppRuntime> | undefined;

/** The process-wide runtime built from process.env on first use (Azure Functions reuses it across invocations). */
export function sharedRuntime(): Promise<AppRuntime> {
  shared ??= buildDeps(getConfig()).catch((err) => {
    shared = undefined;
    throw err;
  });
  return shared;
}
