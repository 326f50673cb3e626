// Job handlers of the projects area: project deletion.
import { z } from 'zod';
import { defineJobHandler, type JobHandler } from '../jobs/dispatcher.js';
import { PROJECT_DELETION_JOB, projectsDeletionRun } from './service.js';

/** Removes the project's container and partition; the job record (in `global`) then reads `succeeded`. */
export const projectDeletionHandler = defineJobHandler({
  type: PROJECT_DELETION_JOB,
  message: z.object({ container: z.string().min(1) }),
  run: async (deps, msg) => {
    await projectsDeletionRun(deps, { projectName: msg.projectName, container: msg.container, jobId: msg.jobId });
  },
});

export const projectJobHandlers: JobHandler[] = [projectDeletionHandler];
