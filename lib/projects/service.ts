// Project and entity-schema use cases: create/update by merge patch, list, get, delete by job, categories with ETags.
import type { Deps } from '../app/types.js';
import { DomainError, notFound } from '../errors.js';
import { GLOBAL_PARTITION, jobsGet, jobsStart, type JobRecord } from '../jobs/records.js';
import type { StoredItem } from '../ports/document-store.js';
import {
  MAX_CATEGORIES,
  MAX_PROJECTS,
  type EntityDefinition,
  type EntityPut,
  type ProjectPatch,
  type ProjectRecord,
} from './schemas.js';

export const PROJECT_COLLECTION = 'project';
/** Collection of the documents area; this area only reads and strips `labels[].category`. */
export const DOCUMENT_COLLECTION = 'document';
/** Queue message type of project deletion. */
export const PROJECT_DELETION_JOB = 'project-deletion';

/** A project as Azure's authoring API shows it: the record without our bookkeeping. */
export type ProjectView = Omit<ProjectRecord, 'entities' | 'deletionJobId'>;

/** The Azure view of a stored project (entity schema and internal fields left out). */
export function projectView(p: ProjectRecord): ProjectView {
  const { entities: _e, deletionJobId: _d, ...view } = p;
  return view;
}

const projectNotFound = (name: string) =>
  new DomainError('NOT_FOUND', `The project '${name}' was not found.`, { innerCode: 'ProjectNotFound', target: 'projectName' });

/** Checks an `If-Match` value against the current ETag (`*` matches anything that exists). */
function checkIfMatch(ifMatch: string | undefined, current: string, what: string): void {
  if (ifMatch === undefined || ifMatch.trim() === '*') return;
  // Compare opaque values: a client may or may not keep the quotes (or a W/ prefix) of the ETag it was given.
  const bare = (s: string) => s.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
  const wanted = ifMatch.split(',').map(bare);
  if (!wanted.includes(bare(current)))
    throw new DomainError('PRECONDITION_FAILED', `${what} was changed since you read it (If-Match does not match the current ETag).`, {
      target: 'If-Match',
    });
}

async function load(deps: Pick<Deps, 'store'>, name: string): Promise<StoredItem<ProjectRecord>> {
  const item = await deps.store.get<ProjectRecord>(PROJECT_COLLECTION, name, name);
  if (!item) throw projectNotFound(name);
  return item;
}

/** Every project, ordered by name. */
export async function projectsList(deps: Pick<Deps, 'store'>): Promise<ProjectView[]> {
  const items = await deps.store.listAcross<ProjectRecord>(PROJECT_COLLECTION);
  return items.map((i) => projectView(i.value)).sort((a, b) => a.projectName.localeCompare(b.projectName));
}

/** One project with its ETag; NOT_FOUND (ProjectNotFound) otherwise. */
export async function projectsGet(deps: Pick<Deps, 'store'>, name: string): Promise<{ project: ProjectRecord; etag: string }> {
  const item = await load(deps, name);
  return { project: item.value, etag: item.etag };
}

/**
 * Creates (`created: true`) or merge-patches a project. Creation needs projectKind, storageInputContainerName and
 * language, respects the 500-project limit and one project per container, and creates the container.
 * Updates cannot change projectKind or the container; `If-Match` guards both.
 */
export async function projectsUpsert(
  deps: Pick<Deps, 'store' | 'blobs' | 'clock'>,
  name: string,
  patch: ProjectPatch,
  opts: { ifMatch?: string } = {},
): Promise<{ project: ProjectRecord; etag: string; created: boolean }> {
  if (patch.projectName !== undefined && patch.projectName !== name)
    throw new DomainError('VALIDATION_FAILED', `projectName in the body ('${patch.projectName}') differs from the URL ('${name}').`, {
      innerCode: 'InvalidParameterValue',
      errors: [{ path: 'projectName', message: `must equal the project name in the URL ('${name}')` }],
    });
  const now = deps.clock.now().toISOString();
  for (let attempt = 0; ; attempt++) {
    const existing = await deps.store.get<ProjectRecord>(PROJECT_COLLECTION, name, name);
    if (!existing) {
      if (opts.ifMatch !== undefined)
        throw new DomainError('PRECONDITION_FAILED', `Project '${name}' does not exist, so If-Match cannot match.`, {
          target: 'If-Match',
        });
      try {
        return await createProject(deps, name, patch, now);
      } catch (e) {
        // Someone created it between our read and write: apply the patch as an update instead.
        if (e instanceof DomainError && e.code === 'CONFLICT' && e.details?.raced && attempt === 0) continue;
        throw e;
      }
    }
    checkIfMatch(opts.ifMatch, existing.etag, `Project '${name}'`);
    const current = existing.value;
    if (current.deletionJobId)
      throw new DomainError('CONFLICT', `Project '${name}' is being deleted.`, { target: 'projectName' });
    const errors = [];
    if (patch.projectKind !== undefined && patch.projectKind !== current.projectKind)
      errors.push({ path: 'projectKind', message: 'cannot be changed' });
    if (patch.storageInputContainerName !== undefined && patch.storageInputContainerName !== current.storageInputContainerName)
      errors.push({ path: 'storageInputContainerName', message: 'cannot be changed after the project is created' });
    if (errors.length)
      throw new DomainError('VALIDATION_FAILED', errors.map((e) => `${e.path} ${e.message}`).join('; '), {
        errors,
        innerCode: 'InvalidParameterValue',
      });
    const next: ProjectRecord = { ...current, lastModifiedDateTime: now };
    if (patch.language !== undefined) next.language = patch.language;
    if (patch.multilingual !== undefined) next.multilingual = patch.multilingual;
    if (patch.description === null) delete next.description;
    else if (patch.description !== undefined) next.description = patch.description;
    if (patch.settings === null) next.settings = {};
    else if (patch.settings !== undefined) {
      next.settings = { ...current.settings };
      if (patch.settings.confidenceThreshold !== undefined) next.settings.confidenceThreshold = patch.settings.confidenceThreshold;
    }
    const saved = await deps.store.upsert(PROJECT_COLLECTION, name, name, next, { ifMatch: existing.etag });
    return { project: saved.value, etag: saved.etag, created: false };
  }
}

async function createProject(
  deps: Pick<Deps, 'store' | 'blobs'>,
  name: string,
  patch: ProjectPatch,
  now: string,
): Promise<{ project: ProjectRecord; etag: string; created: boolean }> {
  const missing = (['projectKind', 'storageInputContainerName', 'language'] as const).filter((k) => patch[k] === undefined);
  if (missing.length)
    throw new DomainError('VALIDATION_FAILED', `Creating a project requires ${missing.join(', ')}.`, {
      innerCode: 'InvalidParameterValue',
      errors: missing.map((path) => ({ path, message: 'is required to create a project' })),
    });
  const all = await deps.store.listAcross<ProjectRecord>(PROJECT_COLLECTION);
  if (all.length >= MAX_PROJECTS)
    throw new DomainError('QUOTA_EXCEEDED', `A resource can hold at most ${MAX_PROJECTS} projects; delete one first.`, {
      details: { maxProjects: MAX_PROJECTS },
    });
  const owner = all.find((p) => p.value.storageInputContainerName === patch.storageInputContainerName);
  if (owner)
    throw new DomainError(
      'CONFLICT',
      `Container '${patch.storageInputContainerName}' already belongs to project '${owner.value.projectName}'.`,
      { target: 'storageInputContainerName' },
    );
  const project: ProjectRecord = {
    projectName: name,
    projectKind: 'CustomEntityRecognition',
    storageInputContainerName: patch.storageInputContainerName!,
    language: patch.language!,
    multilingual: patch.multilingual ?? false,
    ...(patch.description ? { description: patch.description } : {}),
    settings: patch.settings?.confidenceThreshold !== undefined ? { confidenceThreshold: patch.settings.confidenceThreshold } : {},
    createdDateTime: now,
    lastModifiedDateTime: now,
    entities: [],
  };
  await deps.blobs.ensureContainer(project.storageInputContainerName);
  try {
    const saved = await deps.store.create(PROJECT_COLLECTION, name, name, project);
    return { project: saved.value, etag: saved.etag, created: true };
  } catch (e) {
    if (e instanceof DomainError && e.code === 'CONFLICT')
      throw new DomainError('CONFLICT', `Project '${name}' was created concurrently.`, { details: { raced: true }, cause: e });
    throw e;
  }
}

/**
 * Starts deleting a project: marks it, records a `global` deletion job and enqueues it. Asking again while a
 * deletion is pending returns the same job.
 */
export async function projectsDelete(
  deps: Pick<Deps, 'store' | 'queue' | 'clock' | 'ids'>,
  name: string,
  opts: { ifMatch?: string } = {},
): Promise<JobRecord> {
  const item = await load(deps, name);
  checkIfMatch(opts.ifMatch, item.etag, `Project '${name}'`);
  if (item.value.deletionJobId) {
    const pending = await jobsGet(deps, GLOBAL_PARTITION, item.value.deletionJobId);
    if (pending) return pending;
  }
  const jobId = deps.ids.next();
  // Mark first: once the job exists the project must already refuse edits.
  await deps.store.upsert(PROJECT_COLLECTION, name, name, { ...item.value, deletionJobId: jobId }, { ifMatch: item.etag });
  return jobsStart(
    { ...deps, ids: { next: () => jobId } },
    {
      type: PROJECT_DELETION_JOB,
      kind: 'project-deletion',
      projectName: name,
      partition: GLOBAL_PARTITION,
      extra: { container: item.value.storageInputContainerName },
    },
  );
}

/** The deletion job's work: the project's container and every stored item of its partition. Idempotent. */
export async function projectsDeletionRun(
  deps: Pick<Deps, 'store' | 'blobs' | 'log'>,
  input: { projectName: string; container: string; jobId: string },
): Promise<{ deletedItems: number; containerDeleted: boolean }> {
  const containerDeleted = await deps.blobs.deleteContainer(input.container);
  const deletedItems = await deps.store.deletePartition(input.projectName);
  deps.log.info('project deleted', { projectName: input.projectName, jobId: input.jobId, deletedItems, containerDeleted });
  return { deletedItems, containerDeleted };
}

/** The project's entity schema and the project's ETag. */
export async function entitiesList(
  deps: Pick<Deps, 'store'>,
  name: string,
): Promise<{ entities: EntityDefinition[]; etag: string }> {
  const item = await load(deps, name);
  return { entities: item.value.entities, etag: item.etag };
}

/** Adds (`created: true`) or updates a category. At most 200; names unique ignoring case. */
export async function entitiesPut(
  deps: Pick<Deps, 'store' | 'clock'>,
  name: string,
  category: string,
  body: EntityPut,
  opts: { ifMatch?: string } = {},
): Promise<{ entity: EntityDefinition; etag: string; created: boolean }> {
  const item = await load(deps, name);
  checkIfMatch(opts.ifMatch, item.etag, `Project '${name}'`);
  const project = item.value;
  if (project.deletionJobId) throw new DomainError('CONFLICT', `Project '${name}' is being deleted.`);
  const index = project.entities.findIndex((e) => e.category === category);
  const clash = project.entities.find((e) => e.category !== category && e.category.toLowerCase() === category.toLowerCase());
  if (clash)
    throw new DomainError('CONFLICT', `Category '${category}' differs only in case from the existing '${clash.category}'.`, {
      target: 'category',
    });
  const entity: EntityDefinition = { category, ...(body.description !== undefined ? { description: body.description } : {}) };
  const entities = [...project.entities];
  if (index >= 0) entities[index] = entity;
  else {
    if (entities.length >= MAX_CATEGORIES)
      throw new DomainError('QUOTA_EXCEEDED', `A project can have at most ${MAX_CATEGORIES} entity categories.`, {
        target: 'category',
        details: { maxCategories: MAX_CATEGORIES },
      });
    entities.push(entity);
  }
  const saved = await deps.store.upsert(
    PROJECT_COLLECTION,
    name,
    name,
    { ...project, entities, lastModifiedDateTime: deps.clock.now().toISOString() },
    { ifMatch: item.etag },
  );
  return { entity, etag: saved.etag, created: index < 0 };
}

interface LabelledItem {
  labels?: Array<{ category?: string }>;
  suggestions?: Array<{ category?: string }>;
  lastModifiedDateTime?: string;
  [k: string]: unknown;
}

/** How many labels of the project's documents use `category`. */
export async function entitiesCountLabels(deps: Pick<Deps, 'store'>, name: string, category: string): Promise<number> {
  const docs = await deps.store.list<LabelledItem>(DOCUMENT_COLLECTION, name);
  return docs.reduce((n, d) => n + (d.value.labels ?? []).filter((l) => l.category === category).length, 0);
}

/**
 * Removes a category. Refused with CONFLICT (details.labelCount) while labels use it, unless `force`, which also
 * strips those labels (and suggestions) from every document.
 */
export async function entitiesDelete(
  deps: Pick<Deps, 'store' | 'clock'>,
  name: string,
  category: string,
  opts: { ifMatch?: string; force?: boolean } = {},
): Promise<{ etag: string; removedLabels: number }> {
  const item = await load(deps, name);
  checkIfMatch(opts.ifMatch, item.etag, `Project '${name}'`);
  const project = item.value;
  if (!project.entities.some((e) => e.category === category))
    throw new DomainError('NOT_FOUND', `Category '${category}' does not exist in project '${name}'.`, { target: 'category' });
  const labelCount = await entitiesCountLabels(deps, name, category);
  if (labelCount > 0 && !opts.force)
    throw new DomainError(
      'CONFLICT',
      `Category '${category}' is still used by ${labelCount} label(s); delete them first or pass force=true.`,
      { target: 'category', details: { labelCount } },
    );
  const now = deps.clock.now().toISOString();
  const saved = await deps.store.upsert(
    PROJECT_COLLECTION,
    name,
    name,
    { ...project, entities: project.entities.filter((e) => e.category !== category), lastModifiedDateTime: now },
    { ifMatch: item.etag },
  );
  const removedLabels = labelCount > 0 ? await stripCategory(deps, name, category, now) : 0;
  return { etag: saved.etag, removedLabels };
}

/** Removes `category` from every document's labels and suggestions, retrying documents edited concurrently. */
async function stripCategory(deps: Pick<Deps, 'store'>, name: string, category: string, now: string): Promise<number> {
  let removed = 0;
  const docs = await deps.store.list<LabelledItem>(DOCUMENT_COLLECTION, name);
  for (const doc of docs) {
    let current: StoredItem<LabelledItem> | undefined = doc;
    for (let attempt = 0; current; attempt++) {
      const labels = current.value.labels ?? [];
      const suggestions = current.value.suggestions;
      const keep = labels.filter((l) => l.category !== category);
      const keepSuggestions = suggestions?.filter((s) => s.category !== category);
      if (keep.length === labels.length && keepSuggestions?.length === suggestions?.length) break;
      try {
        await deps.store.upsert(
          DOCUMENT_COLLECTION,
          name,
          current.id,
          {
            ...current.value,
            labels: keep,
            ...(keepSuggestions ? { suggestions: keepSuggestions } : {}),
            lastModifiedDateTime: now,
          },
          { ifMatch: current.etag },
        );
        removed += labels.length - keep.length;
        break;
      } catch (e) {
        if (!(e instanceof DomainError) || attempt >= 4) throw e;
        if (e.code === 'NOT_FOUND') break;
        if (e.code !== 'PRECONDITION_FAILED') throw e;
        current = await deps.store.get<LabelledItem>(DOCUMENT_COLLECTION, name, current.id);
      }
    }
  }
  return removed;
}
