// Persistence for the in-memory Cosmos emulator: dump/restore through the SDK and periodic atomic JSON snapshots.
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { CosmosClient, ContainerDefinition } from '@azure/cosmos';

/** The on-disk form of everything the emulator holds. */
export interface CosmosSnapshot {
  version: 1;
  savedAt: string;
  databases: Array<{
    id: string;
    containers: Array<{
      id: string;
      partitionKey?: ContainerDefinition['partitionKey'];
      indexingPolicy?: ContainerDefinition['indexingPolicy'];
      uniqueKeyPolicy?: ContainerDefinition['uniqueKeyPolicy'];
      defaultTtl?: number;
      items: Array<Record<string, unknown>>;
    }>;
  }>;
}

/** What one snapshot wrote, for logs and for tests that wait for it. */
export interface SnapshotInfo {
  file: string;
  databases: number;
  containers: number;
  items: number;
  bytes: number;
}

const SYSTEM_FIELDS = ['_rid', '_self', '_etag', '_ts', '_attachments'];

const stripSystem = (item: Record<string, unknown>) => {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) if (!SYSTEM_FIELDS.includes(k)) out[k] = v;
  return out;
};

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Reads every database, container definition and item (without system fields) through the SDK. */
export async function dumpCosmos(client: CosmosClient, now: () => Date = () => new Date()): Promise<CosmosSnapshot> {
  const snapshot: CosmosSnapshot = { version: 1, savedAt: now().toISOString(), databases: [] };
  const { resources: dbs } = await client.databases.readAll().fetchAll();
  for (const db of [...dbs].sort(byId)) {
    const database = client.database(db.id);
    const { resources: containers } = await database.containers.readAll().fetchAll();
    const entry: CosmosSnapshot['databases'][number] = { id: db.id, containers: [] };
    for (const c of [...containers].sort(byId)) {
      const { resources: items } = await database.container(c.id).items.readAll<Record<string, unknown> & { id: string }>({ maxItemCount: 1000 }).fetchAll();
      entry.containers.push({
        id: c.id,
        partitionKey: c.partitionKey,
        indexingPolicy: c.indexingPolicy,
        uniqueKeyPolicy: c.uniqueKeyPolicy,
        defaultTtl: c.defaultTtl,
        items: items.map(stripSystem).sort((a, b) => {
          const ka = JSON.stringify([a.id, a.pk ?? null]);
          const kb = JSON.stringify([b.id, b.pk ?? null]);
          return ka < kb ? -1 : ka > kb ? 1 : 0;
        }),
      });
    }
    snapshot.databases.push(entry);
  }
  return snapshot;
}

/** Recreates databases, containers and items from a snapshot (upserts, so it is safe on a non-empty emulator). */
export async function restoreCosmos(
  client: CosmosClient,
  snapshot: CosmosSnapshot,
  opts: { concurrency?: number } = {},
): Promise<{ databases: number; containers: number; items: number }> {
  let containers = 0;
  let items = 0;
  for (const db of snapshot.databases) {
    const { database } = await client.databases.createIfNotExists({ id: db.id });
    for (const c of db.containers) {
      const { container } = await database.containers.createIfNotExists({
        id: c.id,
        partitionKey: c.partitionKey,
        indexingPolicy: c.indexingPolicy,
        uniqueKeyPolicy: c.uniqueKeyPolicy,
        defaultTtl: c.defaultTtl,
      });
      containers += 1;
      const pending = [...c.items];
      const worker = async () => {
        for (let item = pending.shift(); item; item = pending.shift()) {
          await container.items.upsert(item);
          items += 1;
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 16) }, worker));
    }
  }
  return { databases: snapshot.databases.length, containers, items };
}

/** Content hash of a snapshot, ignoring when it was taken; equal hashes mean nothing changed. */
export function snapshotHash(snapshot: CosmosSnapshot): string {
  return createHash('sha256').update(JSON.stringify(snapshot.databases)).digest('hex');
}

/** Reads a snapshot file; undefined when it does not exist. A corrupt file is an error naming it (never overwritten). */
export async function readSnapshot(file: string): Promise<CosmosSnapshot | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`Cosmos emulator snapshot ${file} is not valid JSON; move it aside to start empty.`, { cause: err });
  }
  const s = parsed as Partial<CosmosSnapshot>;
  if (s?.version !== 1 || !Array.isArray(s.databases))
    throw new Error(`Cosmos emulator snapshot ${file} has an unknown format (expected version 1).`);
  return s as CosmosSnapshot;
}

/** Removes temp files a killed process left behind next to `file` (they never replaced it, so they are stale). */
export async function removeStaleTempFiles(file: string): Promise<void> {
  const dir = dirname(file);
  const prefix = `${basename(file)}.`;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  await Promise.all(
    names
      .filter((n) => n.startsWith(prefix) && n.endsWith('.tmp'))
      .map((n) => rm(join(dir, n), { force: true })),
  );
}

/** Writes the snapshot to a temp file, flushes it and renames it over `file`, so a crash never leaves half a file. */
export async function writeSnapshotAtomic(file: string, snapshot: CosmosSnapshot): Promise<number> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const text = JSON.stringify(snapshot);
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(text, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return Buffer.byteLength(text);
}

/**
 * Snapshots the emulator to `file` at most every `intervalMs` while something changed (`markDirty()` is called after
 * each successful write request), and once more on `stop()`. Writes are skipped when the content hash is unchanged.
 */
export class CosmosSnapshotter {
  private dirty = false;
  private lastHash?: string;
  private timer?: NodeJS.Timeout;
  private running?: Promise<SnapshotInfo | undefined>;

  constructor(
    private readonly opts: {
      client: CosmosClient;
      file: string;
      intervalMs?: number;
      onSnapshot?: (info: SnapshotInfo) => void;
      onError?: (err: unknown) => void;
    },
  ) {}

  /** Remembers the content already on disk (after a restore) so an unchanged state is not rewritten. */
  setBaseline(snapshot: CosmosSnapshot): void {
    this.lastHash = snapshotHash(snapshot);
    this.dirty = false;
  }

  /** Something was written; the next tick will snapshot. */
  markDirty(): void {
    this.dirty = true;
  }

  start(): void {
    this.timer ??= setInterval(() => {
      if (this.dirty && !this.running) void this.flush().catch(() => {});
    }, this.opts.intervalMs ?? 2000);
    this.timer.unref();
  }

  /** Snapshots now if anything changed since the last one; resolves with what was written (undefined: nothing). */
  async flush(): Promise<SnapshotInfo | undefined> {
    while (this.running) await this.running.catch(() => {});
    if (!this.dirty) return undefined;
    this.running = this.snapshotNow();
    try {
      return await this.running;
    } finally {
      this.running = undefined;
    }
  }

  private async snapshotNow(): Promise<SnapshotInfo | undefined> {
    // Cleared before reading: a write finishing during the dump marks it dirty again for the next tick.
    this.dirty = false;
    try {
      const snapshot = await dumpCosmos(this.opts.client);
      const hash = snapshotHash(snapshot);
      if (hash === this.lastHash) return undefined;
      const bytes = await writeSnapshotAtomic(this.opts.file, snapshot);
      this.lastHash = hash;
      const info: SnapshotInfo = {
        file: this.opts.file,
        databases: snapshot.databases.length,
        containers: snapshot.databases.reduce((n, d) => n + d.containers.length, 0),
        items: snapshot.databases.reduce((n, d) => n + d.containers.reduce((m, c) => m + c.items.length, 0), 0),
        bytes,
      };
      this.opts.onSnapshot?.(info);
      return info;
    } catch (err) {
      this.dirty = true;
      this.opts.onError?.(err);
      throw err;
    }
  }

  /** Stops the timer and writes a final snapshot if anything changed. */
  async stop(): Promise<SnapshotInfo | undefined> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    return this.flush();
  }
}
