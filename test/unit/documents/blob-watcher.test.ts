import { describe, expect, it } from 'vitest';
import { parseBlobEvent } from '../../../lib/documents/blob-events.js';
import { documentsList, labelsAdd } from '../../../lib/documents/service.js';
import { startBlobWatcher } from '../../../lib/local/blob-watcher.js';
import { projectDeps, utf8 } from './helpers.js';

describe('local blob watcher', () => {
  it('notices new, changed and deleted blobs and feeds them to the ingest handler', async () => {
    const { deps, projectName, container } = await projectDeps();
    const watcher = startBlobWatcher(deps, { intervalMs: 60_000 });
    try {
      await deps.blobs.put(container, '01.txt', utf8('Alice met Bob.'));
      await watcher.drained();
      expect((await documentsList(deps, projectName, {})).map((d) => d.location)).toEqual(['01.txt']);
      await labelsAdd(deps, projectName, '01.txt', { category: 'Person', offset: 10, length: 3 });

      await deps.blobs.put(container, '01.txt', utf8('Oh, Alice met Bob.'));
      await watcher.drained();
      const [doc] = await documentsList(deps, projectName, { labelled: 'true' });
      expect(doc.characters).toBe(18);

      await deps.blobs.delete(container, '01.txt');
      await watcher.drained();
      expect(await documentsList(deps, projectName, {})).toEqual([]);
    } finally {
      await watcher.stop();
    }
  });

  it('on start, catches up with blobs changed and deleted while it was not running', async () => {
    const { deps, projectName, container } = await projectDeps();
    const first = startBlobWatcher(deps, { intervalMs: 60_000 });
    await deps.blobs.put(container, 'a.txt', utf8('kept'));
    await deps.blobs.put(container, 'b.txt', utf8('gone'));
    await first.drained();
    await first.stop();
    await deps.blobs.delete(container, 'b.txt');
    await deps.blobs.put(container, 'a.txt', utf8('changed'));
    await deps.blobs.put(container, 'c.txt', utf8('new'));
    const second = startBlobWatcher(deps, { intervalMs: 60_000 });
    await second.drained();
    await second.stop();
    const docs = await documentsList(deps, projectName, {});
    expect(docs.map((d) => [d.location, d.characters])).toEqual([
      ['a.txt', 7],
      ['c.txt', 3],
    ]);
  });
});

describe('parseBlobEvent', () => {
  it('reads container and blob name from an Event Grid blob event and ignores other events', () => {
    expect(parseBlobEvent({ eventType: 'Microsoft.Storage.BlobCreated', subject: '/blobServices/default/containers/loans/blobs/in/01 a.txt' })).toEqual({
      ok: true,
      container: 'loans',
      name: 'in/01 a.txt',
    });
    expect(parseBlobEvent({ type: 'Microsoft.Storage.BlobDeleted', subject: '/blobServices/default/containers/loans/blobs/x.txt' })).toMatchObject({ ok: true });
    expect(parseBlobEvent({ eventType: 'Microsoft.Storage.BlobTierChanged', subject: '/blobServices/default/containers/loans/blobs/x.txt' })).toMatchObject({ ok: false });
    expect(parseBlobEvent({ subject: 'nope' })).toMatchObject({ ok: false, reason: expect.stringMatching(/subject/) });
  });
});
