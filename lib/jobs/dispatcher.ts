// Runs one queue message: finds the handler for its `type`, keeps the job record's status honest, decides settle vs retry.
import { z } from 'zod';
import type { Deps } from '../app/types.js';
import { ERROR_TABLE, isDomainError } from '../errors.js';
import { zodIssuesToFieldErrors } from '../http/errors.js';
import { JobMessageBase, jobsGet, jobsUpdate, TERMINAL_JOB_STATUSES, type JobIssue, type JobRecord, type JobStatus } from './records.js';

/** What a handler reports when it finishes; status defaults to `succeeded` (`cancelled` if a cancel was requested meanwhile). */
export interface JobOutcome {
  status?: Extract<JobStatus, 'succeeded' | 'partiallyCompleted' | 'failed'>;
  result?: unknown;
  warnings?: JobIssue[];
  errors?: JobIssue[];
}

/** Facts about the delivery a handler may use (e.g. to save progress). */
export interface JobContext {
  job: JobRecord;
  /** Partition the job record is stored in. */
  jobPartition: string;
  deliveryCount: number;
}

/**
 * Work for one message `type`. `message` validates the handler's own fields (the base fields are checked first).
 * Throw a DomainError with a 4xx code for failures that can never succeed (job → failed, message completed);
 * throw anything else for transient failures (message retried; job → failed after the last delivery).
 */
export interface JobHandler<M = unknown> {
  type: string;
  message: z.ZodType<M>;
  run(deps: Deps, message: M & JobMessageBase, ctx: JobContext): Promise<JobOutcome | void>;
}

/** Declares a handler with its message type inferred from the schema. */
export function defineJobHandler<M>(handler: JobHandler<M>): JobHandler {
  return handler as unknown as JobHandler;
}

/** How the host should settle the message. */
export type Settlement = 'complete' | 'retry' | 'dead-letter';

/** Default retry budget; matches Service Bus' default max delivery count. */
export const DEFAULT_MAX_DELIVERIES = 5;

const failure = (code: string, message: string): JobIssue => ({ code, message });

/** Dispatches `body` to the handler registered for its type. Never throws; the returned settlement says what to do. */
export async function dispatchJobMessage(
  deps: Deps,
  handlers: readonly JobHandler[],
  body: unknown,
  delivery: { deliveryCount: number; maxDeliveries?: number },
): Promise<Settlement> {
  const maxDeliveries = delivery.maxDeliveries ?? DEFAULT_MAX_DELIVERIES;
  const base = JobMessageBase.safeParse(body);
  if (!base.success) {
    deps.log.error('job message rejected: not a job message', { issues: zodIssuesToFieldErrors(base.error.issues) });
    return 'complete';
  }
  const msg = base.data;
  const partition = msg.jobPartition ?? msg.projectName;
  const fields = { jobId: msg.jobId, type: msg.type, projectName: msg.projectName };
  const job = await safe(() => jobsGet(deps, partition, msg.jobId));
  if (job === 'error') return delivery.deliveryCount >= maxDeliveries ? 'dead-letter' : 'retry';
  if (!job) {
    deps.log.warn('job message for a job that no longer exists; dropped', fields);
    return 'complete';
  }
  if (TERMINAL_JOB_STATUSES.includes(job.status)) return 'complete';

  const fail = async (issue: JobIssue) => {
    await safe(() => jobsUpdate(deps, partition, msg.jobId, { status: 'failed', errors: [...job.errors, issue] }));
  };
  const handler = handlers.find((h) => h.type === msg.type);
  if (!handler) {
    deps.log.error('job message rejected: no handler for its type', fields);
    await fail(failure('InvalidRequest', `No handler for job type '${msg.type}'.`));
    return 'complete';
  }
  const own = handler.message.safeParse(body);
  if (!own.success) {
    const issues = zodIssuesToFieldErrors(own.error.issues);
    deps.log.error('job message rejected: invalid fields', { ...fields, issues });
    await fail(failure('InvalidArgument', issues.map((i) => `${i.path}: ${i.message}`).join('; ')));
    return 'complete';
  }

  try {
    const running = (await jobsUpdate(deps, partition, msg.jobId, { status: 'running' })) ?? job;
    const outcome =
      (await handler.run(deps, { ...(own.data as object), ...msg } as never, {
        job: running,
        jobPartition: partition,
        deliveryCount: delivery.deliveryCount,
      })) ?? {};
    const latest = (await jobsGet(deps, partition, msg.jobId)) ?? running;
    // A cancel requested while the handler ran wins over a default success.
    const cancelled = latest.status === 'cancelling' || latest.status === 'cancelled';
    const status = outcome.status ?? (cancelled ? 'cancelled' : 'succeeded');
    await jobsUpdate(deps, partition, msg.jobId, {
      status,
      ...(outcome.result !== undefined ? { result: outcome.result } : {}),
      warnings: [...latest.warnings, ...(outcome.warnings ?? [])],
      errors: [...latest.errors, ...(outcome.errors ?? [])],
    });
    deps.log.info('job finished', { ...fields, status });
    return 'complete';
  } catch (err) {
    if (isDomainError(err) && ERROR_TABLE[err.code].status < 500) {
      deps.log.warn('job failed', { ...fields, code: err.code, message: err.message });
      await fail({ code: ERROR_TABLE[err.code].azure, message: err.message, ...(err.target ? { target: err.target } : {}) });
      return 'complete';
    }
    deps.log.error('job attempt failed', { ...fields, deliveryCount: delivery.deliveryCount, error: err });
    if (delivery.deliveryCount >= maxDeliveries) {
      await fail(failure('InternalServerError', `The job failed after ${delivery.deliveryCount} attempts.`));
      return 'dead-letter';
    }
    return 'retry';
  }
}

async function safe<T>(fn: () => Promise<T>): Promise<T | 'error'> {
  try {
    return await fn();
  } catch {
    return 'error';
  }
}
