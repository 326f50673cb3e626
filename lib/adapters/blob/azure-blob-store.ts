// BlobStore on Azure Blob Storage (Azurite locally): reads of missing things are undefined/false, URLs are read SAS.
import {
  BlobSASPermissions,
  type BlobServiceClient,
  generateBlobSASQueryParameters,
  StorageSharedKeyCredential,
  type UserDelegationKey,
} from '@azure/storage-blob';
import { DomainError } from '../../errors.js';
import type { BlobContent, BlobInfo, BlobStore } from '../../ports/blob-store.js';

function statusOf(err: unknown): number | undefined {
  const s = (err as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof s === 'number' ? s : undefined;
}

/** Translates a storage SDK failure into a DomainError (keeping it as `cause`); anything unknown is rethrown as is. */
export function translateStorageError(err: unknown, what: string): never {
  if (err instanceof DomainError) throw err;
  switch (statusOf(err)) {
    case 400:
      throw new DomainError('VALIDATION_FAILED', `${what}: ${(err as Error).message.split('\n')[0]}`, { cause: err });
    case 404:
      throw new DomainError('NOT_FOUND', `${what} was not found.`, { cause: err });
    case 409:
      throw new DomainError('CONFLICT', `${what} conflicts with its current state.`, { cause: err });
    case 412:
      throw new DomainError('PRECONDITION_FAILED', `${what} was changed by someone else (ETag mismatch).`, {
        cause: err,
      });
    case 413:
      throw new DomainError('PAYLOAD_TOO_LARGE', `${what} is too large.`, { cause: err });
    case 429:
    case 503:
      throw new DomainError(
        statusOf(err) === 429 ? 'TOO_MANY_REQUESTS' : 'UNAVAILABLE',
        'Storage is busy; retry later.',
        { cause: err },
      );
  }
  throw err;
}

async function readAll(stream: NodeJS.ReadableStream | undefined): Promise<Uint8Array> {
  if (!stream) return new Uint8Array();
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return new Uint8Array(Buffer.concat(chunks));
}

const byName = (a: BlobInfo, b: BlobInfo) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * BlobStore on a BlobServiceClient (built once by the composition root). `url()` signs a read-only SAS: with the
 * account key when the client has a StorageSharedKeyCredential (Azurite, dev), otherwise with a user delegation key
 * (managed identity in Azure; needs "Storage Blob Delegator" or a data role on the account).
 */
export class AzureBlobStore implements BlobStore {
  private delegation?: { key: UserDelegationKey; expiresOn: Date };

  constructor(
    private readonly service: BlobServiceClient,
    private readonly opts: { sasMinutes?: number; now?: () => Date } = {},
  ) {}

  private now(): Date {
    return this.opts.now ? this.opts.now() : new Date();
  }

  async ensureContainer(container: string): Promise<void> {
    try {
      await this.service.getContainerClient(container).createIfNotExists();
    } catch (err) {
      translateStorageError(err, `container '${container}'`);
    }
  }

  async deleteContainer(container: string): Promise<boolean> {
    try {
      return (await this.service.getContainerClient(container).deleteIfExists()).succeeded;
    } catch (err) {
      return translateStorageError(err, `container '${container}'`);
    }
  }

  async put(container: string, name: string, bytes: Uint8Array, opts: { contentType?: string } = {}): Promise<BlobInfo> {
    const blob = this.service.getContainerClient(container).getBlockBlobClient(name);
    const upload = () =>
      blob.uploadData(bytes, { blobHTTPHeaders: opts.contentType ? { blobContentType: opts.contentType } : undefined });
    try {
      let res;
      try {
        res = await upload();
      } catch (err) {
        if ((err as { code?: string }).code !== 'ContainerNotFound') throw err;
        await this.ensureContainer(container);
        res = await upload();
      }
      return {
        name,
        etag: res.etag ?? '',
        size: bytes.byteLength,
        lastModified: res.lastModified ?? this.now(),
        contentType: opts.contentType,
      };
    } catch (err) {
      return translateStorageError(err, `blob '${container}/${name}'`);
    }
  }

  async get(container: string, name: string): Promise<BlobContent | undefined> {
    try {
      const res = await this.service.getContainerClient(container).getBlobClient(name).download();
      const bytes = await readAll(res.readableStreamBody);
      return {
        name,
        bytes,
        etag: res.etag ?? '',
        size: res.contentLength ?? bytes.byteLength,
        lastModified: res.lastModified ?? this.now(),
        contentType: res.contentType,
      };
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      return translateStorageError(err, `blob '${container}/${name}'`);
    }
  }

  async delete(container: string, name: string): Promise<boolean> {
    try {
      const res = await this.service
        .getContainerClient(container)
        .getBlobClient(name)
        .deleteIfExists({ deleteSnapshots: 'include' });
      return res.succeeded;
    } catch (err) {
      if (statusOf(err) === 404) return false;
      return translateStorageError(err, `blob '${container}/${name}'`);
    }
  }

  async list(container: string, opts: { prefix?: string } = {}): Promise<BlobInfo[]> {
    const out: BlobInfo[] = [];
    try {
      for await (const b of this.service.getContainerClient(container).listBlobsFlat({ prefix: opts.prefix || undefined }))
        out.push({
          name: b.name,
          etag: b.properties.etag,
          size: b.properties.contentLength ?? 0,
          lastModified: b.properties.lastModified,
          contentType: b.properties.contentType || undefined,
        });
    } catch (err) {
      if (statusOf(err) === 404) return [];
      return translateStorageError(err, `container '${container}'`);
    }
    return out.sort(byName);
  }

  async url(container: string, name: string): Promise<string> {
    const blob = this.service.getContainerClient(container).getBlobClient(name);
    const now = this.now();
    const startsOn = new Date(now.getTime() - 5 * 60_000); // tolerate clock skew between us and the service
    const expiresOn = new Date(now.getTime() + (this.opts.sasMinutes ?? 60) * 60_000);
    const permissions = BlobSASPermissions.parse('r');
    try {
      if (this.service.credential instanceof StorageSharedKeyCredential)
        return await blob.generateSasUrl({ permissions, startsOn, expiresOn });
      const key = await this.delegationKey(startsOn, expiresOn);
      const sas = generateBlobSASQueryParameters(
        { containerName: container, blobName: name, permissions, startsOn, expiresOn },
        key,
        this.service.accountName,
      );
      return `${blob.url}?${sas.toString()}`;
    } catch (err) {
      return translateStorageError(err, `blob '${container}/${name}'`);
    }
  }

  /** A user delegation key valid past `expiresOn`; reused until it gets close to its own expiry. */
  private async delegationKey(startsOn: Date, expiresOn: Date): Promise<UserDelegationKey> {
    if (this.delegation && this.delegation.expiresOn.getTime() > expiresOn.getTime()) return this.delegation.key;
    // Delegation keys live up to 7 days; take one day so a cached key covers many SAS lifetimes.
    const keyExpires = new Date(expiresOn.getTime() + 24 * 3600_000);
    const key = await this.service.getUserDelegationKey(startsOn, keyExpires);
    this.delegation = { key, expiresOn: keyExpires };
    return key;
  }
}
