// Azure Functions registration for blob events: Event Grid (BlobCreated / BlobDeleted) → the documents ingest handler.
//
// Flex Consumption only supports Event Grid–sourced blob triggers. A `storageBlob` trigger needs one fixed container
// in its path, but every project has its own container, so we subscribe one Event Grid trigger to the storage
// account's system topic (event types BlobCreated and BlobDeleted, subject prefix `/blobServices/default/containers/`)
// and let the handler find the project by container. The handler reads the blob as it is now, so duplicate,
// late or out-of-order events are harmless.
import { app, type EventGridEvent, type InvocationContext } from '@azure/functions';
import { sharedRuntime } from '../lib/app/deps.js';
import type { Deps } from '../lib/app/types.js';
import { parseBlobEvent } from '../lib/documents/blob-events.js';
import { documentsIngestBlob } from '../lib/documents/ingest.js';

/** Function name (also the Event Grid subscription's endpoint name). */
export const BLOB_EVENTS_FUNCTION = 'documentsBlobEvents';

/** The trigger body; an event that is not a blob event is logged and completed, a failing ingest throws (retried). */
export function createBlobEventHandler(getDeps: () => Promise<Deps>) {
  return async (event: EventGridEvent, context: InvocationContext): Promise<void> => {
    const parsed = parseBlobEvent(event);
    if (!parsed.ok) {
      context.warn(`blob event ignored: ${parsed.reason}`, { id: (event as { id?: string }).id });
      return;
    }
    const deps = await getDeps();
    const outcomes = await documentsIngestBlob(deps, { container: parsed.container, name: parsed.name });
    context.log(`blob event ${parsed.container}/${parsed.name}`, outcomes.map((o) => `${o.projectName}:${o.kind}`).join(', ') || 'no project');
  };
}

app.eventGrid(BLOB_EVENTS_FUNCTION, { handler: createBlobEventHandler(async () => (await sharedRuntime()).deps) });
