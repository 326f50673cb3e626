// Contract of the DocumentStore port: every adapter must pass these, so backends stay interchangeable.
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../lib/errors.js';
import type { DocumentStore } from '../../lib/ports/document-store.js';

/** Resolves with the DomainError code a promise rejects with (fails the test if it resolves or throws otherwise). */
export async function errorCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    return (err as DomainError).code;
  }
  throw new Error('expected a DomainError, but the call succeeded');
}

/** Registers the DocumentStore contract for one adapter; `makeStore` gives a fresh, empty store per test. */
export function documentStoreContract(adapter: string, makeStore: () => Promise<DocumentStore>): void {
  describe(`DocumentStore contract: ${adapter}`, () => {
    it('reads a missing item as undefined', async () => {
      const store = await makeStore();
      expect(await store.get('project', 'p1', 'nope')).toBeUndefined();
    });

    it('creates, reads back a copy, and refuses a second create with CONFLICT', async () => {
      const store = await makeStore();
      const value = { name: 'p1', nested: { list: [1, 'two', null], flag: true }, text: 'héllo 👋' };
      const created = await store.create('project', 'p1', 'p1', value);
      expect(created.id).toBe('p1');
      expect(created.value).toEqual(value);
      expect(created.etag).toBeTruthy();

      const read = await store.get<typeof value>('project', 'p1', 'p1');
      expect(read).toEqual({ id: 'p1', value, etag: created.etag });
      read!.value.nested.list.push(4);
      expect((await store.get<typeof value>('project', 'p1', 'p1'))!.value).toEqual(value);

      expect(await errorCode(store.create('project', 'p1', 'p1', { other: 1 }))).toBe('CONFLICT');
      expect((await store.get('project', 'p1', 'p1'))!.value).toEqual(value);
    });

    it('upserts: creates, replaces, and changes the ETag on every write', async () => {
      const store = await makeStore();
      const a = await store.upsert('document', 'p1', 'd1', { v: 1 });
      const b = await store.upsert('document', 'p1', 'd1', { v: 2 });
      expect(b.etag).not.toBe(a.etag);
      const read = await store.get('document', 'p1', 'd1');
      expect(read).toEqual({ id: 'd1', value: { v: 2 }, etag: b.etag });
    });

    it('honours ifMatch on upsert: current ETag wins, a stale one is PRECONDITION_FAILED, a missing item NOT_FOUND', async () => {
      const store = await makeStore();
      const first = await store.create('project', 'p1', 'p1', { v: 1 });
      const second = await store.upsert('project', 'p1', 'p1', { v: 2 }, { ifMatch: first.etag });
      expect(second.value).toEqual({ v: 2 });

      expect(await errorCode(store.upsert('project', 'p1', 'p1', { v: 3 }, { ifMatch: first.etag }))).toBe(
        'PRECONDITION_FAILED',
      );
      expect((await store.get('project', 'p1', 'p1'))!.value).toEqual({ v: 2 });

      expect(await errorCode(store.upsert('project', 'p1', 'ghost', { v: 1 }, { ifMatch: first.etag }))).toBe(
        'NOT_FOUND',
      );
      expect(await store.get('project', 'p1', 'ghost')).toBeUndefined();
    });

    it('deletes: true once, false after; ifMatch guards it', async () => {
      const store = await makeStore();
      const first = await store.create('document', 'p1', 'd1', { v: 1 });
      const second = await store.upsert('document', 'p1', 'd1', { v: 2 });

      expect(await errorCode(store.delete('document', 'p1', 'd1', { ifMatch: first.etag }))).toBe('PRECONDITION_FAILED');
      expect(await store.get('document', 'p1', 'd1')).toBeDefined();

      expect(await store.delete('document', 'p1', 'd1', { ifMatch: second.etag })).toBe(true);
      expect(await store.get('document', 'p1', 'd1')).toBeUndefined();
      expect(await store.delete('document', 'p1', 'd1')).toBe(false);
      expect(await errorCode(store.delete('document', 'p1', 'd1', { ifMatch: second.etag }))).toBe('NOT_FOUND');
    });

    it('keeps partitions and collections apart', async () => {
      const store = await makeStore();
      await store.create('document', 'p1', 'same', { in: 'p1' });
      await store.create('document', 'p2', 'same', { in: 'p2' });
      await store.create('job', 'p1', 'same', { in: 'p1-job' });

      expect((await store.get('document', 'p1', 'same'))!.value).toEqual({ in: 'p1' });
      expect((await store.get('document', 'p2', 'same'))!.value).toEqual({ in: 'p2' });
      expect((await store.get('job', 'p1', 'same'))!.value).toEqual({ in: 'p1-job' });
      expect(await store.get('job', 'p2', 'same')).toBeUndefined();

      expect((await store.list('document', 'p1')).map((i) => i.value)).toEqual([{ in: 'p1' }]);
      expect((await store.list('job', 'p1')).map((i) => i.value)).toEqual([{ in: 'p1-job' }]);
      expect(await store.list('job', 'p2')).toEqual([]);
      expect(await store.list('document', 'nobody')).toEqual([]);

      expect(await store.delete('document', 'p2', 'same')).toBe(true);
      expect((await store.get('document', 'p1', 'same'))!.value).toEqual({ in: 'p1' });
    });

    it('lists one partition ordered by id, with ETags that allow a conditional write', async () => {
      const store = await makeStore();
      for (const id of ['c', 'a', 'b']) await store.create('document', 'p1', id, { id });
      const items = await store.list<{ id: string }>('document', 'p1');
      expect(items.map((i) => i.id)).toEqual(['a', 'b', 'c']);
      expect(items.map((i) => i.value.id)).toEqual(['a', 'b', 'c']);
      await store.upsert('document', 'p1', 'b', { id: 'b', v: 2 }, { ifMatch: items[1].etag });
    });

    it('lists a collection across partitions with each item’s partition', async () => {
      const store = await makeStore();
      await store.create('project', 'zeta', 'zeta', { n: 'zeta' });
      await store.create('project', 'alpha', 'alpha', { n: 'alpha' });
      await store.create('project', 'mid', 'mid', { n: 'mid' });
      await store.create('document', 'alpha', 'doc', { n: 'not a project' });
      const all = await store.listAcross<{ n: string }>('project');
      expect(all.map((i) => [i.id, i.partition, i.value.n])).toEqual([
        ['alpha', 'alpha', 'alpha'],
        ['mid', 'mid', 'mid'],
        ['zeta', 'zeta', 'zeta'],
      ]);
      expect(all.every((i) => typeof i.etag === 'string' && i.etag.length > 0)).toBe(true);
      expect(await store.listAcross('nothing')).toEqual([]);
    });

    it('deletes a whole partition, every collection in it, and says how many items went', async () => {
      const store = await makeStore();
      await store.create('project', 'p1', 'p1', {});
      await store.create('document', 'p1', 'd1', {});
      await store.create('document', 'p1', 'd2', {});
      await store.create('document', 'p2', 'd1', {});
      expect(await store.deletePartition('p1')).toBe(3);
      expect(await store.list('document', 'p1')).toEqual([]);
      expect(await store.get('project', 'p1', 'p1')).toBeUndefined();
      expect((await store.list('document', 'p2')).map((i) => i.id)).toEqual(['d1']);
      expect(await store.deletePartition('p1')).toBe(0);
      // the partition is usable again afterwards
      await store.create('project', 'p1', 'p1', { again: true });
      expect((await store.get('project', 'p1', 'p1'))!.value).toEqual({ again: true });
    });

    it('stores ids with odd characters as distinct, reversible keys', async () => {
      const store = await makeStore();
      const ids = [
        'folder/doc.txt',
        'folder%2Fdoc.txt',
        'folder~2Fdoc.txt',
        'what?.txt',
        'hash#tag',
        'back\\slash',
        'with space ',
        'ünïcødé-文档-📄',
        'a|b',
        '..',
        'x'.repeat(1200),
      ];
      for (const [i, id] of ids.entries()) await store.create('document', 'p1', id, { i });
      for (const [i, id] of ids.entries()) {
        const got = await store.get<{ i: number }>('document', 'p1', id);
        expect(got?.id).toBe(id);
        expect(got?.value.i).toBe(i);
      }
      const listed = await store.list<{ i: number }>('document', 'p1');
      expect(listed.map((x) => x.id)).toEqual([...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      const across = await store.listAcross('document');
      expect(across.map((x) => x.id).sort()).toEqual([...ids].sort());

      const weird = await store.get('document', 'p1', 'what?.txt');
      await store.upsert('document', 'p1', 'what?.txt', { i: -1 }, { ifMatch: weird!.etag });
      expect(await store.delete('document', 'p1', 'hash#tag')).toBe(true);
      expect(await store.get('document', 'p1', 'hash#tag')).toBeUndefined();
      expect(await errorCode(store.create('document', 'p1', 'folder/doc.txt', {}))).toBe('CONFLICT');
    });
  });
}
