// AzureBlobStore.url() with a managed identity (no account key): a user-delegation SAS, delegation key reused.
import { BlobServiceClient, type UserDelegationKey } from '@azure/storage-blob';
import type { TokenCredential } from '@azure/identity';
import { describe, expect, it, vi } from 'vitest';
import { AzureBlobStore } from '../../../lib/adapters/blob/azure-blob-store.js';

const identity: TokenCredential = { getToken: async () => ({ token: 't', expiresOnTimestamp: Date.now() + 3600_000 }) };

describe('AzureBlobStore.url with an identity credential', () => {
  it('signs a read-only user-delegation SAS and reuses the delegation key', async () => {
    const service = new BlobServiceClient('https://acct.blob.core.windows.net', identity);
    const now = new Date('2026-01-01T00:00:00Z');
    const key: UserDelegationKey = {
      signedObjectId: '00000000-0000-0000-0000-000000000001',
      signedTenantId: '00000000-0000-0000-0000-000000000002',
      signedStartsOn: new Date('2025-12-31T23:55:00Z'),
      signedExpiresOn: new Date('2026-01-02T01:00:00Z'),
      signedService: 'b',
      signedVersion: '2025-01-05',
      value: Buffer.from('secret-delegation-key').toString('base64'),
    };
    const getKey = vi
      .spyOn(service, 'getUserDelegationKey')
      .mockResolvedValue(key as Awaited<ReturnType<BlobServiceClient['getUserDelegationKey']>>);
    const store = new AzureBlobStore(service, { now: () => now, sasMinutes: 30 });

    const url = new URL(await store.url('models', 'p1/model v1.onnx'));
    expect(url.origin + url.pathname).toBe('https://acct.blob.core.windows.net/models/p1/model%20v1.onnx');
    expect(url.searchParams.get('sp')).toBe('r');
    expect(url.searchParams.get('skoid')).toBe(key.signedObjectId);
    expect(url.searchParams.get('se')).toBe('2026-01-01T00:30:00Z');
    expect(url.searchParams.get('sig')).toBeTruthy();

    await store.url('models', 'other.onnx');
    expect(getKey).toHaveBeenCalledTimes(1);
  });
});
