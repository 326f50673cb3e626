// In-memory DocumentStore for unit tests and as the reference behaviour of the contract suite.
import { DomainError } from '../../errors.js';
import type { DocumentStore, StoredItem } from '../../ports/document-store.js';

interface Row {
  value: unknown;
  etag: string;
}

/** Keeps items in nested maps; values are deep-copied in and out so callers cannot mutate stored state. */
export class MemoryDocumentStore implements DocumentStore {
  private readonly partitions = new Map<string, Map<string, Row>>();
  private version = 0;

  private key(collection: string, id: string): string {
    return `${collection}\u0000${id}`;
  }

  private part(partition: string, create: boolean): Map<string, Row> | undefined {
    let p = this.partitions.get(partition);
    if (!p && create) {
      p = new Map();
      this.partitions.set(partition, p);
    }
    return p;
  }

  private nextEtag(): string {
    this.version += 1;
    // bare token like Cosmos DB's; the HTTP edge adds the quotes
    return this.version.toString(16).padStart(8, '0');
  }

  async get<T>(collection: string, partition: string, id: string): Promise<StoredItem<T> | undefined> {
    const row = this.part(partition, false)?.get(this.key(collection, id));
    return row ? { id, value: structuredClone(row.value) as T, etag: row.etag } : undefined;
  }

  async create<T>(collection: string, partition: string, id: string, value: T): Promise<StoredItem<T>> {
    const p = this.part(partition, true)!;
    const k = this.key(collection, id);
    if (p.has(k)) throw new DomainError('CONFLICT', `${collection} '${id}' already exists.`);
    const row = { value: structuredClone(value), etag: this.nextEtag() };
    p.set(k, row);
    return { id, value: structuredClone(value), etag: row.etag };
  }

  async upsert<T>(
    collection: string,
    partition: string,
    id: string,
    value: T,
    opts: { ifMatch?: string } = {},
  ): Promise<StoredItem<T>> {
    const p = this.part(partition, true)!;
    const k = this.key(collection, id);
    const existing = p.get(k);
    if (opts.ifMatch !== undefined) {
      if (!existing) throw new DomainError('NOT_FOUND', `${collection} '${id}' was not found.`);
      if (existing.etag !== opts.ifMatch)
        throw new DomainError('PRECONDITION_FAILED', `${collection} '${id}' was changed by someone else (ETag mismatch).`);
    }
    const row = { value: structuredClone(value), etag: this.nextEtag() };
    p.set(k, row);
    return { id, value: structuredClone(value), etag: row.etag };
  }

  async delete(collection: string, partition: string, id: string, opts: { ifMatch?: string } = {}): Promise<boolean> {
    const p = this.part(partition, false);
    const k = this.key(collection, id);
    const existing = p?.get(k);
    if (!existing) {
      if (opts.ifMatch !== undefined) throw new DomainError('NOT_FOUND', `${collection} '${id}' was not found.`);
      return false;
    }
    if (opts.ifMatch !== undefined && existing.etag !== opts.ifMatch)
      throw new DomainError('PRECONDITION_FAILED', `${collection} '${id}' was changed by someone else (ETag mismatch).`);
    p!.delete(k);
    return true;
  }

  async list<T>(collection: string, partition: string): Promise<StoredItem<T>[]> {
    const p = this.part(partition, false);
    if (!p) return [];
    const prefix = `${collection}\u0000`;
    const out: StoredItem<T>[] = [];
    for (const [k, row] of p) {
      if (k.startsWith(prefix))
        out.push({ id: k.slice(prefix.length), value: structuredClone(row.value) as T, etag: row.etag });
    }
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async listAcross<T>(collection: string): Promise<Array<StoredItem<T> & { partition: string }>> {
    const out: Array<StoredItem<T> & { partition: string }> = [];
    for (const partition of this.partitions.keys())
      for (const item of await this.list<T>(collection, partition)) out.push({ ...item, partition });
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async deletePartition(partition: string): Promise<number> {
    const n = this.partitions.get(partition)?.size ?? 0;
    this.partitions.delete(partition);
    return n;
  }
}
