// Parses storage blob events (Event Grid schema or CloudEvents) into the container/blob the ingest handler needs.
import { z } from 'zod';

/** The event types that change a document. */
export const BLOB_EVENT_TYPES = ['Microsoft.Storage.BlobCreated', 'Microsoft.Storage.BlobDeleted'] as const;

const BlobEvent = z.looseObject({
  subject: z.string().regex(/^\/blobServices\/default\/containers\/[^/]+\/blobs\/.+$/, 'must be /blobServices/default/containers/{container}/blobs/{name}'),
  eventType: z.string().optional(),
  type: z.string().optional(),
});

/** `{container, name}` of a blob event, or the reason it is not one this area handles. */
export function parseBlobEvent(event: unknown): { ok: true; container: string; name: string } | { ok: false; reason: string } {
  const r = BlobEvent.safeParse(event);
  if (!r.success) return { ok: false, reason: r.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`).join('; ') };
  const kind = r.data.eventType ?? r.data.type;
  if (kind !== undefined && !(BLOB_EVENT_TYPES as readonly string[]).includes(kind)) return { ok: false, reason: `event type '${kind}' is not handled` };
  const m = /^\/blobServices\/default\/containers\/([^/]+)\/blobs\/(.+)$/.exec(r.data.subject)!;
  // Event Grid subjects carry the blob name as stored (not URL-encoded).
  return { ok: true, container: m[1], name: m[2] };
}
