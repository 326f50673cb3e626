// The dependency bundle every edge hands to use cases; type-only, so lib/ never pulls SDKs in through it.
import type { BlobStore } from '../ports/blob-store.js';
import type { Clock, IdGenerator } from '../ports/clock.js';
import type { DocumentStore } from '../ports/document-store.js';
import type { JobQueue } from '../ports/job-queue.js';
import type { Logger } from './logger.js';

/** State of one backing component as `/health` reports it. */
export type ComponentState = 'ready' | 'starting' | 'unavailable';

/**
 * What the app runs on. Built once per process by `buildDeps` (lib/app/deps.ts) from config, or by
 * `memoryDeps` (lib/app/memory.ts) in tests. Use cases take the whole bundle or the parts they need.
 */
export interface Deps {
  store: DocumentStore;
  blobs: BlobStore;
  queue: JobQueue;
  clock: Clock;
  ids: IdGenerator;
  log: Logger;
  /** Accepted `Ocp-Apim-Subscription-Key` values. Empty means every keyed route answers 401. */
  apiKeys: readonly string[];
  /** Each component's state; `/health` answers 200 only when all are `ready`. */
  health(): Promise<Record<string, ComponentState>>;
}
