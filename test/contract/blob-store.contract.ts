// Contract of the BlobStore port: every adapter must pass these, so backends stay interchangeable.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { BlobStore } from '../../lib/ports/blob-store.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | undefined) => (b ? new TextDecoder().decode(b) : undefined);
/** A valid Azure container name, unique per test. */
const containerName = () => `c-${randomUUID().slice(0, 18)}`;

/**
 * Registers the BlobStore contract for one adapter. `fetchableUrls`: `url()` answers a plain HTTP GET with the
 * blob's bytes (true for real storage with a SAS, false for the memory adapter's `memory://` URLs).
 */
export function blobStoreContract(
  adapter: string,
  makeStore: () => Promise<BlobStore>,
  opts: { fetchableUrls: boolean },
): void {
  describe(`BlobStore contract: ${adapter}`, () => {
    it('reads missing containers and blobs as undefined / empty / false', async () => {
      const store = await makeStore();
      const c = containerName();
      expect(await store.get(c, 'nope.txt')).toBeUndefined();
      expect(await store.list(c)).toEqual([]);
      expect(await store.delete(c, 'nope.txt')).toBe(false);
      expect(await store.deleteContainer(c)).toBe(false);
      await store.ensureContainer(c);
      await store.ensureContainer(c);
      expect(await store.get(c, 'nope.txt')).toBeUndefined();
      expect(await store.delete(c, 'nope.txt')).toBe(false);
      expect(await store.list(c)).toEqual([]);
    });

    it('writes into a missing container and reads bytes and properties back', async () => {
      const store = await makeStore();
      const c = containerName();
      const info = await store.put(c, 'docs/a.txt', bytes('héllo'), { contentType: 'text/plain; charset=utf-8' });
      expect(info).toMatchObject({ name: 'docs/a.txt', size: 6, contentType: 'text/plain; charset=utf-8' });
      expect(info.etag).toBeTruthy();
      expect(info.lastModified).toBeInstanceOf(Date);
      const got = await store.get(c, 'docs/a.txt');
      expect(text(got?.bytes)).toBe('héllo');
      expect(got).toMatchObject({ name: 'docs/a.txt', size: 6, etag: info.etag, contentType: 'text/plain; charset=utf-8' });
    });

    it('overwrites: new bytes, new ETag', async () => {
      const store = await makeStore();
      const c = containerName();
      const first = await store.put(c, 'a.txt', bytes('one'));
      const second = await store.put(c, 'a.txt', bytes('second version'));
      expect(second.etag).not.toBe(first.etag);
      const got = await store.get(c, 'a.txt');
      expect(text(got?.bytes)).toBe('second version');
      expect(got?.size).toBe(14);
      expect(got?.etag).toBe(second.etag);
      expect(await store.list(c)).toHaveLength(1);
    });

    it('stores binary bytes unchanged, including empty blobs', async () => {
      const store = await makeStore();
      const c = containerName();
      const all = new Uint8Array(256).map((_, i) => i);
      await store.put(c, 'all.bin', all);
      await store.put(c, 'empty.bin', new Uint8Array());
      expect([...(await store.get(c, 'all.bin'))!.bytes]).toEqual([...all]);
      const empty = await store.get(c, 'empty.bin');
      expect(empty?.size).toBe(0);
      expect(empty?.bytes.byteLength).toBe(0);
    });

    it('lists by name order, optionally under a prefix, with odd names intact', async () => {
      const store = await makeStore();
      const c = containerName();
      const names = ['b.txt', 'a/2.txt', 'a/1.txt', 'a/sub/x y.txt', 'ab.txt', 'ü/文档.txt', 'q?#.txt'];
      for (const n of names) await store.put(c, n, bytes(n));
      const listed = await store.list(c);
      expect(listed.map((b) => b.name)).toEqual([...names].sort());
      expect(listed.find((b) => b.name === 'b.txt')?.size).toBe(5);
      expect((await store.list(c, { prefix: 'a/' })).map((b) => b.name)).toEqual(['a/1.txt', 'a/2.txt', 'a/sub/x y.txt']);
      expect((await store.list(c, { prefix: 'a' })).map((b) => b.name)).toEqual([
        'a/1.txt',
        'a/2.txt',
        'a/sub/x y.txt',
        'ab.txt',
      ]);
      expect(await store.list(c, { prefix: 'zzz' })).toEqual([]);
      for (const n of names) expect(text((await store.get(c, n))?.bytes)).toBe(n);
    });

    it('deletes a blob once, and a container with everything in it', async () => {
      const store = await makeStore();
      const c = containerName();
      await store.put(c, 'a.txt', bytes('a'));
      await store.put(c, 'b.txt', bytes('b'));
      expect(await store.delete(c, 'a.txt')).toBe(true);
      expect(await store.delete(c, 'a.txt')).toBe(false);
      expect(await store.get(c, 'a.txt')).toBeUndefined();
      expect((await store.list(c)).map((b) => b.name)).toEqual(['b.txt']);
      expect(await store.deleteContainer(c)).toBe(true);
      expect(await store.get(c, 'b.txt')).toBeUndefined();
      expect(await store.list(c)).toEqual([]);
    });

    it('keeps containers apart', async () => {
      const store = await makeStore();
      const c1 = containerName();
      const c2 = containerName();
      await store.put(c1, 'same.txt', bytes('one'));
      await store.put(c2, 'same.txt', bytes('two'));
      expect(text((await store.get(c1, 'same.txt'))?.bytes)).toBe('one');
      expect(text((await store.get(c2, 'same.txt'))?.bytes)).toBe('two');
      await store.deleteContainer(c1);
      expect(text((await store.get(c2, 'same.txt'))?.bytes)).toBe('two');
    });

    it('gives a URL for a blob', async () => {
      const store = await makeStore();
      const c = containerName();
      await store.put(c, 'dir/some file#1.txt', bytes('via url'));
      const url = await store.url(c, 'dir/some file#1.txt');
      expect(typeof url).toBe('string');
      if (!opts.fetchableUrls) return;
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('via url');
      // the SAS is read-only
      const write = await fetch(url, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob' }, body: 'overwritten' });
      expect(write.status).toBe(403);
      expect(text((await store.get(c, 'dir/some file#1.txt'))?.bytes)).toBe('via url');
    });
  });
}
