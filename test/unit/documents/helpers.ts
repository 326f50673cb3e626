// Shared set-up for documents unit tests: memory deps with a project whose input container exists.
import { memoryDeps } from '../../../lib/app/memory.js';
import type { Deps } from '../../../lib/app/types.js';
import { drainJobQueue } from '../../../lib/jobs/consumer.js';
import type { ProjectRecord } from '../../../lib/documents/schemas.js';
import { documentsJobHandlers } from '../../../lib/documents/transfer.js';

let seq = 0;
/** Deterministic ids so assertions can name labels. */
export const counterIds = () => ({ next: () => `id${++seq}` });

/** Stores a project record with the given categories and creates its input container. */
export async function seedProject(deps: Deps, projectName: string, container: string, categories: string[]): Promise<void> {
  const now = new Date().toISOString();
  const project: ProjectRecord = {
    projectName,
    projectKind: 'CustomEntityRecognition',
    storageInputContainerName: container,
    language: 'en-us',
    createdDateTime: now,
    lastModifiedDateTime: now,
    entities: categories.map((category) => ({ category })),
  };
  await deps.store.create('project', projectName, projectName, project);
  await deps.blobs.ensureContainer(container);
}

export async function projectDeps(
  opts: { projectName?: string; container?: string; categories?: string[]; deps?: Partial<Deps> } = {},
): Promise<{ deps: Deps; projectName: string; container: string }> {
  const deps = memoryDeps({ ids: counterIds(), ...opts.deps });
  const projectName = opts.projectName ?? 'Contracts';
  const container = opts.container ?? 'contracts';
  await seedProject(deps, projectName, container, opts.categories ?? ['Person', 'Date', 'Org']);
  return { deps, projectName, container };
}

export const utf8 = (s: string) => new TextEncoder().encode(s);

/** Runs every queued job to completion. */
export const runJobs = (deps: Deps) => drainJobQueue(deps, documentsJobHandlers);
