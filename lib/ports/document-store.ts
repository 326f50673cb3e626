// Port: a partitioned JSON item store with optimistic concurrency (Cosmos DB in Azure, memory in unit tests).

/** A stored item with its concurrency token. */
export interface StoredItem<T> {
  id: string;
  value: T;
  /** Opaque version token; changes on every write. */
  etag: string;
}

/**
 * Items live in `collection`s (kinds such as `project`, `document`), grouped by `partition` (the project name:
 * everything of a project shares one partition). Errors are DomainErrors: create on an existing id → CONFLICT,
 * a stale `ifMatch` → PRECONDITION_FAILED, a missing item on replace/delete with `ifMatch` → NOT_FOUND.
 */
export interface DocumentStore {
  /** The item, or undefined when it does not exist. */
  get<T>(collection: string, partition: string, id: string): Promise<StoredItem<T> | undefined>;
  /** Creates a new item; CONFLICT when the id is taken. */
  create<T>(collection: string, partition: string, id: string, value: T): Promise<StoredItem<T>>;
  /** Creates or replaces; with `ifMatch` the write succeeds only against that exact version. */
  upsert<T>(
    collection: string,
    partition: string,
    id: string,
    value: T,
    opts?: { ifMatch?: string },
  ): Promise<StoredItem<T>>;
  /** Deletes; true when something was deleted. With `ifMatch`, PRECONDITION_FAILED on a stale version. */
  delete(collection: string, partition: string, id: string, opts?: { ifMatch?: string }): Promise<boolean>;
  /** Every item of `collection` in `partition`, ordered by id. */
  list<T>(collection: string, partition: string): Promise<StoredItem<T>[]>;
  /** Every item of `collection` across all partitions, ordered by id (small collections only, e.g. projects). */
  listAcross<T>(collection: string): Promise<Array<StoredItem<T> & { partition: string }>>;
  /** Removes everything in a partition; returns how many items went. */
  deletePartition(partition: string): Promise<number>;
}
