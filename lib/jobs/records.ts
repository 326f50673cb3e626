// Job records (Azure's long-running operation resource) and starting a job: record first, then its queue message.
import { z } from 'zod';
import type { Deps } from '../app/types.js';

export type JobStatus = 'notStarted' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'cancelling' | 'partiallyCompleted';

/** Terminal states: a redelivered message for such a job is completed without running again. */
export const TERMINAL_JOB_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled', 'partiallyCompleted'];

/** One warning or error of a job, Azure-shaped. */
export interface JobIssue {
  code: string;
  message: string;
  target?: string;
  [extra: string]: unknown;
}

/** Stored in collection `job`, partition = project name (or `global` for deletion jobs); id = jobId. */
export interface JobRecord {
  jobId: string;
  /** What the job does (`project-deletion`, `import`, `export`, `training` …); not part of Azure's body. */
  kind: string;
  projectName: string;
  createdDateTime: string;
  lastUpdatedDateTime: string;
  expirationDateTime: string;
  status: JobStatus;
  warnings: JobIssue[];
  errors: JobIssue[];
  result?: unknown;
}

/** The fields every job message carries; handlers add their own. */
export const JobMessageBase = z.object({
  type: z.string().min(1),
  jobId: z.string().min(1),
  projectName: z.string().min(1),
  /** Partition of the job record when it is not the project's (deletion jobs: `global`). */
  jobPartition: z.string().min(1).optional(),
});
export type JobMessageBase = z.infer<typeof JobMessageBase>;

export const JOB_COLLECTION = 'job';
/** Partition holding jobs that outlive their project (deletion). */
export const GLOBAL_PARTITION = 'global';
const JOB_TTL_DAYS = 7;

/** The Azure job resource as clients see it (internal fields dropped). */
export function jobResource(job: JobRecord): Record<string, unknown> {
  const { kind: _k, projectName: _p, ...rest } = job;
  return rest;
}

/**
 * Creates a `notStarted` job record in `partition` and enqueues `{type, jobId, projectName, jobPartition, ...extra}`.
 * The record exists before the message, so a client polling `operation-location` never sees a 404.
 */
export async function jobsStart(
  deps: Pick<Deps, 'store' | 'queue' | 'clock' | 'ids'>,
  input: { type: string; kind: string; projectName: string; partition?: string; extra?: Record<string, unknown> },
): Promise<JobRecord> {
  const now = deps.clock.now();
  const partition = input.partition ?? input.projectName;
  const job: JobRecord = {
    jobId: deps.ids.next(),
    kind: input.kind,
    projectName: input.projectName,
    createdDateTime: now.toISOString(),
    lastUpdatedDateTime: now.toISOString(),
    expirationDateTime: new Date(now.getTime() + JOB_TTL_DAYS * 86_400_000).toISOString(),
    status: 'notStarted',
    warnings: [],
    errors: [],
  };
  await deps.store.create(JOB_COLLECTION, partition, job.jobId, job);
  const message: JobMessageBase & Record<string, unknown> = {
    ...(input.extra ?? {}),
    type: input.type,
    jobId: job.jobId,
    projectName: input.projectName,
    ...(partition !== input.projectName ? { jobPartition: partition } : {}),
  };
  try {
    await deps.queue.send(message);
  } catch (err) {
    // Without its message the job would wait forever; say so on the record, then let the caller answer 5xx.
    await deps.store
      .upsert(JOB_COLLECTION, partition, job.jobId, {
        ...job,
        status: 'failed',
        errors: [{ code: 'ServiceUnavailable', message: 'The job could not be queued; try again.' }],
      })
      .catch(() => {});
    throw err;
  }
  return job;
}

/** The job, or undefined. */
export async function jobsGet(deps: Pick<Deps, 'store'>, partition: string, jobId: string): Promise<JobRecord | undefined> {
  return (await deps.store.get<JobRecord>(JOB_COLLECTION, partition, jobId))?.value;
}

/** Applies `patch` to the stored job (stamping lastUpdatedDateTime); undefined when the job no longer exists. */
export async function jobsUpdate(
  deps: Pick<Deps, 'store' | 'clock'>,
  partition: string,
  jobId: string,
  patch: Partial<Omit<JobRecord, 'jobId' | 'createdDateTime'>>,
): Promise<JobRecord | undefined> {
  const current = await jobsGet(deps, partition, jobId);
  if (!current) return undefined;
  const next: JobRecord = { ...current, ...patch, lastUpdatedDateTime: deps.clock.now().toISOString() };
  await deps.store.upsert(JOB_COLLECTION, partition, jobId, next);
  return next;
}
