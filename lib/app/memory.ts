// Deps backed by the in-memory adapters: unit tests and handler tests run the real use cases on these.
import { MemoryBlobStore } from '../adapters/memory/memory-blob-store.js';
import { MemoryDocumentStore } from '../adapters/memory/memory-document-store.js';
import { MemoryJobQueue } from '../adapters/memory/memory-job-queue.js';
import { randomIds, systemClock } from '../ports/clock.js';
import { silentLogger } from './logger.js';
import type { Deps } from './types.js';

/** The API key memoryDeps accepts unless `apiKeys` is overridden. */
export const TEST_API_KEY = 'test-key-0123456789';

/** Fresh in-memory deps; pass overrides for a fixed clock, ids, a recording logger, other keys. */
export function memoryDeps(overrides: Partial<Deps> = {}): Deps {
  return {
    store: new MemoryDocumentStore(),
    blobs: new MemoryBlobStore(),
    queue: new MemoryJobQueue(),
    clock: systemClock,
    ids: randomIds,
    log: silentLogger,
    apiKeys: [TEST_API_KEY],
    health: async () => ({ documentStore: 'ready', blobStore: 'ready', jobQueue: 'ready' }),
    ...overrides,
  };
}
