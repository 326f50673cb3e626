// Pulls messages off a JobQueue and settles each as the dispatcher decides (local worker and tests).
import type { Deps } from '../app/types.js';
import type { ReceivedMessage } from '../ports/job-queue.js';
import { dispatchJobMessage, type JobHandler } from './dispatcher.js';

/** Dispatches one received message and completes, abandons or dead-letters it. */
export async function settleJobMessage(
  deps: Deps,
  handlers: readonly JobHandler[],
  message: ReceivedMessage,
  maxDeliveries?: number,
): Promise<void> {
  const settlement = await dispatchJobMessage(deps, handlers, message.body, {
    deliveryCount: message.deliveryCount,
    maxDeliveries,
  });
  if (settlement === 'complete') await message.complete();
  else if (settlement === 'retry') await message.abandon();
  else await message.deadLetter('The job failed on every delivery.');
}

/**
 * Receives and dispatches until the queue answers empty (or `maxRounds` batches ran). Tests call this to run
 * queued jobs to completion with the memory queue. Returns how many messages were handled.
 */
export async function drainJobQueue(
  deps: Deps,
  handlers: readonly JobHandler[],
  opts: { maxRounds?: number; maxDeliveries?: number; batchSize?: number } = {},
): Promise<number> {
  let handled = 0;
  for (let round = 0; round < (opts.maxRounds ?? 100); round++) {
    const batch = await deps.queue.receive(opts.batchSize ?? 16, { visibilitySeconds: 30 });
    if (batch.length === 0) break;
    for (const m of batch) {
      await settleJobMessage(deps, handlers, m, opts.maxDeliveries);
      handled += 1;
    }
  }
  return handled;
}
