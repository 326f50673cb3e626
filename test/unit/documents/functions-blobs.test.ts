import { InvocationContext } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { createBlobEventHandler } from '../../../functions/blobs.js';
import { documentsList } from '../../../lib/documents/service.js';
import { projectDeps, utf8 } from './helpers.js';

const event = (eventType: string, container: string, name: string) => ({
  id: '1',
  eventType,
  subject: `/blobServices/default/containers/${container}/blobs/${name}`,
  eventTime: new Date().toISOString(),
  dataVersion: '1',
  data: {},
  topic: '/subscriptions/x/resourceGroups/y/providers/Microsoft.Storage/storageAccounts/z',
});

describe('functions/blobs Event Grid trigger', () => {
  it('BlobCreated makes a document, BlobDeleted removes it, other events are ignored', async () => {
    const { deps, projectName, container } = await projectDeps();
    const handler = createBlobEventHandler(async () => deps);
    await deps.blobs.put(container, 'in/01.txt', utf8('Alice met Bob.'));
    await handler(event('Microsoft.Storage.BlobCreated', container, 'in/01.txt') as never, new InvocationContext());
    expect((await documentsList(deps, projectName, {})).map((d) => d.location)).toEqual(['in/01.txt']);
    await handler(event('Microsoft.Storage.BlobTierChanged', container, 'in/01.txt') as never, new InvocationContext());
    await deps.blobs.delete(container, 'in/01.txt');
    await handler(event('Microsoft.Storage.BlobDeleted', container, 'in/01.txt') as never, new InvocationContext());
    expect(await documentsList(deps, projectName, {})).toEqual([]);
  });

  it('a failing store throws so the platform retries the event', async () => {
    const { deps, container } = await projectDeps();
    await deps.blobs.put(container, '01.txt', utf8('x'));
    const store = Object.assign(Object.create(deps.store), { listAcross: async () => Promise.reject(new Error('cosmos down')) });
    const broken = { ...deps, store };
    const handler = createBlobEventHandler(async () => broken);
    await expect(handler(event('Microsoft.Storage.BlobCreated', container, '01.txt') as never, new InvocationContext())).rejects.toThrow(/cosmos down/);
  });
});
