// Reading and writing this area's items: projects (read, entity schema), documents with ETag-conditional retries.
import type { Deps } from '../app/types.js';
import { DomainError, isDomainError, notFound } from '../errors.js';
import type { StoredItem } from '../ports/document-store.js';
import type { DocumentRecord, IngestionEvent, ProjectRecord } from './schemas.js';

/** What the documents use cases need from the app. */
export type DocumentsDeps = Pick<Deps, 'store' | 'blobs' | 'queue' | 'clock' | 'ids' | 'log'>;

export const PROJECT = 'project';
export const DOCUMENT = 'document';
export const INGESTION_EVENT = 'ingestion-event';
export const ENTITY_LIST = 'entity-list';

export const documentId = (location: string) => encodeURIComponent(location);

/** The project, or NOT_FOUND naming it. */
export async function requireProject(deps: DocumentsDeps, projectName: string): Promise<StoredItem<ProjectRecord>> {
  const p = await deps.store.get<ProjectRecord>(PROJECT, projectName, projectName);
  if (!p) throw new DomainError('NOT_FOUND', `Project '${projectName}' was not found.`, { innerCode: 'ProjectNotFound', target: 'projectName' });
  return { ...p, value: { ...p.value, entities: p.value.entities ?? [] } };
}

/** Every project whose input container is `container` (normally one). */
export async function projectsForContainer(deps: DocumentsDeps, container: string): Promise<ProjectRecord[]> {
  const all = await deps.store.listAcross<ProjectRecord>(PROJECT);
  return all
    .map((p) => p.value)
    .filter((p) => containerOf(p) === container);
}

/** The project's input container (the projects area creates it; lower-case as blob storage requires). */
export const containerOf = (p: ProjectRecord): string => p.storageInputContainerName;

export async function getDocument(deps: DocumentsDeps, projectName: string, location: string) {
  return deps.store.get<DocumentRecord>(DOCUMENT, projectName, documentId(location));
}

export async function requireDocument(deps: DocumentsDeps, projectName: string, location: string): Promise<StoredItem<DocumentRecord>> {
  const d = await getDocument(deps, projectName, location);
  if (!d) throw notFound(`Document '${location}' of project '${projectName}'`, 'location');
  return d;
}

/**
 * Read-modify-write of one document with ETag-conditional writes, retried when someone else wrote in between.
 * `change` sees the current item (or undefined) and returns the new value, or undefined to write nothing.
 */
export async function updateDocument<R>(
  deps: DocumentsDeps,
  projectName: string,
  location: string,
  change: (current: StoredItem<DocumentRecord> | undefined) => { value: DocumentRecord; result: R } | { value?: undefined; result: R },
  opts: { ifMatch?: string; attempts?: number } = {},
): Promise<{ item?: StoredItem<DocumentRecord>; result: R }> {
  const attempts = opts.attempts ?? 20;
  for (let i = 0; ; i++) {
    const current = await getDocument(deps, projectName, location);
    if (opts.ifMatch !== undefined) {
      if (!current) throw notFound(`Document '${location}' of project '${projectName}'`, 'location');
      if (!etagMatches(opts.ifMatch, current.etag))
        throw new DomainError('PRECONDITION_FAILED', `Document '${location}' was changed by someone else (ETag mismatch).`, { target: 'If-Match' });
    }
    const next = change(current);
    if (!next.value) return { item: current, result: next.result };
    try {
      const item = current
        ? await deps.store.upsert(DOCUMENT, projectName, documentId(location), next.value, { ifMatch: current.etag })
        : await deps.store.create(DOCUMENT, projectName, documentId(location), next.value);
      return { item, result: next.result };
    } catch (e) {
      const raced = isDomainError(e) && (e.code === 'PRECONDITION_FAILED' || e.code === 'CONFLICT' || (e.code === 'NOT_FOUND' && !!current));
      if (!raced) throw e;
      // A client's own If-Match must not be retried past: someone else won.
      if (opts.ifMatch !== undefined) throw new DomainError('PRECONDITION_FAILED', `Document '${location}' was changed by someone else (ETag mismatch).`, { target: 'If-Match' });
      if (i + 1 >= attempts) throw new DomainError('CONFLICT', `Document '${location}' kept changing; try again.`, { cause: e });
    }
  }
}

/** `If-Match: *` matches anything; otherwise exact (quotes as sent, weak prefix ignored). */
export const etagMatches = (ifMatch: string, etag: string) => {
  const norm = (s: string) => s.trim().replace(/^W\//, '');
  return ifMatch.trim() === '*' || ifMatch.split(',').some((t) => norm(t) === norm(etag) || norm(t) === `"${norm(etag)}"` || `"${norm(t)}"` === norm(etag));
};

/** Keeps a user-visible trace of what ingestion did (and logs it). */
export async function recordIngestionEvent(
  deps: DocumentsDeps,
  projectName: string,
  event: Omit<IngestionEvent, 'id' | 'dateTime'>,
): Promise<IngestionEvent> {
  const now = deps.clock.now();
  const full: IngestionEvent = { id: `${now.toISOString()}-${deps.ids.next()}`, dateTime: now.toISOString(), ...event };
  deps.log.info(`document ${event.kind}`, { projectName, ...event });
  await deps.store.create(INGESTION_EVENT, projectName, full.id, full);
  return full;
}
