// Import and export jobs: Azure project files and the formats users bring (BIO, AWS Comprehend, Label Studio, spaCy).
import type { Deps } from '../app/types.js';
import { DomainError, ERROR_TABLE, isDomainError, validationFailed } from '../errors.js';
import { ContainerName } from '../projects/schemas.js';
import { defineJobHandler, type JobHandler, type JobOutcome } from '../jobs/dispatcher.js';
import { jobsStart, type JobIssue } from '../jobs/records.js';
import {
  annotationToSpan,
  readAwsAnnotations,
  readAwsEntityList,
  writeAwsAnnotations,
  writeAwsEntityList,
} from '../ner/formats/aws-comprehend.js';
import { bioToDocuments, documentsToBio, readBio, serializeBio } from '../ner/formats/bio.js';
import { readLabelStudio, writeLabelStudio } from '../ner/formats/label-studio.js';
import { parseProjectFileText, serializeProjectFile, toLabelledDocuments } from '../ner/formats/project-file.js';
import { readSpacyJsonl, writeSpacyJsonl } from '../ner/formats/spacy-jsonl.js';
import type { LabelledDocument, Span } from '../ner/types.js';
import type { BlobContent } from '../ports/blob-store.js';
import { decodeDocument, encodeText } from './decode.js';
import { applyBlob } from './ingest.js';
import { checkLabels } from './labels.js';
import {
  EXPORT_JOB,
  ExportJobMessage,
  type ExportFormat,
  EXPORTS_CONTAINER,
  IMPORT_JOB,
  ImportJobMessage,
  type ImportFormat,
  IMPORTS_CONTAINER,
  type DocumentRecord,
  type Label,
  type ProjectRecord,
} from './schemas.js';
import { entityListPut } from './service.js';
import { containerOf, DOCUMENT, type DocumentsDeps, PROJECT } from './store.js';

/** A label that did not make it into the project, with its document and why. */
export interface LabelProblem {
  location: string;
  path?: string;
  category?: string;
  offset?: number;
  length?: number;
  reason: string;
}

const MAX_CATEGORIES = 200;
const BAD_CATEGORY = /[:$&%*()+~#/?]/;

/**
 * Starts an import: parks the uploaded payload in the imports container and queues the job.
 * `format` `azure` may create the project; every other format needs it to exist.
 */
export async function importStart(
  deps: DocumentsDeps,
  projectName: string,
  input: { format: ImportFormat; payload: Uint8Array; dataset?: 'Train' | 'Test'; sentencesPerDocument?: number; prefix?: string },
): Promise<{ jobId: string }> {
  if (input.payload.length === 0) throw new DomainError('VALIDATION_FAILED', 'The import body is empty.', { target: 'body', innerCode: 'EmptyRequest' });
  if (input.format !== 'azure' && !(await deps.store.get(PROJECT, projectName, projectName)))
    throw new DomainError('NOT_FOUND', `Project '${projectName}' was not found; create it first or import an Azure project file.`, {
      innerCode: 'ProjectNotFound',
      target: 'projectName',
    });
  const payloadBlob = `${projectName}/${deps.ids.next()}`;
  await deps.blobs.put(IMPORTS_CONTAINER, payloadBlob, input.payload);
  const job = await jobsStart(deps, {
    type: IMPORT_JOB,
    kind: 'import',
    projectName,
    extra: {
      format: input.format,
      payloadContainer: IMPORTS_CONTAINER,
      payloadBlob,
      ...(input.dataset ? { dataset: input.dataset } : {}),
      ...(input.sentencesPerDocument ? { sentencesPerDocument: input.sentencesPerDocument } : {}),
      ...(input.prefix ? { prefix: input.prefix } : {}),
    },
  });
  return { jobId: job.jobId };
}

/** Starts an export job of the whole project (or one dataset) in `format`. */
export async function exportStart(
  deps: DocumentsDeps,
  projectName: string,
  input: { format: ExportFormat; dataset?: 'Train' | 'Test' },
): Promise<{ jobId: string }> {
  if (!(await deps.store.get(PROJECT, projectName, projectName)))
    throw new DomainError('NOT_FOUND', `Project '${projectName}' was not found.`, { innerCode: 'ProjectNotFound', target: 'projectName' });
  const job = await jobsStart(deps, {
    type: EXPORT_JOB,
    kind: 'export',
    projectName,
    extra: { format: input.format, ...(input.dataset ? { dataset: input.dataset } : {}) },
  });
  return { jobId: job.jobId };
}

function payloadText(bytes: Uint8Array): string {
  // Same encodings as documents, without the document size limit: an import file may be large.
  const body = bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff));
  try {
    if (body) return new TextDecoder(bytes[0] === 0xff ? 'utf-16le' : 'utf-16be', { fatal: true }).decode(bytes);
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new DomainError('VALIDATION_FAILED', 'The import file is not valid UTF-8 or UTF-16 text.', { innerCode: 'InvalidRequestBodyFormat' });
  }
}

const issue = (code: string, message: string, target?: string): JobIssue => ({ code, message, ...(target ? { target } : {}) });

/** Adds categories to the project's schema (new ones only), refusing invalid names and the 200 limit. */
async function addCategories(deps: DocumentsDeps, projectName: string, categories: Iterable<string>): Promise<{ refused: Map<string, string> }> {
  const refused = new Map<string, string>();
  for (;;) {
    const p = await deps.store.get<ProjectRecord>(PROJECT, projectName, projectName);
    if (!p) throw new DomainError('NOT_FOUND', `Project '${projectName}' was not found.`, { innerCode: 'ProjectNotFound' });
    const entities = [...(p.value.entities ?? [])];
    const have = new Set(entities.map((e) => e.category));
    for (const c of categories) {
      if (have.has(c) || refused.has(c)) continue;
      if (c.length > 50 || BAD_CATEGORY.test(c)) refused.set(c, `category name '${c}' is invalid (≤50 characters without : $ & % * ( ) + ~ # / ?)`);
      else if (entities.length >= MAX_CATEGORIES) refused.set(c, `the project already has ${MAX_CATEGORIES} categories`);
      else {
        entities.push({ category: c });
        have.add(c);
      }
    }
    if (entities.length === (p.value.entities ?? []).length) return { refused };
    try {
      await deps.store.upsert(PROJECT, projectName, projectName, { ...p.value, entities, lastModifiedDateTime: deps.clock.now().toISOString() }, { ifMatch: p.etag });
      return { refused };
    } catch (e) {
      if ((e as { code?: string }).code !== 'PRECONDITION_FAILED') throw e;
    }
  }
}

/** Checks spans with the label rules; returns the accepted labels and the problems naming each refused one. */
function vetSpans(
  deps: DocumentsDeps,
  location: string,
  text: string,
  spans: Span[],
  opts: { categories: Set<string>; regions?: DocumentRecord['regions'] },
): { labels: Label[]; problems: LabelProblem[] } {
  const check = checkLabels(text, spans, opts);
  const problems: LabelProblem[] = check.errors.map((e) => {
    const s = spans[Number(/\[(\d+)\]$/.exec(e.path)![1])];
    return { location, category: s.category, offset: s.offset, length: s.length, reason: e.message };
  });
  const labels = spans
    .filter((_s, i) => !check.rejected.has(i))
    .map((s) => ({ id: deps.ids.next(), category: s.category, offset: s.offset, length: s.length }))
    .sort((a, b) => a.offset - b.offset);
  return { labels, problems };
}

async function runImport(deps: Deps, msg: ImportJobMessage): Promise<JobOutcome> {
  try {
    return await importPayload(deps, msg);
  } catch (e) {
    // A file that can never import (4xx) is not kept; a transient failure keeps it for the retry.
    if (isDomainError(e) && ERROR_TABLE[e.code].status < 500) await deps.blobs.delete(msg.payloadContainer, msg.payloadBlob);
    throw e;
  }
}

async function importPayload(deps: Deps, msg: ImportJobMessage): Promise<JobOutcome> {
  const payload = await deps.blobs.get(msg.payloadContainer, msg.payloadBlob);
  if (!payload) throw new DomainError('NOT_FOUND', 'The uploaded import file is gone; start the import again.');
  const text = payloadText(payload.bytes);
  const errors: JobIssue[] = [];
  const warnings: JobIssue[] = [];
  const problems: LabelProblem[] = [];
  let documents = 0;
  let labels = 0;
  const projectName = msg.projectName;

  if (msg.format === 'azure') {
    const file = parseProjectFileText(text);
    const project = await upsertProjectFromFile(deps, projectName, file);
    const container = containerOf(project);
    if (file.metadata.storageInputContainerName && file.metadata.storageInputContainerName.toLowerCase() !== container)
      warnings.push(
        issue('ContainerKept', `The project keeps its container '${container}'; the file names '${file.metadata.storageInputContainerName}'. Texts are read from '${container}'.`),
      );
    const blobs = new Map<string, BlobContent>();
    const texts = new Map<string, string>();
    await forEachLimited(file.assets.documents, 8, async (d) => {
      const blob = await deps.blobs.get(container, d.location);
      if (!blob) {
        errors.push(issue('DocumentNotFound', `Document '${d.location}' is not in container '${container}'.`, d.location));
        return;
      }
      const decoded = decodeDocument(d.location, blob.bytes);
      if (!decoded.ok) {
        errors.push(issue('InvalidDocument', `Document '${d.location}' cannot be used: ${decoded.reason}`, d.location));
        await applyBlob(deps, projectName, blob, {}, { record: false });
        return;
      }
      blobs.set(d.location, blob);
      texts.set(d.location, decoded.text);
    });
    // Single-label rules the project file parser does not know (length, surrogate pairs) go first, so a broken
    // label cannot also push a good one out as an "overlap".
    const vetted = structuredClone(file);
    vetted.assets.documents.forEach((d, di) => {
      const t = texts.get(d.location);
      if (t === undefined) return;
      d.entities.forEach((r, ri) => {
        r.labels = r.labels.filter((l, li) => {
          const c = checkLabels(t, [l]);
          if (c.errors.length === 0) return true;
          problems.push({ location: d.location, path: `assets.documents[${di}].entities[${ri}].labels[${li}]`, ...l, reason: c.errors[0].message });
          return false;
        });
      });
    });
    const joined = toLabelledDocuments(vetted, texts);
    for (const p of joined.problems) {
      if (!texts.has(p.location)) continue;
      const m = /^assets\.documents\[(\d+)\]\.entities\[(\d+)\]\.labels\[(\d+)\]$/.exec(p.path);
      const l = m ? vetted.assets.documents[+m[1]].entities[+m[2]].labels[+m[3]] : undefined;
      problems.push({ location: p.location, path: p.path, ...(l ?? {}), reason: p.reason });
    }
    const categories = new Set(project.entities.map((e) => e.category));
    const byLocation = new Map(file.assets.documents.map((d) => [d.location, d]));
    const all = [
      ...joined.train.map((d) => ({ d, dataset: 'Train' as const })),
      ...joined.test.map((d) => ({ d, dataset: 'Test' as const })),
      ...joined.unassigned.map((d) => ({ d, dataset: null })),
    ];
    await forEachLimited(all, 8, async ({ d, dataset }) => {
      const vet = vetSpans(deps, d.id, d.text, d.spans, { categories, regions: d.regions });
      problems.push(...vet.problems);
      const language = byLocation.get(d.id)?.language ?? project.language ?? 'en-us';
      await applyBlob(deps, projectName, blobs.get(d.id)!, { labels: vet.labels, dataset, language, regions: d.regions }, { record: false });
      documents++;
      labels += vet.labels.length;
    });
  } else if (msg.format === 'aws-entity-list') {
    const entries = readAwsEntityList(text);
    const { refused } = await addCategories(deps, projectName, entries.map((e) => e.category));
    for (const [c, reason] of refused) errors.push(issue('InvalidArgument', reason, c));
    await entityListPut(deps, projectName, entries.filter((e) => !refused.has(e.category)));
    return finish(errors, problems, { format: msg.format, entityListEntries: entries.length - [...entries].filter((e) => refused.has(e.category)).length });
  } else if (msg.format === 'aws-annotations') {
    const rows = readAwsAnnotations(text);
    const { refused } = await addCategories(deps, projectName, rows.map((r) => r.type));
    const project = (await deps.store.get<ProjectRecord>(PROJECT, projectName, projectName))!.value;
    const categories = new Set(project.entities.map((e) => e.category));
    const byFile = new Map<string, typeof rows>();
    for (const r of rows) byFile.set(r.file, [...(byFile.get(r.file) ?? []), r]);
    await forEachLimited([...byFile], 8, async ([file, list]) => {
      const blob = await deps.blobs.get(containerOf(project), file);
      if (!blob) {
        errors.push(issue('DocumentNotFound', `Document '${file}' is not in container '${containerOf(project)}'.`, file));
        return;
      }
      const decoded = decodeDocument(file, blob.bytes);
      if (!decoded.ok) {
        errors.push(issue('InvalidDocument', `Document '${file}' cannot be used: ${decoded.reason}`, file));
        return;
      }
      const spans: Span[] = [];
      for (const r of list) {
        if (refused.has(r.type)) {
          problems.push({ location: file, path: `row ${r.row}`, category: r.type, reason: refused.get(r.type)! });
          continue;
        }
        const s = annotationToSpan(decoded.text, r);
        if ('reason' in s) problems.push({ location: file, path: `row ${r.row}`, category: r.type, reason: s.reason });
        else spans.push(s.span);
      }
      const vet = vetSpans(deps, file, decoded.text, spans, { categories });
      problems.push(...vet.problems);
      await applyBlob(deps, projectName, blob, { labels: vet.labels, ...(msg.dataset ? { dataset: msg.dataset } : {}) }, { record: false });
      documents++;
      labels += vet.labels.length;
    });
  } else {
    // Formats that carry their text: each document is written to the container, then labelled.
    let docs: Array<LabelledDocument & { dataset?: 'Train' | 'Test' }>;
    if (msg.format === 'bio' || msg.format === 'conll') {
      docs = bioToDocuments(readBio(text).sentences, { sentencesPerDocument: msg.sentencesPerDocument ?? 10, idPrefix: msg.prefix ?? 'doc' });
    } else if (msg.format === 'spacy-jsonl') {
      const r = readSpacyJsonl(text, { prefix: msg.prefix });
      docs = r.documents;
      problems.push(...r.problems.map((p) => ({ location: p.id, path: p.path, reason: p.reason })));
    } else {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new DomainError('VALIDATION_FAILED', 'The Label Studio file is not JSON.', { innerCode: 'InvalidRequestBodyFormat' });
      }
      const r = readLabelStudio(json, { prefix: msg.prefix });
      docs = r.documents;
      problems.push(...r.problems.map((p) => ({ location: p.id, path: p.path, reason: p.reason })));
    }
    const { refused } = await addCategories(deps, projectName, docs.flatMap((d) => d.spans.map((s) => s.category)));
    const project = (await deps.store.get<ProjectRecord>(PROJECT, projectName, projectName))!.value;
    const categories = new Set(project.entities.map((e) => e.category));
    const container = containerOf(project);
    await forEachLimited(docs, 8, async (d) => {
      const decoded = decodeDocument(d.id, encodeText(d.text));
      if (!decoded.ok) {
        errors.push(issue('InvalidDocument', `Document '${d.id}' cannot be used: ${decoded.reason}`, d.id));
        return;
      }
      const kept = d.spans.filter((s) => {
        if (!refused.has(s.category)) return true;
        problems.push({ location: d.id, category: s.category, offset: s.offset, length: s.length, reason: refused.get(s.category)! });
        return false;
      });
      const vet = vetSpans(deps, d.id, d.text, kept, { categories });
      problems.push(...vet.problems);
      const info = await deps.blobs.put(container, d.id, encodeText(d.text), { contentType: 'text/plain; charset=utf-8' });
      const dataset = d.dataset ?? msg.dataset;
      await applyBlob(
        deps,
        projectName,
        { ...info, bytes: encodeText(d.text) },
        { labels: vet.labels, ...(dataset ? { dataset } : {}), ...(d.language ? { language: d.language } : {}) },
        { record: false, defaultLanguage: project.language },
      );
      documents++;
      labels += vet.labels.length;
    });
  }
  await deps.blobs.delete(msg.payloadContainer, msg.payloadBlob);
  deps.log.info('import finished', { projectName, jobId: msg.jobId, documents, labels, labelProblems: problems.length, errors: errors.length });
  const outcome = finish(errors, problems, { format: msg.format, documents, labels });
  return { ...outcome, warnings: [...warnings, ...(outcome.warnings ?? [])] };
}

function finish(errors: JobIssue[], problems: LabelProblem[], counts: Record<string, unknown>): JobOutcome {
  problems.sort((a, b) => (a.location < b.location ? -1 : a.location > b.location ? 1 : (a.offset ?? 0) - (b.offset ?? 0)));
  const warnings = problems.map((p) => ({
    code: 'InvalidLabel',
    message: `${p.location}: ${p.reason}`,
    target: p.location,
  }));
  return {
    status: errors.length > 0 || problems.length > 0 ? 'partiallyCompleted' : 'succeeded',
    result: { ...counts, rejectedLabels: problems },
    warnings,
    errors,
  };
}

/** Creates the project from the file's metadata, or updates its metadata and replaces its entity schema. */
async function upsertProjectFromFile(deps: DocumentsDeps, projectName: string, file: ReturnType<typeof parseProjectFileText>): Promise<ProjectRecord> {
  const now = deps.clock.now().toISOString();
  const m = file.metadata;
  for (;;) {
    const existing = await deps.store.get<ProjectRecord>(PROJECT, projectName, projectName);
    if (!existing) {
      // A new project gets the file's container, which must be a valid name no other project uses.
      const wanted = ContainerName.safeParse((m.storageInputContainerName ?? projectName).toLowerCase());
      if (!wanted.success)
        throw validationFailed(wanted.error.issues.map((i) => ({ path: 'metadata.storageInputContainerName', message: i.message })));
      const owner = (await deps.store.listAcross<ProjectRecord>(PROJECT)).find((p) => p.value.storageInputContainerName === wanted.data);
      if (owner)
        throw new DomainError('CONFLICT', `Container '${wanted.data}' already belongs to project '${owner.value.projectName}'.`, {
          target: 'metadata.storageInputContainerName',
        });
    }
    const base: ProjectRecord = existing?.value ?? {
      projectName,
      projectKind: 'CustomEntityRecognition',
      storageInputContainerName: (m.storageInputContainerName ?? projectName).toLowerCase(),
      language: m.language ?? 'en-us',
      multilingual: m.multilingual ?? false,
      createdDateTime: now,
      entities: [],
    };
    const next: ProjectRecord = {
      ...base,
      ...(m.description !== undefined ? { description: m.description } : {}),
      ...(m.language !== undefined ? { language: m.language } : {}),
      ...(m.multilingual !== undefined ? { multilingual: m.multilingual } : {}),
      ...(m.settings !== undefined ? { settings: m.settings } : {}),
      entities: file.assets.entities.map((e) => (e.description !== undefined ? { category: e.category, description: e.description } : { category: e.category })),
      lastModifiedDateTime: now,
    };
    try {
      if (existing) await deps.store.upsert(PROJECT, projectName, projectName, next, { ifMatch: existing.etag });
      else await deps.store.create(PROJECT, projectName, projectName, next);
      await deps.blobs.ensureContainer(containerOf(next));
      return next;
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code !== 'PRECONDITION_FAILED' && code !== 'CONFLICT') throw e;
    }
  }
}

const EXTENSIONS: Record<ExportFormat, { ext: string; contentType: string }> = {
  azure: { ext: 'json', contentType: 'application/json' },
  bio: { ext: 'bio', contentType: 'text/plain; charset=utf-8' },
  conll: { ext: 'conll', contentType: 'text/plain; charset=utf-8' },
  'aws-annotations': { ext: 'csv', contentType: 'text/csv; charset=utf-8' },
  'aws-entity-list': { ext: 'csv', contentType: 'text/csv; charset=utf-8' },
  'label-studio': { ext: 'json', contentType: 'application/json' },
  'spacy-jsonl': { ext: 'jsonl', contentType: 'application/x-ndjson' },
};

async function runExport(deps: Deps, msg: ExportJobMessage): Promise<JobOutcome> {
  const p = await deps.store.get<ProjectRecord>(PROJECT, msg.projectName, msg.projectName);
  if (!p) throw new DomainError('NOT_FOUND', `Project '${msg.projectName}' was not found.`, { innerCode: 'ProjectNotFound' });
  const project = p.value;
  const stored = (await deps.store.list<DocumentRecord>(DOCUMENT, msg.projectName))
    .map((d) => d.value)
    .filter((d) => d.status === 'ready' && (!msg.dataset || d.dataset === msg.dataset));
  const warnings: JobIssue[] = [];
  const docs = stored.map((d) => {
    const review = d.labels.filter((l) => l.status === 'needsReview');
    if (review.length > 0)
      warnings.push(issue('LabelsNeedReview', `${d.location}: ${review.length} label(s) need review after a text change and were not exported.`, d.location));
    return {
      id: d.location,
      text: d.text,
      dataset: d.dataset,
      language: d.language,
      regions: d.regions,
      spans: d.labels.filter((l) => l.status !== 'needsReview').map((l) => ({ category: l.category, offset: l.offset, length: l.length })),
    };
  });
  let body: string;
  switch (msg.format) {
    case 'azure':
      // A label outside every region cannot be written in a project file: report it instead of failing the export.
      for (const d of docs) {
        if (!d.regions || d.regions.length === 0) continue;
        const inside = (s: Span) => d.regions!.some((r) => s.offset >= r.offset && s.offset + s.length <= r.offset + r.length);
        for (const s of d.spans.filter((x) => !inside(x)))
          warnings.push(issue('LabelOutsideRegion', `${d.id}: label ${s.category} at ${s.offset} length ${s.length} lies outside every region and was not exported.`, d.id));
        d.spans = d.spans.filter(inside);
      }
      body = JSON.stringify(
        serializeProjectFile({
          projectName: project.projectName,
          language: project.language ?? 'en-us',
          description: project.description,
          multilingual: project.multilingual,
          storageInputContainerName: containerOf(project),
          settings: project.settings,
          entities: project.entities,
          documents: docs.map((d) => ({ location: d.id, language: d.language, dataset: d.dataset, labels: d.spans, regions: d.regions, text: d.text })),
        }),
        null,
        1,
      );
      break;
    case 'bio':
    case 'conll': {
      const r = documentsToBio(docs);
      for (const pr of r.problems)
        warnings.push(issue('InexactLabel', `${pr.id}: label ${pr.span.category} at ${pr.span.offset} length ${pr.span.length} ${pr.reason}.`, pr.id));
      body = serializeBio(r.sentences);
      break;
    }
    case 'aws-annotations': {
      const r = writeAwsAnnotations(docs);
      for (const pr of r.problems)
        warnings.push(issue('InexactLabel', `${pr.id}: label ${pr.span.category} at ${pr.span.offset} length ${pr.span.length} ${pr.reason}.`, pr.id));
      body = r.csv;
      break;
    }
    case 'aws-entity-list':
      body = writeAwsEntityList(docs.flatMap((d) => d.spans.map((s) => ({ text: d.text.slice(s.offset, s.offset + s.length), category: s.category }))));
      break;
    case 'label-studio':
      body = JSON.stringify(writeLabelStudio(docs), null, 1);
      break;
    case 'spacy-jsonl':
      body = writeSpacyJsonl(docs);
      break;
  }
  const { ext, contentType } = EXTENSIONS[msg.format];
  const name = `${msg.projectName}/${msg.jobId}.${ext}`;
  await deps.blobs.put(EXPORTS_CONTAINER, name, encodeText(body), { contentType });
  const resultUrl = await deps.blobs.url(EXPORTS_CONTAINER, name);
  return {
    status: 'succeeded',
    result: { resultUrl, format: msg.format, documents: docs.length, labels: docs.reduce((n, d) => n + d.spans.length, 0) },
    warnings,
  };
}

async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** The queue handlers of this area; lib/jobs' consumer and tests dispatch to them by message `type`. */
export const documentsJobHandlers: JobHandler[] = [
  defineJobHandler({ type: IMPORT_JOB, message: ImportJobMessage, run: (deps, m) => runImport(deps, m) }),
  defineJobHandler({ type: EXPORT_JOB, message: ExportJobMessage, run: (deps, m) => runExport(deps, m) }),
];
