// Port: named byte blobs in containers (Azure Blob Storage / Azurite; memory in unit tests).

/** What a listing says about one blob. */
export interface BlobInfo {
  name: string;
  etag: string;
  size: number;
  lastModified: Date;
  contentType?: string;
}

/** A blob's bytes and properties. */
export interface BlobContent extends BlobInfo {
  bytes: Uint8Array;
}

/** Blob storage; a missing container or blob reads as undefined / empty, never throws NOT_FOUND on reads. */
export interface BlobStore {
  /** Creates the container if missing (idempotent). */
  ensureContainer(container: string): Promise<void>;
  /** Deletes the container and its blobs; false when it did not exist. */
  deleteContainer(container: string): Promise<boolean>;
  /** Writes (overwrites) a blob; creates the container if missing. Returns the new properties. */
  put(container: string, name: string, bytes: Uint8Array, opts?: { contentType?: string }): Promise<BlobInfo>;
  /** Reads a blob, or undefined when the container or blob is missing. */
  get(container: string, name: string): Promise<BlobContent | undefined>;
  /** Deletes a blob; false when it did not exist. */
  delete(container: string, name: string): Promise<boolean>;
  /** Lists blobs (optionally under a name prefix), ordered by name; empty for a missing container. */
  list(container: string, opts?: { prefix?: string }): Promise<BlobInfo[]>;
  /** A URL a client can read the blob at (SAS or plain, adapter's choice). */
  url(container: string, name: string): Promise<string>;
}
