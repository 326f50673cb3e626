// The local job consumer: polls the JobQueue and hands each message to the lib/jobs dispatcher (what the queue trigger does in Azure).
import type { Deps } from '../app/types.js';
import { settleJobMessage } from '../jobs/consumer.js';
import type { JobHandler } from '../jobs/dispatcher.js';

/** A running worker. */
export interface QueueWorker {
  /** Polls now instead of waiting for the idle interval (called after a message is sent). */
  wake(): void;
  /** Finishes the message in hand, then stops polling. */
  stop(): Promise<void>;
  state(): 'ready' | 'unavailable';
}

/** Starts polling `deps.queue`; messages are handled one at a time, so a job never runs twice at once here. */
export function startQueueWorker(opts: {
  deps: Deps;
  handlers: readonly JobHandler[];
  /** Wait between empty polls (default 1000 ms). */
  idleMs?: number;
  /** How long a received message stays hidden (default 300 s; long jobs keep it while they run). */
  visibilitySeconds?: number;
  maxDeliveries?: number;
}): QueueWorker {
  const { deps } = opts;
  let stopped = false;
  let failing = false;
  let wakeUp: (() => void) | undefined;
  let pending = false;
  const idle = () =>
    new Promise<void>((resolve) => {
      if (pending || stopped) {
        pending = false;
        resolve();
        return;
      }
      const t = setTimeout(done, opts.idleMs ?? 1000);
      function done() {
        clearTimeout(t);
        wakeUp = undefined;
        resolve();
      }
      wakeUp = done;
    });
  const loop = (async () => {
    while (!stopped) {
      try {
        const batch = await deps.queue.receive(8, { visibilitySeconds: opts.visibilitySeconds ?? 300 });
        failing = false;
        for (const m of batch) {
          if (stopped) {
            await m.abandon().catch(() => {});
            continue;
          }
          await settleJobMessage(deps, opts.handlers, m, opts.maxDeliveries);
        }
        if (batch.length === 0) await idle();
      } catch (err) {
        if (!failing) deps.log.error('queue worker: receive failed; retrying', { error: err });
        failing = true;
        await idle();
      }
    }
  })();
  return {
    wake: () => {
      if (wakeUp) wakeUp();
      else pending = true;
    },
    stop: async () => {
      stopped = true;
      wakeUp?.();
      await loop;
    },
    state: () => (stopped || failing ? 'unavailable' : 'ready'),
  };
}
