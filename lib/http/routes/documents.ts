// Routes of documents, labels, statistics, suggestions, category rename, and the Azure :import / :export jobs.
import { z } from 'zod';
import { decodeDocument } from '../../documents/decode.js';
import {
  Dataset,
  DocumentListQuery,
  DocumentPatchBody,
  DocumentPutJson,
  ExportQuery,
  ImportQuery,
  LabelInput,
  LabelsPutBody,
  RenameEntityBody,
  SuggestBody,
  SuggestionDecisionBody,
} from '../../documents/schemas.js';
import {
  documentsDelete,
  documentsGet,
  documentsList,
  documentsPatch,
  documentsPut,
  entitiesRename,
  entityListGet,
  ingestionEventsList,
  labelsAdd,
  labelsDelete,
  labelsGet,
  labelsPut,
  projectStatistics,
  suggestionsAccept,
  suggestionsGenerate,
  suggestionsReject,
} from '../../documents/service.js';
import { exportStart, importStart } from '../../documents/transfer.js';
import { DomainError } from '../../errors.js';
import { jobResource, jobsGet } from '../../jobs/records.js';
import { CategoryName, ProjectName } from '../../projects/schemas.js';
import { PagingQuery, paginate } from '../paging.js';
import { accepted, ifMatch, json, noContent } from '../responses.js';
import { defineRoute, type Route } from '../types.js';
import { zodIssuesToFieldErrors } from '../errors.js';
import { validationFailed } from '../../errors.js';

const P = '/language/authoring/analyze-text/projects';

const Location = z.string().min(1, 'must not be empty').max(1024, 'must be at most 1024 characters');
const ProjectParams = z.object({ projectName: ProjectName });
const DocParams = z.object({ projectName: ProjectName, location: Location });
const LabelParams = z.object({ projectName: ProjectName, location: Location, labelId: z.string().min(1).max(100) });
const CategoryParams = z.object({ projectName: ProjectName, category: CategoryName });
const JobParams = z.object({ projectName: ProjectName, jobId: z.string().min(1).max(100) });

/** Documents ≤128,000 UTF-16 code units: up to 512 KB as UTF-8 or UTF-16, plus JSON labels. */
const DOCUMENT_MAX_BYTES = 4 * 1024 * 1024;
/** Import files (project files, BIO, CSV, JSONL) may be large. */
const IMPORT_MAX_BYTES = 100 * 1024 * 1024;

const docPath = (projectName: string, location: string) => `${P}/${encodeURIComponent(projectName)}/documents/${encodeURIComponent(location)}`;

const jobRoute = (kind: 'import' | 'export') =>
  defineRoute({
    method: 'GET',
    path: `${P}/{projectName}/${kind}/jobs/{jobId}`,
    params: JobParams,
    handler: async (deps, req) => {
      const job = await jobsGet(deps, req.params.projectName, req.params.jobId);
      if (!job || job.kind !== kind)
        throw new DomainError('NOT_FOUND', `The ${kind} job '${req.params.jobId}' was not found.`, { innerCode: 'OperationNotFound', target: 'jobId' });
      return json(200, jobResource(job));
    },
  });

const PutDocumentQuery = z.object({ dataset: Dataset.optional(), language: z.string().min(1).max(20).optional() });

export const documentRoutes: Route[] = [
  defineRoute({
    method: 'GET',
    path: `${P}/{projectName}/documents`,
    params: ProjectParams,
    query: DocumentListQuery.extend(PagingQuery.shape),
    handler: async (deps, req) => {
      const { top, skip, maxpagesize, ...filters } = req.query;
      const all = await documentsList(deps, req.params.projectName, filters);
      return json(200, paginate(req, all, { top, skip, maxpagesize }));
    },
  }),
  defineRoute<z.infer<typeof DocParams>, z.infer<typeof PutDocumentQuery>, Uint8Array>({
    method: 'PUT',
    path: `${P}/{projectName}/documents/{location}`,
    params: DocParams,
    query: PutDocumentQuery,
    body: { raw: true, maxBytes: DOCUMENT_MAX_BYTES, contentTypes: ['text/plain', 'application/json', 'application/octet-stream'] },
    handler: async (deps, req) => {
      const type = req.headers.get('content-type')?.split(';')[0].trim().toLowerCase();
      let input: z.infer<typeof DocumentPutJson>;
      if (type === 'application/json') {
        let parsed: unknown;
        try {
          parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(req.body));
        } catch {
          throw new DomainError('VALIDATION_FAILED', 'The request body is not valid JSON.', { innerCode: 'InvalidRequestBodyFormat' });
        }
        const r = DocumentPutJson.safeParse(parsed);
        if (!r.success) throw validationFailed(zodIssuesToFieldErrors(r.error.issues));
        input = r.data;
      } else {
        // Text bodies follow the blob rules (UTF-8 with or without BOM, UTF-16 with BOM).
        const d = decodeDocument(req.params.location, req.body);
        if (!d.ok) throw validationFailed([{ path: '(body)', message: d.reason }]);
        input = { text: d.text };
      }
      if (req.query.dataset) input.dataset = req.query.dataset;
      if (req.query.language) input.language = req.query.language;
      const r = await documentsPut(deps, req.params.projectName, req.params.location, input, { ifMatch: ifMatch(req) });
      const headers: Record<string, string> = { etag: r.etag };
      if (r.created) headers.location = docPath(req.params.projectName, req.params.location);
      return json(r.created ? 201 : 200, { ...r.document, warnings: r.warnings }, headers);
    },
  }),
  defineRoute({
    method: 'GET',
    path: `${P}/{projectName}/documents/{location}`,
    params: DocParams,
    handler: async (deps, req) => {
      const r = await documentsGet(deps, req.params.projectName, req.params.location);
      return json(200, r.document, { etag: r.etag });
    },
  }),
  defineRoute({
    method: 'PATCH',
    path: `${P}/{projectName}/documents/{location}`,
    params: DocParams,
    body: { schema: DocumentPatchBody, contentTypes: ['application/merge-patch+json', 'application/json'] },
    handler: async (deps, req) => {
      const r = await documentsPatch(deps, req.params.projectName, req.params.location, req.body, { ifMatch: ifMatch(req) });
      return json(200, r.document, { etag: r.etag });
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: `${P}/{projectName}/documents/{location}`,
    params: DocParams,
    handler: async (deps, req) =>
      json(200, { location: req.params.location, ...(await documentsDelete(deps, req.params.projectName, req.params.location, { ifMatch: ifMatch(req) })) }),
  }),
  defineRoute({
    method: 'GET',
    path: `${P}/{projectName}/documents/{location}/labels`,
    params: DocParams,
    handler: async (deps, req) => {
      const r = await labelsGet(deps, req.params.projectName, req.params.location);
      return json(200, { labels: r.labels }, { etag: r.etag });
    },
  }),
  defineRoute({
    method: 'PUT',
    path: `${P}/{projectName}/documents/{location}/labels`,
    params: DocParams,
    body: { schema: LabelsPutBody },
    handler: async (deps, req) => {
      const r = await labelsPut(deps, req.params.projectName, req.params.location, req.body.labels, ifMatch(req));
      return json(200, { labels: r.labels, warnings: r.warnings }, { etag: r.etag });
    },
  }),
  defineRoute({
    method: 'POST',
    path: `${P}/{projectName}/documents/{location}/labels`,
    params: DocParams,
    body: { schema: LabelInput },
    handler: async (deps, req) => {
      const r = await labelsAdd(deps, req.params.projectName, req.params.location, req.body, { ifMatch: ifMatch(req) });
      return json(201, { ...r.label, warnings: r.warnings }, { etag: r.etag });
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: `${P}/{projectName}/documents/{location}/labels/{labelId}`,
    params: LabelParams,
    handler: async (deps, req) => {
      const r = await labelsDelete(deps, req.params.projectName, req.params.location, req.params.labelId, { ifMatch: ifMatch(req) });
      return noContent({ etag: r.etag });
    },
  }),
  defineRoute({
    method: 'POST',
    path: `${P}/{projectName}/documents/{location}/suggestions/:accept`,
    params: DocParams,
    body: { schema: SuggestionDecisionBody, optional: true },
    handler: async (deps, req) => {
      const r = await suggestionsAccept(deps, req.params.projectName, req.params.location, req.body?.ids);
      return json(200, { accepted: r.accepted, refused: r.refused }, { etag: r.etag });
    },
  }),
  defineRoute({
    method: 'POST',
    path: `${P}/{projectName}/documents/{location}/suggestions/:reject`,
    params: DocParams,
    body: { schema: SuggestionDecisionBody, optional: true },
    handler: async (deps, req) => {
      const r = await suggestionsReject(deps, req.params.projectName, req.params.location, req.body?.ids);
      return json(200, { rejected: r.rejected }, { etag: r.etag });
    },
  }),
  defineRoute({
    method: 'POST',
    path: `${P}/{projectName}/:suggest`,
    params: ProjectParams,
    body: { schema: SuggestBody, optional: true, maxBytes: 20 * 1024 * 1024 },
    handler: async (deps, req) => json(200, await suggestionsGenerate(deps, req.params.projectName, req.body ?? {})),
  }),
  defineRoute({
    method: 'GET',
    path: `${P}/{projectName}/entity-list`,
    params: ProjectParams,
    query: PagingQuery,
    handler: async (deps, req) => json(200, paginate(req, await entityListGet(deps, req.params.projectName), req.query)),
  }),
  defineRoute({
    method: 'PATCH',
    path: `${P}/{projectName}/entities/{category}`,
    params: CategoryParams,
    body: { schema: RenameEntityBody, contentTypes: ['application/merge-patch+json', 'application/json'] },
    handler: async (deps, req) => json(200, await entitiesRename(deps, req.params.projectName, req.params.category, req.body.newCategory)),
  }),
  defineRoute({
    method: 'GET',
    path: `${P}/{projectName}/statistics`,
    params: ProjectParams,
    handler: async (deps, req) => json(200, await projectStatistics(deps, req.params.projectName)),
  }),
  defineRoute({
    method: 'GET',
    path: `${P}/{projectName}/ingestion-events`,
    params: ProjectParams,
    query: PagingQuery,
    handler: async (deps, req) => json(200, paginate(req, await ingestionEventsList(deps, req.params.projectName), req.query)),
  }),
  defineRoute<z.infer<typeof ProjectParams>, z.infer<typeof ImportQuery>, Uint8Array>({
    method: 'POST',
    path: `${P}/{projectName}/:import`,
    params: ProjectParams,
    query: ImportQuery,
    body: { raw: true, maxBytes: IMPORT_MAX_BYTES },
    handler: async (deps, req) => {
      const { format, ...rest } = req.query;
      const { jobId } = await importStart(deps, req.params.projectName, { format, payload: req.body, ...rest });
      return accepted(req, `${P}/${encodeURIComponent(req.params.projectName)}/import/jobs/${encodeURIComponent(jobId)}`);
    },
  }),
  jobRoute('import'),
  defineRoute({
    method: 'POST',
    path: `${P}/{projectName}/:export`,
    params: ProjectParams,
    query: ExportQuery,
    handler: async (deps, req) => {
      const { jobId } = await exportStart(deps, req.params.projectName, { format: req.query.format, dataset: req.query.dataset });
      return accepted(req, `${P}/${encodeURIComponent(req.params.projectName)}/export/jobs/${encodeURIComponent(jobId)}`);
    },
  }),
  jobRoute('export'),
];
