// The job handler registry: every area's handlers, looked up by message `type` (each area adds one import line).
import { documentsJobHandlers } from '../documents/transfer.js';
import { projectJobHandlers } from '../projects/jobs.js';
import type { JobHandler } from './dispatcher.js';

export { defineJobHandler, dispatchJobMessage, type JobHandler, type JobOutcome, type JobContext } from './dispatcher.js';
export { drainJobQueue, settleJobMessage } from './consumer.js';
export { jobsStart, jobsGet, jobsUpdate, jobResource, type JobRecord } from './records.js';

/** All registered job handlers. */
export const jobHandlers: readonly JobHandler[] = [...projectJobHandlers, ...documentsJobHandlers];
