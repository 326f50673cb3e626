// Azure Functions queue trigger for jobs: Service Bus in Azure, a storage queue otherwise; the lib/jobs dispatcher does the work.
import { app, type InvocationContext } from '@azure/functions';
import { decodeServiceBusBody } from '../lib/adapters/service-bus/service-bus-job-queue.js';
import { sharedRuntime } from '../lib/app/deps.js';
import type { Deps } from '../lib/app/types.js';
import { getConfig } from '../lib/config.js';
import { DEFAULT_MAX_DELIVERIES, dispatchJobMessage, type JobHandler } from '../lib/jobs/dispatcher.js';
import { jobHandlers } from '../lib/jobs/index.js';

/** Thrown so the platform redelivers (and, after the last delivery, dead-letters / poisons) the message. */
export class JobRetryError extends Error {
  override readonly name = 'JobRetryError';
}

/**
 * The trigger body: dispatches the message; transient failures throw so the platform retries. The delivery count
 * comes from trigger metadata (`dequeueCount` for storage queues, `deliveryCount` for Service Bus, both 1-based).
 */
export function createJobTrigger(
  getDeps: () => Promise<Deps>,
  handlers: readonly JobHandler[] = jobHandlers,
  maxDeliveries = DEFAULT_MAX_DELIVERIES,
): (message: unknown, context: InvocationContext) => Promise<void> {
  return async (message, context) => {
    const deps = await getDeps();
    const meta = context.triggerMetadata ?? {};
    const deliveryCount = Number(meta.dequeueCount ?? meta.deliveryCount ?? 1) || 1;
    const settlement = await dispatchJobMessage(deps, handlers, decodeServiceBusBody(message), { deliveryCount, maxDeliveries });
    if (settlement !== 'complete')
      throw new JobRetryError(`Job message not done (attempt ${deliveryCount} of ${maxDeliveries}); see the job record.`);
  };
}

const config = getConfig();
const handler = createJobTrigger(async () => (await sharedRuntime()).deps);
if (config.serviceBusNamespace) {
  app.serviceBusQueue('jobs', { connection: 'SERVICEBUS', queueName: config.jobQueueName, handler });
} else {
  app.storageQueue('jobs', {
    // Connection string in STORAGE_CONNECTION, or identity-based STORAGE__queueServiceUri.
    connection: process.env.STORAGE_CONNECTION ? 'STORAGE_CONNECTION' : 'STORAGE',
    queueName: config.jobQueueName,
    handler,
  });
}
