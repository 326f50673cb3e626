// DocumentStore on Azure Cosmos DB (NoSQL API): one container, partition key `/pk`, every collection side by side.
import { createHash } from 'node:crypto';
import type { Container, CosmosClient, ItemDefinition } from '@azure/cosmos';
import { DomainError } from '../../errors.js';
import type { DocumentStore, StoredItem } from '../../ports/document-store.js';

/** The partition key path of the container this adapter writes to. */
export const COSMOS_PARTITION_KEY_PATH = '/pk';

/** How one port item is laid out in Cosmos. `value` is nested so user fields never collide with ours or Cosmos'. */
interface CosmosItem {
  id: string;
  pk: string;
  kind: string;
  key: string;
  value: unknown;
}

type CosmosRead = CosmosItem & ItemDefinition & { _etag?: string };

// Cosmos ids must not contain / \ ? # and are limited to 1023 bytes; some SDKs also mishandle '%' in ids.
const PLAIN = /[A-Za-z0-9_.-]/;
const MAX_ID_LENGTH = 1000;

/**
 * Encodes a port id into a Cosmos-safe id: `[A-Za-z0-9_.-]` stay, every other UTF-8 byte becomes `~XX`.
 * Reversible with {@link decodeCosmosKey}; ids longer than Cosmos allows fall back to a hash (the item's `key`
 * field always keeps the original).
 */
export function encodeCosmosKey(id: string): string {
  let out = '';
  for (const ch of id) {
    if (PLAIN.test(ch)) out += ch;
    else for (const byte of Buffer.from(ch, 'utf8')) out += `~${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Inverse of {@link encodeCosmosKey}. */
export function decodeCosmosKey(encoded: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < encoded.length; i++) {
    if (encoded[i] === '~') {
      bytes.push(parseInt(encoded.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(encoded.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The Cosmos `id` of a port item: `<collection>|<encoded id>`. */
export function cosmosItemId(collection: string, id: string): string {
  const full = `${encodeCosmosKey(collection)}|${encodeCosmosKey(id)}`;
  if (full.length <= MAX_ID_LENGTH) return full;
  return `${encodeCosmosKey(collection)}|~h${createHash('sha256').update(id, 'utf8').digest('hex')}`;
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function statusOf(err: unknown): number | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const e = err as { code?: unknown; statusCode?: unknown };
  if (typeof e.code === 'number') return e.code;
  if (typeof e.statusCode === 'number') return e.statusCode;
  return undefined;
}

/** Translates a Cosmos SDK failure into a DomainError (keeping it as `cause`); anything unknown is rethrown as is. */
export function translateCosmosError(err: unknown, what: string): never {
  if (err instanceof DomainError) throw err;
  const status = statusOf(err);
  switch (status) {
    case 404:
      throw new DomainError('NOT_FOUND', `${what} was not found.`, { cause: err });
    case 409:
      throw new DomainError('CONFLICT', `${what} already exists.`, { cause: err });
    case 412:
      throw new DomainError('PRECONDITION_FAILED', `${what} was changed by someone else (ETag mismatch).`, {
        cause: err,
      });
    case 413:
      throw new DomainError('PAYLOAD_TOO_LARGE', `${what} is too large to store.`, { cause: err });
    case 429:
      throw new DomainError('TOO_MANY_REQUESTS', 'The document store is busy; retry later.', { cause: err });
    case 408:
    case 503:
      throw new DomainError('UNAVAILABLE', 'The document store is unavailable; retry later.', { cause: err });
  }
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|ENOTFOUND)$/.test(code))
    throw new DomainError('UNAVAILABLE', 'The document store is unreachable; retry later.', { cause: err });
  throw err;
}

/**
 * DocumentStore on one Cosmos container (partition key path `/pk`). Items are
 * `{id: <collection>|<encoded id>, pk: partition, kind: collection, key: original id, value}`; ETags are Cosmos'
 * `_etag`. Queries avoid OFFSET/LIMIT/DISTINCT/GROUP BY/LIKE so they run on the emulator too; ordering is done here.
 */
export class CosmosDocumentStore implements DocumentStore {
  constructor(
    private readonly container: Container,
    private readonly opts: { deleteConcurrency?: number } = {},
  ) {}

  private toStored<T>(r: CosmosRead): StoredItem<T> {
    return { id: r.key, value: r.value as T, etag: r._etag ?? '' };
  }

  async get<T>(collection: string, partition: string, id: string): Promise<StoredItem<T> | undefined> {
    try {
      const res = await this.container.item(cosmosItemId(collection, id), partition).read<CosmosRead>();
      if (res.statusCode === 404 || !res.resource) return undefined;
      return this.toStored<T>(res.resource);
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      return translateCosmosError(err, `${collection} '${id}'`);
    }
  }

  async create<T>(collection: string, partition: string, id: string, value: T): Promise<StoredItem<T>> {
    const item: CosmosItem = { id: cosmosItemId(collection, id), pk: partition, kind: collection, key: id, value };
    try {
      const res = await this.container.items.create<CosmosItem>(item);
      return { id, value: structuredClone(value), etag: res.resource?._etag ?? res.etag };
    } catch (err) {
      return translateCosmosError(err, `${collection} '${id}'`);
    }
  }

  async upsert<T>(
    collection: string,
    partition: string,
    id: string,
    value: T,
    opts: { ifMatch?: string } = {},
  ): Promise<StoredItem<T>> {
    const item: CosmosItem = { id: cosmosItemId(collection, id), pk: partition, kind: collection, key: id, value };
    try {
      // With ifMatch a replace is required: an upsert would create a missing item instead of failing.
      const res =
        opts.ifMatch !== undefined
          ? await this.container
              .item(item.id, partition)
              .replace<CosmosItem>(item, { accessCondition: { type: 'IfMatch', condition: opts.ifMatch } })
          : await this.container.items.upsert<CosmosItem>(item);
      return { id, value: structuredClone(value), etag: res.resource?._etag ?? res.etag };
    } catch (err) {
      return translateCosmosError(err, `${collection} '${id}'`);
    }
  }

  async delete(collection: string, partition: string, id: string, opts: { ifMatch?: string } = {}): Promise<boolean> {
    try {
      await this.container
        .item(cosmosItemId(collection, id), partition)
        .delete(
          opts.ifMatch !== undefined ? { accessCondition: { type: 'IfMatch', condition: opts.ifMatch } } : undefined,
        );
      return true;
    } catch (err) {
      if (statusOf(err) === 404 && opts.ifMatch === undefined) return false;
      return translateCosmosError(err, `${collection} '${id}'`);
    }
  }

  async list<T>(collection: string, partition: string): Promise<StoredItem<T>[]> {
    try {
      const { resources } = await this.container.items
        .query<CosmosRead>(
          {
            query: 'SELECT * FROM c WHERE c.pk = @pk AND c.kind = @kind',
            parameters: [
              { name: '@pk', value: partition },
              { name: '@kind', value: collection },
            ],
          },
          { partitionKey: partition },
        )
        .fetchAll();
      return resources.map((r) => this.toStored<T>(r)).sort(byId);
    } catch (err) {
      return translateCosmosError(err, `${collection} in '${partition}'`);
    }
  }

  async listAcross<T>(collection: string): Promise<Array<StoredItem<T> & { partition: string }>> {
    try {
      const { resources } = await this.container.items
        .query<CosmosRead>({
          query: 'SELECT * FROM c WHERE c.kind = @kind',
          parameters: [{ name: '@kind', value: collection }],
        })
        .fetchAll();
      return resources.map((r) => ({ ...this.toStored<T>(r), partition: r.pk })).sort(byId);
    } catch (err) {
      return translateCosmosError(err, collection);
    }
  }

  async deletePartition(partition: string): Promise<number> {
    try {
      const { resources } = await this.container.items
        .query<{ id: string }>(
          { query: 'SELECT c.id FROM c WHERE c.pk = @pk', parameters: [{ name: '@pk', value: partition }] },
          { partitionKey: partition },
        )
        .fetchAll();
      // deleteAllItemsForPartitionKey is a preview feature the emulators lack; delete item by item instead.
      let deleted = 0;
      const queue = [...resources];
      const worker = async () => {
        for (let r = queue.pop(); r; r = queue.pop()) {
          try {
            await this.container.item(r.id, partition).delete();
            deleted += 1;
          } catch (err) {
            if (statusOf(err) !== 404) throw err;
          }
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, this.opts.deleteConcurrency ?? 8) }, worker));
      return deleted;
    } catch (err) {
      return translateCosmosError(err, `partition '${partition}'`);
    }
  }
}

/**
 * Creates the database and the container (partition key `/pk`) when missing and returns the container; call once at
 * start-up from the composition root.
 */
export async function ensureCosmosContainer(
  client: CosmosClient,
  databaseId: string,
  containerId: string,
): Promise<Container> {
  try {
    const { database } = await client.databases.createIfNotExists({ id: databaseId });
    const { container } = await database.containers.createIfNotExists({
      id: containerId,
      partitionKey: { paths: [COSMOS_PARTITION_KEY_PATH] },
    });
    return container;
  } catch (err) {
    return translateCosmosError(err, `Cosmos container '${databaseId}/${containerId}'`);
  }
}
