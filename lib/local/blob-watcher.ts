// The local stand-in for Event Grid blob events: polls each project's container and feeds changes to the ingest handler.
import type { DocumentRecord, ProjectRecord } from '../documents/schemas.js';
import { removeDocument, syncBlob } from '../documents/ingest.js';
import { DOCUMENT, type DocumentsDeps, PROJECT } from '../documents/store.js';

/** A running watcher. */
export interface BlobWatcher {
  /** Stops polling after the pass in hand. */
  stop(): Promise<void>;
  /** Resolves once a full pass that started after this call has finished (starts one now instead of waiting). */
  drained(): Promise<void>;
}

/**
 * Starts polling every `intervalMs` (default 2000): lists each project's input container and compares blob ETags with
 * what it saw before (on first sight of a project: with the documents' recorded blob ETags, so changes made while
 * the stack was down are picked up too). New or changed blobs and deleted ones go through the same handler as the
 * Azure Event Grid trigger. A failing blob is logged and tried again on the next pass.
 */
export function startBlobWatcher(deps: DocumentsDeps, opts: { intervalMs?: number } = {}): BlobWatcher {
  const intervalMs = opts.intervalMs ?? 2000;
  /** project → blob name → last handled ETag. */
  const seen = new Map<string, Map<string, string>>();
  let stopped = false;
  let started = 0;
  let finished = 0;
  const waiters: Array<{ after: number; resolve: () => void }> = [];
  let wake: (() => void) | undefined;

  async function pass(): Promise<void> {
    const projects = await deps.store.listAcross<ProjectRecord>(PROJECT);
    const live = new Set<string>();
    for (const { value: p } of projects) {
      if (stopped) return;
      if (!p.storageInputContainerName || (p as { deletionJobId?: string }).deletionJobId) continue;
      live.add(p.projectName);
      await watchProject(p);
    }
    for (const name of [...seen.keys()]) if (!live.has(name)) seen.delete(name);
  }

  async function watchProject(p: ProjectRecord): Promise<void> {
    const container = p.storageInputContainerName;
    let known = seen.get(p.projectName);
    if (!known) {
      const docs = await deps.store.list<DocumentRecord>(DOCUMENT, p.projectName);
      known = new Map(docs.map((d) => [d.value.location, d.value.blobEtag ?? '']));
    }
    const blobs = await deps.blobs.list(container);
    const next = new Map<string, string>();
    for (const b of blobs) {
      if (known.get(b.name) === b.etag) {
        next.set(b.name, b.etag);
        continue;
      }
      try {
        await syncBlob(deps, p.projectName, container, b.name, p.language);
        next.set(b.name, b.etag);
      } catch (err) {
        deps.log.error('blob watcher: ingest failed; will retry', { projectName: p.projectName, blob: b.name, error: err });
      }
    }
    const present = new Set(blobs.map((b) => b.name));
    for (const name of known.keys()) {
      if (present.has(name)) continue;
      try {
        await removeDocument(deps, p.projectName, name);
      } catch (err) {
        deps.log.error('blob watcher: removing a document failed; will retry', { projectName: p.projectName, blob: name, error: err });
        next.set(name, known.get(name)!);
      }
    }
    seen.set(p.projectName, next);
  }

  const loop = (async () => {
    while (!stopped) {
      const mine = ++started;
      try {
        await pass();
      } catch (err) {
        deps.log.error('blob watcher: pass failed; retrying', { error: err });
      }
      finished = mine;
      for (const w of waiters.splice(0)) {
        if (w.after < finished) w.resolve();
        else waiters.push(w);
      }
      if (stopped) break;
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, waiters.length > 0 ? 0 : intervalMs);
        function done() {
          clearTimeout(t);
          wake = undefined;
          resolve();
        }
        wake = done;
      });
    }
    for (const w of waiters.splice(0)) w.resolve();
  })();

  return {
    drained: () =>
      new Promise<void>((resolve) => {
        if (stopped) return resolve();
        waiters.push({ after: started, resolve });
        wake?.();
      }),
    stop: async () => {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}
