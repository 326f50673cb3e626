// Test helpers: Azurite and the Cosmos emulator on free loopback ports, started and stopped by the test itself.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAzurite as startAzuriteServers, startCosmosEmulator, emulatorCosmosClient } from '../../lib/local/emulators.js';

export { emulatorCosmosClient };

/** A running Azurite for one test file. */
export interface TestAzurite {
  blobEndpoint: string;
  queueEndpoint: string;
  connectionString: string;
  accountName: string;
  accountKey: string;
  stop(): Promise<void>;
}

/** Starts Azurite (blob + queue) in-process on free ports with its data in a fresh temp dir (removed on stop). */
export async function startAzurite(opts: { location?: string } = {}): Promise<TestAzurite> {
  const location = opts.location ?? (await mkdtemp(join(tmpdir(), 'azurite-')));
  const azurite = await startAzuriteServers({ location, blobPort: 0, queuePort: 0 });
  return {
    blobEndpoint: azurite.blobEndpoint,
    queueEndpoint: azurite.queueEndpoint,
    connectionString: azurite.connectionString,
    accountName: azurite.accountName,
    accountKey: azurite.accountKey,
    stop: async () => {
      await azurite.stop();
      if (!opts.location) await rm(location, { recursive: true, force: true });
    },
  };
}

/** A running in-memory Cosmos emulator for one test file. */
export interface TestCosmos {
  endpoint: string;
  key: string;
  stop(): Promise<void>;
}

/** Starts @vercel/cosmosdb-server on a free port (memory only). Build clients with `emulatorCosmosClient(endpoint)`. */
export async function startCosmos(): Promise<TestCosmos> {
  const cosmos = await startCosmosEmulator({ port: 0 });
  return { endpoint: cosmos.endpoint, key: cosmos.key, stop: () => cosmos.stop() };
}
