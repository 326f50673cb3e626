import { describe, expect, it } from 'vitest';
import { recordingLogger } from '../../../lib/app/logger.js';
import { documentsIngestBlob } from '../../../lib/documents/ingest.js';
import { documentsGet, documentsList, ingestionEventsList, labelsAdd } from '../../../lib/documents/service.js';
import { projectDeps, utf8 } from './helpers.js';

describe('blob ingestion', () => {
  it('turns a .txt blob into a document of the project using the container, without any API call', async () => {
    const { deps, projectName, container } = await projectDeps();
    await deps.blobs.put(container, 'a/01.txt', utf8('Alice met Bob.'));
    const out = await documentsIngestBlob(deps, { container, name: 'a/01.txt' });
    expect(out).toEqual([expect.objectContaining({ projectName, kind: 'created' })]);
    const { document } = await documentsGet(deps, projectName, 'a/01.txt');
    expect(document).toMatchObject({ text: 'Alice met Bob.', status: 'ready', dataset: null, labels: [], language: 'en-us' });
  });

  it('ignores containers no project uses', async () => {
    const { deps } = await projectDeps();
    await deps.blobs.put('other', 'x.txt', utf8('hi'));
    expect(await documentsIngestBlob(deps, { container: 'other', name: 'x.txt' })).toEqual([]);
  });

  it('records rejected files with the reason, visible through the API', async () => {
    const { deps, projectName, container } = await projectDeps();
    await deps.blobs.put(container, 'scan.pdf', utf8('%PDF'));
    await deps.blobs.put(container, 'bad.txt', new Uint8Array([0x61, 0xc3, 0x28]));
    await deps.blobs.put(container, 'empty.txt', new Uint8Array());
    for (const name of ['scan.pdf', 'bad.txt', 'empty.txt']) await documentsIngestBlob(deps, { container, name });
    const rejected = await documentsList(deps, projectName, { status: 'rejected' });
    expect(rejected.map((d) => [d.location, d.rejectionReason])).toEqual([
      ['bad.txt', expect.stringMatching(/undecodable/)],
      ['empty.txt', 'The file is empty.'],
      ['scan.pdf', expect.stringMatching(/Only \.txt/)],
    ]);
  });

  it('is idempotent: the same blob twice is one document and one event', async () => {
    const { deps, projectName, container } = await projectDeps();
    await deps.blobs.put(container, '01.txt', utf8('Alice met Bob.'));
    await documentsIngestBlob(deps, { container, name: '01.txt' });
    const first = await documentsGet(deps, projectName, '01.txt');
    const again = await documentsIngestBlob(deps, { container, name: '01.txt' });
    expect(again[0].kind).toBe('unchanged');
    // Re-uploading identical bytes (new blob ETag) is still no change.
    await deps.blobs.put(container, '01.txt', utf8('Alice met Bob.'));
    await documentsIngestBlob(deps, { container, name: '01.txt' });
    expect((await documentsGet(deps, projectName, '01.txt')).etag).toBe(first.etag);
    expect(await documentsList(deps, projectName, {})).toHaveLength(1);
    expect(await ingestionEventsList(deps, projectName)).toHaveLength(1);
  });

  it('re-upload with changed text keeps findable labels and marks the others needsReview', async () => {
    const { deps, projectName, container } = await projectDeps();
    await deps.blobs.put(container, '01.txt', utf8('Alice met Bob on 3 May.'));
    await documentsIngestBlob(deps, { container, name: '01.txt' });
    await labelsAdd(deps, projectName, '01.txt', { category: 'Person', offset: 0, length: 5 });
    await labelsAdd(deps, projectName, '01.txt', { category: 'Person', offset: 10, length: 3 });
    await labelsAdd(deps, projectName, '01.txt', { category: 'Date', offset: 17, length: 5 });
    await deps.blobs.put(container, '01.txt', utf8('Yesterday Alice met Carol on 3 May.'));
    const [out] = await documentsIngestBlob(deps, { container, name: '01.txt' });
    expect(out).toMatchObject({ kind: 'updated', labelsKept: 2, labelsNeedingReview: 1 });
    const { document } = await documentsGet(deps, projectName, '01.txt');
    const shown = document.labels.map((l) => [l.category, l.status ?? 'accepted', l.status === 'needsReview' ? l.originalText : document.text.slice(l.offset, l.offset + l.length)]);
    expect(shown).toEqual(
      expect.arrayContaining([
        ['Person', 'accepted', 'Alice'],
        ['Date', 'accepted', '3 May'],
        ['Person', 'needsReview', 'Bob'],
      ]),
    );
    expect(await documentsList(deps, projectName, { status: 'needsReview' })).toHaveLength(1);
  });

  it('a deleted blob removes the document and says how many labels went', async () => {
    const log = recordingLogger();
    const { deps, projectName, container } = await projectDeps({ deps: { log } });
    await deps.blobs.put(container, '01.txt', utf8('Alice met Bob.'));
    await documentsIngestBlob(deps, { container, name: '01.txt' });
    await labelsAdd(deps, projectName, '01.txt', { category: 'Person', offset: 0, length: 5 });
    await labelsAdd(deps, projectName, '01.txt', { category: 'Person', offset: 10, length: 3 });
    await deps.blobs.delete(container, '01.txt');
    const [out] = await documentsIngestBlob(deps, { container, name: '01.txt' });
    expect(out).toMatchObject({ kind: 'deleted', labelsRemoved: 2 });
    expect(await documentsList(deps, projectName, {})).toEqual([]);
    expect((await ingestionEventsList(deps, projectName))[0]).toMatchObject({ kind: 'deleted', location: '01.txt', labelsRemoved: 2 });
    expect(log.entries).toContainEqual(expect.objectContaining({ message: 'document deleted', fields: expect.objectContaining({ labelsRemoved: 2 }) }));
  });

  it('concurrent uploads and events converge on the newest blob, one document', async () => {
    const { deps, projectName, container } = await projectDeps();
    const runs: Promise<unknown>[] = [];
    for (let i = 0; i < 10; i++) {
      await deps.blobs.put(container, '01.txt', utf8(`version ${i}`));
      runs.push(documentsIngestBlob(deps, { container, name: '01.txt' }), documentsIngestBlob(deps, { container, name: '01.txt' }));
    }
    await Promise.all(runs);
    const { document } = await documentsGet(deps, projectName, '01.txt');
    expect(document.text).toBe('version 9');
    expect(await documentsList(deps, projectName, {})).toHaveLength(1);
  });
});
