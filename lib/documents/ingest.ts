// Blob → document: the one handler behind the Event Grid trigger, the local blob watcher and text PUTs.
import { createHash } from 'node:crypto';
import type { BlobContent } from '../ports/blob-store.js';
import { decodeDocument } from './decode.js';
import { reanchorLabels, reanchorSuggestions } from './reanchor.js';
import type { DocumentRecord, IngestionEvent, Label } from './schemas.js';
import {
  type DocumentsDeps,
  DOCUMENT,
  documentId,
  getDocument,
  projectsForContainer,
  recordIngestionEvent,
  updateDocument,
} from './store.js';

export const contentHash = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

export interface IngestOutcome {
  projectName: string;
  location: string;
  kind: IngestionEvent['kind'];
  reason?: string;
  labelsKept?: number;
  labelsNeedingReview?: number;
  labelsRemoved?: number;
}

/** Extra fields a caller (PUT, import) sets along with the text. */
export interface TextExtras {
  language?: string;
  dataset?: DocumentRecord['dataset'];
  /** Replaces the labels instead of re-anchoring the old ones. */
  labels?: Label[];
  regions?: DocumentRecord['regions'];
}

/**
 * Makes the document `location` of `projectName` reflect `blob` (its bytes decoded). Same content hash as stored → no
 * write. Changed text → labels re-anchored, unfindable ones marked needsReview. Undecodable → recorded as rejected.
 */
export async function applyBlob(
  deps: DocumentsDeps,
  projectName: string,
  blob: BlobContent,
  extras: TextExtras = {},
  opts: { defaultLanguage?: string; record?: boolean } = {},
): Promise<IngestOutcome> {
  const location = blob.name;
  const hash = contentHash(blob.bytes);
  const decoded = decodeDocument(location, blob.bytes);
  const now = deps.clock.now().toISOString();
  const { result } = await updateDocument<IngestOutcome>(deps, projectName, location, (current) => {
    const cur = current?.value;
    const sameContent = cur?.contentHash === hash;
    const hasExtras = extras.language !== undefined || extras.dataset !== undefined || extras.labels !== undefined || extras.regions !== undefined;
    if (sameContent && !hasExtras) {
      return { result: { projectName, location, kind: 'unchanged' } };
    }
    const base: DocumentRecord = cur ?? {
      location,
      text: '',
      language: opts.defaultLanguage ?? 'en-us',
      dataset: null,
      labels: [],
      suggestions: [],
      status: 'ready',
      createdDateTime: now,
      lastModifiedDateTime: now,
    };
    const next: DocumentRecord = {
      ...base,
      language: extras.language ?? base.language,
      dataset: extras.dataset !== undefined ? extras.dataset : base.dataset,
      regions: extras.regions !== undefined ? extras.regions : base.regions,
      blobEtag: blob.etag,
      contentHash: hash,
      lastModifiedDateTime: now,
    };
    if (!decoded.ok) {
      const { labels } = reanchorLabels(base.text, '', base.labels);
      Object.assign(next, { status: 'rejected', rejectionReason: decoded.reason, text: '', labels, suggestions: [] });
      return {
        value: next,
        result: { projectName, location, kind: 'rejected', reason: decoded.reason, labelsNeedingReview: labels.length },
      };
    }
    next.status = 'ready';
    delete next.rejectionReason;
    next.text = decoded.text;
    let kept = 0;
    let review = 0;
    if (extras.labels) {
      next.labels = extras.labels;
      kept = extras.labels.length;
    } else if (base.text !== decoded.text || base.labels.some((l) => l.status === 'needsReview')) {
      const r = reanchorLabels(base.text, decoded.text, base.labels);
      next.labels = r.labels;
      [kept, review] = [r.kept, r.needsReview];
      next.suggestions = reanchorSuggestions(base.text, decoded.text, base.suggestions);
      // Regions described the old text; after an edit the whole text counts.
      if (base.text !== decoded.text && extras.regions === undefined) delete next.regions;
    } else kept = base.labels.length;
    return {
      value: next,
      result: { projectName, location, kind: cur ? 'updated' : 'created', labelsKept: kept, labelsNeedingReview: review },
    };
  });
  if (result.kind !== 'unchanged' && opts.record !== false) {
    const { projectName: _p, ...event } = result;
    await recordIngestionEvent(deps, projectName, event);
  }
  return result;
}

/** Removes the document of a deleted blob; says how many labels went with it. */
export async function removeDocument(deps: DocumentsDeps, projectName: string, location: string): Promise<IngestOutcome> {
  for (;;) {
    const current = await getDocument(deps, projectName, location);
    if (!current) return { projectName, location, kind: 'unchanged' };
    try {
      await deps.store.delete(DOCUMENT, projectName, documentId(location), { ifMatch: current.etag });
    } catch (e) {
      if ((e as { code?: string }).code === 'PRECONDITION_FAILED') continue;
      if ((e as { code?: string }).code === 'NOT_FOUND') return { projectName, location, kind: 'unchanged' };
      throw e;
    }
    const labelsRemoved = current.value.labels.length;
    await recordIngestionEvent(deps, projectName, { location, kind: 'deleted', labelsRemoved });
    return { projectName, location, kind: 'deleted', labelsRemoved };
  }
}

/**
 * The blob event handler: a blob `name` in `container` was created, changed or deleted. Looks at the blob as it is
 * now (events may arrive late or out of order), so calling it twice or for a stale event is harmless. Returns one
 * outcome per project using the container (none when no project does).
 */
export async function documentsIngestBlob(
  deps: DocumentsDeps,
  input: { container: string; name: string },
): Promise<IngestOutcome[]> {
  const projects = await projectsForContainer(deps, input.container);
  if (projects.length === 0) {
    deps.log.info('blob event for a container no project uses; ignored', input);
    return [];
  }
  const out: IngestOutcome[] = [];
  for (const project of projects) {
    out.push(await syncBlob(deps, project.projectName, input.container, input.name, project.language));
  }
  return out;
}

/** Brings one document in line with its blob, re-reading until the blob did not change under us. */
export async function syncBlob(
  deps: DocumentsDeps,
  projectName: string,
  container: string,
  name: string,
  defaultLanguage?: string,
  extras: TextExtras = {},
): Promise<IngestOutcome> {
  let blob = await deps.blobs.get(container, name);
  for (let i = 0; i < 10; i++) {
    if (!blob) return removeDocument(deps, projectName, name);
    const outcome = await applyBlob(deps, projectName, blob, extras, { defaultLanguage });
    // A concurrent upload may have landed after we read; the last writer re-checks so the newest bytes win.
    const now = await deps.blobs.get(container, name);
    if (now && now.etag === blob.etag) return outcome;
    if (!now && i > 0) return removeDocument(deps, projectName, name);
    if (!now) return removeDocument(deps, projectName, name);
    blob = now;
    extras = {};
  }
  return { projectName, location: name, kind: 'unchanged' };
}
