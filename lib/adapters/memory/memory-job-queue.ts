// In-memory JobQueue for unit tests: at-least-once delivery with visibility timeouts and dead-lettering.
import type { JobQueue, ReceivedMessage } from '../../ports/job-queue.js';

interface Entry {
  id: string;
  body: unknown;
  deliveryCount: number;
  invisibleUntil: number;
}

/** A FIFO list; received messages stay hidden until settled or their visibility runs out. */
export class MemoryJobQueue implements JobQueue {
  private entries: Entry[] = [];
  private readonly dead: Array<{ body: unknown; reason: string }> = [];
  private seq = 0;

  constructor(
    private readonly opts: { maxDeliveryCount?: number; now?: () => number } = {},
  ) {}

  private now(): number {
    return this.opts.now ? this.opts.now() : Date.now();
  }

  async send<T>(body: T): Promise<void> {
    this.seq += 1;
    this.entries.push({ id: String(this.seq), body: structuredClone(body), deliveryCount: 0, invisibleUntil: 0 });
  }

  async receive<T>(max: number, opts: { visibilitySeconds?: number } = {}): Promise<ReceivedMessage<T>[]> {
    const now = this.now();
    const maxDeliveries = this.opts.maxDeliveryCount ?? 10;
    const out: ReceivedMessage<T>[] = [];
    for (const e of [...this.entries]) {
      if (out.length >= max) break;
      if (e.invisibleUntil > now) continue;
      if (e.deliveryCount >= maxDeliveries) {
        this.remove(e.id);
        this.dead.push({ body: e.body, reason: `MaxDeliveryCountExceeded (${e.deliveryCount})` });
        continue;
      }
      e.deliveryCount += 1;
      e.invisibleUntil = now + (opts.visibilitySeconds ?? 30) * 1000;
      out.push(this.handle<T>(e));
    }
    return out;
  }

  private remove(id: string): boolean {
    const before = this.entries.length;
    this.entries = this.entries.filter((x) => x.id !== id);
    return this.entries.length !== before;
  }

  private handle<T>(e: Entry): ReceivedMessage<T> {
    return {
      id: e.id,
      body: structuredClone(e.body) as T,
      deliveryCount: e.deliveryCount,
      complete: async () => {
        this.remove(e.id);
      },
      abandon: async () => {
        e.invisibleUntil = 0;
      },
      deadLetter: async (reason: string) => {
        if (this.remove(e.id)) this.dead.push({ body: e.body, reason });
      },
    };
  }

  async deadLettered<T>(): Promise<Array<{ body: T; reason: string }>> {
    return this.dead.map((d) => ({ body: structuredClone(d.body) as T, reason: d.reason }));
  }
}
