// Runs the DocumentStore contract against the memory adapter and against Cosmos on the local emulator.
import { randomUUID } from 'node:crypto';
import type { CosmosClient } from '@azure/cosmos';
import { afterAll, beforeAll, describe } from 'vitest';
import { CosmosDocumentStore, ensureCosmosContainer } from '../../lib/adapters/cosmos/cosmos-document-store.js';
import { MemoryDocumentStore } from '../../lib/adapters/memory/memory-document-store.js';
import { emulatorCosmosClient, startCosmos, type TestCosmos } from '../support/emulators.js';
import { documentStoreContract } from './document-store.contract.js';

documentStoreContract('memory', async () => new MemoryDocumentStore());

describe('on the Cosmos emulator', () => {
  let cosmos: TestCosmos;
  let client: CosmosClient;
  beforeAll(async () => {
    cosmos = await startCosmos();
    client = emulatorCosmosClient(cosmos.endpoint, cosmos.key);
  });
  afterAll(async () => {
    client?.dispose();
    await cosmos?.stop();
  });

  // A fresh container per test, so listAcross sees only that test's items.
  documentStoreContract('cosmos', async () =>
    new CosmosDocumentStore(await ensureCosmosContainer(client, 'contract', `c-${randomUUID()}`)),
  );
});
