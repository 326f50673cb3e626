// Runs the JobQueue contract against the memory adapter and against an Azure Storage queue on Azurite.
import { randomUUID } from 'node:crypto';
import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe } from 'vitest';
import { MemoryJobQueue } from '../../lib/adapters/memory/memory-job-queue.js';
import { StorageQueueJobQueue } from '../../lib/adapters/storage-queue/storage-queue-job-queue.js';
import { startAzurite, type TestAzurite } from '../support/emulators.js';
import { jobQueueContract } from './job-queue.contract.js';

jobQueueContract('memory', async ({ maxDeliveryCount }) => new MemoryJobQueue({ maxDeliveryCount }));

describe('on Azurite', () => {
  let azurite: TestAzurite;
  let service: QueueServiceClient;
  beforeAll(async () => {
    azurite = await startAzurite();
    service = QueueServiceClient.fromConnectionString(azurite.connectionString);
  });
  afterAll(async () => {
    await azurite?.stop();
  });

  jobQueueContract(
    'storage-queue',
    async ({ maxDeliveryCount }) =>
      new StorageQueueJobQueue(service.getQueueClient(`q-${randomUUID().slice(0, 8)}`), { maxDeliveryCount }),
  );
});
