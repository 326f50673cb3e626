// In-memory BlobStore for unit tests.
import type { BlobContent, BlobInfo, BlobStore } from '../../ports/blob-store.js';

/** Containers as maps of name → content; optional listener sees every change (like an Event Grid feed). */
export class MemoryBlobStore implements BlobStore {
  private readonly containers = new Map<string, Map<string, BlobContent>>();
  private version = 0;

  async ensureContainer(container: string): Promise<void> {
    if (!this.containers.has(container)) this.containers.set(container, new Map());
  }

  async deleteContainer(container: string): Promise<boolean> {
    return this.containers.delete(container);
  }

  async put(container: string, name: string, bytes: Uint8Array, opts: { contentType?: string } = {}): Promise<BlobInfo> {
    await this.ensureContainer(container);
    this.version += 1;
    const blob: BlobContent = {
      name,
      bytes: new Uint8Array(bytes),
      etag: `"0x${this.version.toString(16)}"`,
      size: bytes.byteLength,
      lastModified: new Date(),
      contentType: opts.contentType,
    };
    this.containers.get(container)!.set(name, blob);
    const { bytes: _b, ...info } = blob;
    return info;
  }

  async get(container: string, name: string): Promise<BlobContent | undefined> {
    const b = this.containers.get(container)?.get(name);
    return b ? { ...b, bytes: new Uint8Array(b.bytes) } : undefined;
  }

  async delete(container: string, name: string): Promise<boolean> {
    return this.containers.get(container)?.delete(name) ?? false;
  }

  async list(container: string, opts: { prefix?: string } = {}): Promise<BlobInfo[]> {
    const c = this.containers.get(container);
    if (!c) return [];
    return [...c.values()]
      .filter((b) => !opts.prefix || b.name.startsWith(opts.prefix))
      .map(({ bytes: _b, ...info }) => info)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async url(container: string, name: string): Promise<string> {
    return `memory://${container}/${encodeURIComponent(name)}`;
  }
}
