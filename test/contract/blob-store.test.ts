// Runs the BlobStore contract against the memory adapter and against Azure Blob Storage on Azurite.
import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe } from 'vitest';
import { AzureBlobStore } from '../../lib/adapters/blob/azure-blob-store.js';
import { MemoryBlobStore } from '../../lib/adapters/memory/memory-blob-store.js';
import { startAzurite, type TestAzurite } from '../support/emulators.js';
import { blobStoreContract } from './blob-store.contract.js';

blobStoreContract('memory', async () => new MemoryBlobStore(), { fetchableUrls: false });

describe('on Azurite', () => {
  let azurite: TestAzurite;
  let service: BlobServiceClient;
  beforeAll(async () => {
    azurite = await startAzurite();
    service = BlobServiceClient.fromConnectionString(azurite.connectionString);
  });
  afterAll(async () => {
    await azurite?.stop();
  });

  blobStoreContract('azure-blob', async () => new AzureBlobStore(service), { fetchableUrls: true });
});
