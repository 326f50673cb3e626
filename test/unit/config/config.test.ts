import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../lib/config.js';

describe('config', () => {
  it('has the documented defaults and starts local emulators when nothing is configured', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 7071,
      dataDir: './.data',
      azuriteBlobPort: 10000,
      azuriteQueuePort: 10001,
      cosmosPort: 8081,
      apiKeys: [],
      cosmosDatabase: 'customner',
      jobQueueName: 'jobs',
      durableTaskHub: 'customner',
    });
    expect(c.storage).toBeUndefined();
    expect(c.cosmos).toBeUndefined();
  });

  it('splits API_KEYS on commas and trims', () => {
    expect(loadConfig({ API_KEYS: ' k1 , k2,,' }).apiKeys).toEqual(['k1', 'k2']);
  });

  it('reads external storage and Cosmos, by key or by identity', () => {
    const keyed = loadConfig({
      STORAGE_CONNECTION: 'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:1/devstoreaccount1',
      COSMOS_ENDPOINT: 'https://localhost:8081',
      COSMOS_KEY: 'k==',
    });
    expect(keyed.storage?.kind).toBe('connectionString');
    expect(keyed.cosmos).toEqual({ kind: 'key', endpoint: 'https://localhost:8081', key: 'k==' });
    const identity = loadConfig({
      STORAGE__blobServiceUri: 'https://acct.blob.core.windows.net',
      COSMOS__accountEndpoint: 'https://acct.documents.azure.com:443/',
      SERVICEBUS__fullyQualifiedNamespace: 'ns.servicebus.windows.net',
    });
    expect(identity.storage).toEqual({ kind: 'identity', blobServiceUri: 'https://acct.blob.core.windows.net', queueServiceUri: undefined });
    expect(identity.cosmos).toEqual({ kind: 'identity', endpoint: 'https://acct.documents.azure.com:443/' });
    expect(identity.serviceBusNamespace).toBe('ns.servicebus.windows.net');
  });

  it('fails with a message naming every bad setting', () => {
    let err: unknown;
    try {
      loadConfig({ PORT: 'seventy', COSMOS_ENDPOINT: 'not a url', JOB_QUEUE_NAME: 'Jobs_Queue' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg).toContain('PORT');
    expect(msg).toContain('COSMOS_ENDPOINT');
    expect(msg).toContain('JOB_QUEUE_NAME');
    expect(() => loadConfig({ COSMOS_KEY: 'k' })).toThrow(/COSMOS_ENDPOINT: is required/);
    expect(() => loadConfig({ STORAGE_CONNECTION: 'nonsense' })).toThrow(/STORAGE_CONNECTION/);
  });
});
