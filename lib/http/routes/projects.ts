// Routes of projects and their entity schema: Azure authoring API plus our `/entities` extension.
import { z } from 'zod';
import { GLOBAL_PARTITION, jobResource, jobsGet } from '../../jobs/records.js';
import { CategoryName, EntityPut, ForceQuery, ProjectName, ProjectPatch } from '../../projects/schemas.js';
import {
  entitiesDelete,
  entitiesList,
  entitiesPut,
  projectsDelete,
  projectsGet,
  projectsList,
  projectsUpsert,
  projectView,
} from '../../projects/service.js';
import { DomainError } from '../../errors.js';
import { PagingQuery, paginate } from '../paging.js';
import { accepted, ifMatch, json } from '../responses.js';
import { defineRoute, type Route } from '../types.js';

/** Base path of the authoring API. */
export const PROJECTS_PATH = '/language/authoring/analyze-text/projects';

const ProjectParams = z.object({ projectName: ProjectName });
const CategoryParams = z.object({ projectName: ProjectName, category: CategoryName });
const MERGE_PATCH = ['application/merge-patch+json', 'application/json'];

export const projectRoutes: Route[] = [
  defineRoute({
    method: 'GET',
    path: PROJECTS_PATH,
    query: PagingQuery,
    handler: async (deps, req) => json(200, paginate(req, await projectsList(deps), req.query)),
  }),
  defineRoute({
    method: 'PATCH',
    path: `${PROJECTS_PATH}/{projectName}`,
    params: ProjectParams,
    body: { schema: ProjectPatch, contentTypes: MERGE_PATCH },
    handler: async (deps, req) => {
      const r = await projectsUpsert(deps, req.params.projectName, req.body, { ifMatch: ifMatch(req) });
      return json(r.created ? 201 : 200, projectView(r.project), { etag: r.etag });
    },
  }),
  defineRoute({
    method: 'GET',
    path: `${PROJECTS_PATH}/{projectName}`,
    params: ProjectParams,
    handler: async (deps, req) => {
      const r = await projectsGet(deps, req.params.projectName);
      return json(200, projectView(r.project), { etag: r.etag });
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: `${PROJECTS_PATH}/{projectName}`,
    params: ProjectParams,
    handler: async (deps, req) => {
      const job = await projectsDelete(deps, req.params.projectName, { ifMatch: ifMatch(req) });
      return accepted(req, `${PROJECTS_PATH}/global/deletion-jobs/${encodeURIComponent(job.jobId)}`);
    },
  }),
  defineRoute({
    method: 'GET',
    path: `${PROJECTS_PATH}/global/deletion-jobs/{jobId}`,
    params: z.object({ jobId: z.string().min(1).max(100) }),
    handler: async (deps, req) => {
      const job = await jobsGet(deps, GLOBAL_PARTITION, req.params.jobId);
      if (!job || job.kind !== 'project-deletion')
        throw new DomainError('NOT_FOUND', `The deletion job '${req.params.jobId}' was not found.`, {
          innerCode: 'OperationNotFound',
          target: 'jobId',
        });
      return json(200, jobResource(job));
    },
  }),
  defineRoute({
    method: 'GET',
    path: `${PROJECTS_PATH}/{projectName}/entities`,
    params: ProjectParams,
    handler: async (deps, req) => {
      const r = await entitiesList(deps, req.params.projectName);
      return json(200, { value: r.entities }, { etag: r.etag });
    },
  }),
  defineRoute({
    method: 'PUT',
    path: `${PROJECTS_PATH}/{projectName}/entities/{category}`,
    params: CategoryParams,
    body: { schema: EntityPut, optional: true },
    handler: async (deps, req) => {
      const r = await entitiesPut(deps, req.params.projectName, req.params.category, req.body ?? {}, {
        ifMatch: ifMatch(req),
      });
      return json(r.created ? 201 : 200, r.entity, { etag: r.etag });
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: `${PROJECTS_PATH}/{projectName}/entities/{category}`,
    params: CategoryParams,
    query: ForceQuery,
    handler: async (deps, req) => {
      const r = await entitiesDelete(deps, req.params.projectName, req.params.category, {
        ifMatch: ifMatch(req),
        force: req.query.force,
      });
      return json(200, { category: req.params.category, removedLabels: r.removedLabels }, { etag: r.etag });
    },
  }),
];
