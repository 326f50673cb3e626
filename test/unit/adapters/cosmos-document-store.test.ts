// CosmosDocumentStore details the contract suite cannot reach on the emulator: id encoding and error translation.
import type { Container } from '@azure/cosmos';
import { describe, expect, it } from 'vitest';
import {
  CosmosDocumentStore,
  cosmosItemId,
  decodeCosmosKey,
  encodeCosmosKey,
} from '../../../lib/adapters/cosmos/cosmos-document-store.js';
import { DomainError } from '../../../lib/errors.js';

describe('Cosmos id encoding', () => {
  it('never produces characters Cosmos forbids in ids, and decodes back', () => {
    for (const id of ['a/b', 'a\\b', 'what?', '#1', '100%', 'tilde~7E', 'space here', 'ünï 文档 📄', '', 'plain-id_1.txt']) {
      const encoded = encodeCosmosKey(id);
      expect(encoded).toMatch(/^[A-Za-z0-9_.~-]*$/);
      expect(decodeCosmosKey(encoded)).toBe(id);
    }
  });

  it('keeps distinct ids distinct, including ids that look encoded', () => {
    const ids = ['a/b', 'a~2Fb', 'a%2Fb', 'a~7E2Fb'];
    expect(new Set(ids.map((id) => cosmosItemId('document', id))).size).toBe(ids.length);
  });

  it('prefixes the collection and hashes ids too long for Cosmos', () => {
    expect(cosmosItemId('project', 'p1')).toBe('project|p1');
    const long = cosmosItemId('document', 'x'.repeat(2000));
    expect(long.length).toBeLessThanOrEqual(1000);
    expect(long).toMatch(/^document\|~h[0-9a-f]{64}$/);
    expect(cosmosItemId('document', 'y'.repeat(2000))).not.toBe(long);
  });
});

/** A Container whose every operation fails with the given Cosmos status code. */
function failingContainer(code: number): Container {
  const fail = async () => {
    throw Object.assign(new Error(`cosmos said ${code}`), { code });
  };
  const query = () => ({ fetchAll: fail });
  return {
    item: () => ({ read: fail, replace: fail, delete: fail }),
    items: { create: fail, upsert: fail, query },
  } as unknown as Container;
}

async function codeOf(p: Promise<unknown>): Promise<{ code: string; cause: unknown }> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    return { code: (err as DomainError).code, cause: (err as DomainError).cause };
  }
  throw new Error('expected a DomainError');
}

describe('CosmosDocumentStore error translation', () => {
  it.each([
    [429, 'TOO_MANY_REQUESTS'],
    [503, 'UNAVAILABLE'],
    [412, 'PRECONDITION_FAILED'],
    [409, 'CONFLICT'],
    [413, 'PAYLOAD_TOO_LARGE'],
  ])('maps Cosmos %i to %s and keeps the SDK error as cause', async (status, code) => {
    const store = new CosmosDocumentStore(failingContainer(status));
    for (const call of [
      store.create('project', 'p', 'p', {}),
      store.upsert('project', 'p', 'p', {}),
      store.upsert('project', 'p', 'p', {}, { ifMatch: 'x' }),
      store.list('project', 'p'),
      store.listAcross('project'),
      store.deletePartition('p'),
    ]) {
      const r = await codeOf(call);
      expect(r.code).toBe(code);
      expect((r.cause as Error).message).toBe(`cosmos said ${status}`);
    }
  });

  it('reads a 404 as missing, and a 404 on a conditional write as NOT_FOUND', async () => {
    const store = new CosmosDocumentStore(failingContainer(404));
    expect(await store.get('project', 'p', 'p')).toBeUndefined();
    expect(await store.delete('project', 'p', 'p')).toBe(false);
    expect((await codeOf(store.delete('project', 'p', 'p', { ifMatch: 'e' }))).code).toBe('NOT_FOUND');
    expect((await codeOf(store.upsert('project', 'p', 'p', {}, { ifMatch: 'e' }))).code).toBe('NOT_FOUND');
  });

  it('rethrows errors it has no code for', async () => {
    const store = new CosmosDocumentStore(failingContainer(500));
    await expect(store.get('project', 'p', 'p')).rejects.toThrow('cosmos said 500');
  });
});
