// Contract of the JobQueue port: every adapter must pass these, so backends stay interchangeable.
import { describe, expect, it } from 'vitest';
import type { JobQueue, ReceivedMessage } from '../../lib/ports/job-queue.js';

/** Receives until at least `n` messages arrived or `timeoutMs` passed (for redelivery that only time triggers). */
async function receiveWithin<T>(
  queue: JobQueue,
  n: number,
  timeoutMs: number,
  opts?: { visibilitySeconds?: number },
): Promise<ReceivedMessage<T>[]> {
  const deadline = Date.now() + timeoutMs;
  const got: ReceivedMessage<T>[] = [];
  while (got.length < n && Date.now() < deadline) {
    got.push(...(await queue.receive<T>(n - got.length, opts)));
    if (got.length < n) await new Promise((r) => setTimeout(r, 100));
  }
  return got;
}

/** Registers the JobQueue contract for one adapter; `makeQueue` gives a fresh, empty queue per test. */
export function jobQueueContract(adapter: string, makeQueue: (opts: { maxDeliveryCount: number }) => Promise<JobQueue>): void {
  describe(`JobQueue contract: ${adapter}`, () => {
    it('delivers a JSON message once per receive, and never again after complete', async () => {
      const queue = await makeQueue({ maxDeliveryCount: 5 });
      const body = { type: 'project-delete', projectName: 'p1', jobId: 'j1', nested: { list: [1, 'ü', null] } };
      await queue.send(body);
      const [m, ...rest] = await queue.receive<typeof body>(10);
      expect(rest).toEqual([]);
      expect(m.body).toEqual(body);
      expect(m.deliveryCount).toBe(1);
      expect(m.id).toBeTruthy();
      await m.complete();
      expect(await queue.receive(10)).toEqual([]);
      expect(await queue.deadLettered()).toEqual([]);
    });

    it('hands out at most `max` messages and hides received ones from other receivers', async () => {
      const queue = await makeQueue({ maxDeliveryCount: 5 });
      for (const n of [1, 2, 3]) await queue.send({ n });
      const first = await queue.receive<{ n: number }>(2);
      expect(first).toHaveLength(2);
      const second = await queue.receive<{ n: number }>(10);
      expect(second).toHaveLength(1);
      expect([...first, ...second].map((m) => m.body.n).sort()).toEqual([1, 2, 3]);
      expect(await queue.receive(10)).toEqual([]);
      for (const m of [...first, ...second]) await m.complete();
      expect(await queue.receive(10)).toEqual([]);
    });

    it('redelivers an abandoned message at once with deliveryCount 2', async () => {
      const queue = await makeQueue({ maxDeliveryCount: 5 });
      await queue.send({ job: 'retry-me' });
      const [m] = await queue.receive<{ job: string }>(1, { visibilitySeconds: 60 });
      await m.abandon();
      const [again] = await queue.receive<{ job: string }>(1);
      expect(again.body).toEqual({ job: 'retry-me' });
      expect(again.deliveryCount).toBe(2);
      await again.complete();
      expect(await queue.receive(1)).toEqual([]);
    });

    it('redelivers a message nobody settled once its visibility timeout ran out (at-least-once)', async () => {
      const queue = await makeQueue({ maxDeliveryCount: 5 });
      await queue.send({ job: 'slow' });
      const started = Date.now();
      const [m] = await queue.receive<{ job: string }>(1, { visibilitySeconds: 1 });
      expect(m.deliveryCount).toBe(1);
      expect(await queue.receive(1, { visibilitySeconds: 1 })).toEqual([]);
      const [again] = await receiveWithin<{ job: string }>(queue, 1, 10_000, { visibilitySeconds: 30 });
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      expect(again?.body).toEqual({ job: 'slow' });
      expect(again?.deliveryCount).toBe(2);
      await again.complete();
      expect(await queue.receive(1)).toEqual([]);
    });

    it('dead-letters with the reason, and the message is not delivered again', async () => {
      const queue = await makeQueue({ maxDeliveryCount: 5 });
      await queue.send({ job: 'poison', n: 1 });
      await queue.send({ job: 'fine', n: 2 });
      const received = await queue.receive<{ job: string; n: number }>(2);
      const poison = received.find((m) => m.body.job === 'poison')!;
      const fine = received.find((m) => m.body.job === 'fine')!;
      await poison.deadLetter('InvalidJob: project name missing');
      await fine.complete();
      expect(await queue.receive(10)).toEqual([]);
      expect(await queue.deadLettered()).toEqual([
        { body: { job: 'poison', n: 1 }, reason: 'InvalidJob: project name missing' },
      ]);
    });

    it('dead-letters a message that keeps failing after maxDeliveryCount deliveries', async () => {
      const queue = await makeQueue({ maxDeliveryCount: 2 });
      await queue.send({ job: 'always-fails' });
      for (const expected of [1, 2]) {
        const [m] = await queue.receive<{ job: string }>(1);
        expect(m.deliveryCount).toBe(expected);
        await m.abandon();
      }
      expect(await queue.receive(1)).toEqual([]);
      const dead = await queue.deadLettered<{ job: string }>();
      expect(dead).toHaveLength(1);
      expect(dead[0].body).toEqual({ job: 'always-fails' });
      expect(dead[0].reason).toMatch(/MaxDeliveryCount/);
    });
  });
}
