// Use cases of the documents area: documents, labels, category rename, statistics, suggestions.
import { DomainError, notFound, validationFailed } from '../errors.js';
import type { GazetteerEntry, LabelledDocument } from '../ner/types.js';
import type { StoredItem } from '../ports/document-store.js';
import { encodeText } from './decode.js';
import { syncBlob } from './ingest.js';
import { checkLabels } from './labels.js';
import type {
  DocumentListQuery,
  DocumentPutJson,
  DocumentRecord,
  EntityListRecord,
  IngestionEvent,
  Label,
  LabelInput,
  LabelSetEntry,
  ProjectRecord,
  SuggestBody,
} from './schemas.js';
import { computeStatistics, type ProjectStatistics } from './statistics.js';
import {
  containerOf,
  DOCUMENT,
  type DocumentsDeps,
  ENTITY_LIST,
  etagMatches,
  INGESTION_EVENT,
  PROJECT,
  requireDocument,
  requireProject,
  updateDocument,
} from './store.js';
import { proposeSpans } from './suggest.js';

/** The NOT_FOUND for a document that is not in the project. */
const missingDocument = (projectName: string, location: string) =>
  notFound(`Document '${location}' of project '${projectName}'`, 'location');

export type { DocumentsDeps } from './store.js';

/** A document as the API shows it. */
export interface DocumentView {
  location: string;
  language: string;
  dataset: DocumentRecord['dataset'];
  status: DocumentRecord['status'];
  rejectionReason?: string;
  text: string;
  labels: Label[];
  suggestions: DocumentRecord['suggestions'];
  regions?: DocumentRecord['regions'];
  createdDateTime: string;
  lastModifiedDateTime: string;
}

/** A document in a listing (no text). */
export interface DocumentSummary {
  location: string;
  language: string;
  dataset: DocumentRecord['dataset'];
  status: DocumentRecord['status'];
  rejectionReason?: string;
  characters: number;
  labelCount: number;
  labelsNeedingReview: number;
  suggestionCount: number;
  lastModifiedDateTime: string;
}

export const toView = (d: DocumentRecord): DocumentView => ({
  location: d.location,
  language: d.language,
  dataset: d.dataset,
  status: d.status,
  ...(d.rejectionReason ? { rejectionReason: d.rejectionReason } : {}),
  text: d.text,
  labels: d.labels,
  suggestions: d.suggestions,
  ...(d.regions ? { regions: d.regions } : {}),
  createdDateTime: d.createdDateTime,
  lastModifiedDateTime: d.lastModifiedDateTime,
});

const toSummary = (d: DocumentRecord): DocumentSummary => ({
  location: d.location,
  language: d.language,
  dataset: d.dataset,
  status: d.status,
  ...(d.rejectionReason ? { rejectionReason: d.rejectionReason } : {}),
  characters: d.text.length,
  labelCount: d.labels.length,
  labelsNeedingReview: d.labels.filter((l) => l.status === 'needsReview').length,
  suggestionCount: d.suggestions.length,
  lastModifiedDateTime: d.lastModifiedDateTime,
});

/** A location must be a usable blob name: 1..1024 chars, no `\`, no empty/dot path segments. */
export function checkLocation(location: string): void {
  const bad =
    location.length === 0 ||
    location.length > 1024 ||
    location.includes('\\') ||
    location.split('/').some((s) => s === '' || s === '.' || s === '..') ||
    /[\u0000-\u001f]/.test(location);
  if (bad) throw validationFailed([{ path: 'location', message: 'must be a blob name: 1–1024 characters, no empty, "." or ".." segments, no backslash or control characters.' }]);
}

/**
 * Lists a project's documents ordered by location, filtered by dataset (`unassigned` = none), labelled (has accepted
 * labels), status (`ready`, `rejected`, or `needsReview` = has labels needing review).
 */
export async function documentsList(deps: DocumentsDeps, projectName: string, q: Omit<DocumentListQuery, 'top' | 'skip' | 'maxpagesize'>): Promise<DocumentSummary[]> {
  await requireProject(deps, projectName);
  const all = await deps.store.list<DocumentRecord>(DOCUMENT, projectName);
  return all
    .map((i) => i.value)
    .filter((d) => {
      if (q.dataset && (d.dataset ?? 'unassigned') !== q.dataset) return false;
      const labelled = d.labels.some((l) => l.status !== 'needsReview');
      if (q.labelled && String(labelled) !== q.labelled) return false;
      if (q.status === 'needsReview') return d.labels.some((l) => l.status === 'needsReview');
      if (q.status && d.status !== q.status) return false;
      return true;
    })
    .sort((a, b) => (a.location < b.location ? -1 : a.location > b.location ? 1 : 0))
    .map(toSummary);
}

/** One document with its ETag. */
export async function documentsGet(deps: DocumentsDeps, projectName: string, location: string): Promise<{ document: DocumentView; etag: string }> {
  await requireProject(deps, projectName);
  const d = await requireDocument(deps, projectName, location);
  return { document: toView(d.value), etag: d.etag };
}

/**
 * Creates or replaces a document's text: writes the blob (so storage and API agree), then the document, re-anchoring
 * existing labels unless `labels` replaces them. A text that would be rejected on upload is refused here (400).
 */
export async function documentsPut(
  deps: DocumentsDeps,
  projectName: string,
  location: string,
  input: DocumentPutJson,
  opts: { ifMatch?: string } = {},
): Promise<{ document: DocumentView; etag: string; created: boolean; warnings: Array<{ path: string; message: string }> }> {
  checkLocation(location);
  if (!/\.txt$/i.test(location)) throw validationFailed([{ path: 'location', message: 'must end in .txt (only text files are documents).' }]);
  const project = (await requireProject(deps, projectName)).value;
  if (input.text.length === 0) throw validationFailed([{ path: 'text', message: 'must not be empty.' }]);
  if (input.text.length > 128_000) throw new DomainError('PAYLOAD_TOO_LARGE', `The text has ${input.text.length} characters; the limit is 128000.`, { target: 'text' });
  const existing = await deps.store.get<DocumentRecord>(DOCUMENT, projectName, encodeURIComponent(location));
  if (opts.ifMatch !== undefined && (!existing || !etagMatches(opts.ifMatch, existing.etag)))
    throw new DomainError('PRECONDITION_FAILED', `Document '${location}' was changed by someone else (ETag mismatch).`, { target: 'If-Match' });
  let labels: Label[] | undefined;
  let warnings: Array<{ path: string; message: string }> = [];
  if (input.labels) {
    // Regions survive only an unchanged text.
    const regions = existing?.value.text === input.text ? existing.value.regions : undefined;
    const r = checkLabelInputs(deps, project, input.text, input.labels, { regions });
    labels = r.labels;
    warnings = r.warnings;
  }
  const container = containerOf(project);
  await deps.blobs.put(container, location, encodeText(input.text), { contentType: 'text/plain; charset=utf-8' });
  await syncBlob(deps, projectName, container, location, input.language ?? project.language, {
    ...(input.language !== undefined ? { language: input.language } : {}),
    ...(input.dataset !== undefined ? { dataset: input.dataset } : {}),
    ...(labels ? { labels } : {}),
  });
  const d = await requireDocument(deps, projectName, location);
  return { document: toView(d.value), etag: d.etag, created: !existing, warnings };
}

/** Sets a document's dataset (`Train`, `Test` or null) and/or language. */
export async function documentsPatch(
  deps: DocumentsDeps,
  projectName: string,
  location: string,
  patch: { dataset?: DocumentRecord['dataset']; language?: string },
  opts: { ifMatch?: string } = {},
): Promise<{ document: DocumentView; etag: string }> {
  await requireProject(deps, projectName);
  const { item } = await updateDocument(
    deps,
    projectName,
    location,
    (cur) => {
      if (!cur) throw missingDocument(projectName, location);
      return {
        value: {
          ...cur.value,
          ...(patch.dataset !== undefined ? { dataset: patch.dataset } : {}),
          ...(patch.language !== undefined ? { language: patch.language } : {}),
          lastModifiedDateTime: deps.clock.now().toISOString(),
        },
        result: undefined,
      };
    },
    opts,
  );
  return { document: toView(item!.value), etag: item!.etag };
}

/** Deletes the document and its blob; returns how many labels went with it. */
export async function documentsDelete(
  deps: DocumentsDeps,
  projectName: string,
  location: string,
  opts: { ifMatch?: string } = {},
): Promise<{ labelsRemoved: number }> {
  const project = (await requireProject(deps, projectName)).value;
  const d = await requireDocument(deps, projectName, location);
  if (opts.ifMatch !== undefined && !etagMatches(opts.ifMatch, d.etag))
    throw new DomainError('PRECONDITION_FAILED', `Document '${location}' was changed by someone else (ETag mismatch).`, { target: 'If-Match' });
  await deps.blobs.delete(containerOf(project), location);
  await deps.store.delete(DOCUMENT, projectName, encodeURIComponent(location));
  deps.log.info('document deleted', { projectName, location, labelsRemoved: d.value.labels.length });
  return { labelsRemoved: d.value.labels.length };
}

function checkLabelInputs(
  deps: DocumentsDeps,
  project: ProjectRecord,
  text: string,
  inputs: LabelSetEntry[],
  opts: { path?: string; regions?: DocumentRecord['regions'] } = {},
): { labels: Label[]; warnings: Array<{ path: string; message: string }> } {
  const base = opts.path ?? 'labels';
  const categories = new Set(project.entities.map((e) => e.category));
  // Labels still needing review are carried over unchecked; the rest must obey every rule.
  const checked = inputs.map((l, i) => ({ l, i })).filter(({ l }) => l.status !== 'needsReview');
  const check = checkLabels(
    text,
    checked.map(({ l }) => l),
    { categories, regions: opts.regions },
  );
  const remap = (e: { path: string; message: string }) => {
    const k = Number(/\[(\d+)\]$/.exec(e.path)![1]);
    return { path: `${base}[${checked[k].i}]`, message: e.message.replace(/labels\[(\d+)\]/g, (_m, n: string) => `${base}[${checked[Number(n)].i}]`) };
  };
  if (check.errors.length > 0) throw validationFailed(check.errors.map(remap));
  const ids = new Set<string>();
  const labels = inputs.map((l, i): Label => {
    const id = l.id ?? deps.ids.next();
    if (ids.has(id)) throw validationFailed([{ path: `${base}[${i}].id`, message: `duplicate label id '${id}'.` }]);
    ids.add(id);
    const label: Label = { id, category: l.category, offset: l.offset, length: l.length };
    if (l.status === 'needsReview') Object.assign(label, { status: 'needsReview', ...(l.originalText !== undefined ? { originalText: l.originalText } : {}) });
    return label;
  });
  return { labels: labels.sort((a, b) => a.offset - b.offset), warnings: check.warnings.map(remap) };
}

const requireReady = (d: StoredItem<DocumentRecord>) => {
  if (d.value.status !== 'ready')
    throw new DomainError('CONFLICT', `Document '${d.value.location}' was rejected (${d.value.rejectionReason}); upload a valid text before labelling it.`, { target: 'location' });
};

/** The document's labels and its ETag (the document's). */
export async function labelsGet(deps: DocumentsDeps, projectName: string, location: string): Promise<{ labels: Label[]; etag: string }> {
  await requireProject(deps, projectName);
  const d = await requireDocument(deps, projectName, location);
  return { labels: d.value.labels, etag: d.etag };
}

/**
 * Replaces the whole label set. `ifMatch` is required (PRECONDITION_REQUIRED without it): of two concurrent editors
 * one wins and the other gets PRECONDITION_FAILED, so no update is lost.
 */
export async function labelsPut(
  deps: DocumentsDeps,
  projectName: string,
  location: string,
  inputs: LabelSetEntry[],
  ifMatch: string | undefined,
): Promise<{ labels: Label[]; etag: string; warnings: Array<{ path: string; message: string }> }> {
  if (ifMatch === undefined)
    throw new DomainError('PRECONDITION_REQUIRED', 'Replacing labels needs an If-Match header with the document ETag from GET.', { target: 'If-Match' });
  const project = (await requireProject(deps, projectName)).value;
  const d = await requireDocument(deps, projectName, location);
  requireReady(d);
  const { labels, warnings } = checkLabelInputs(deps, project, d.value.text, inputs, { regions: d.value.regions });
  const { item } = await updateDocument(
    deps,
    projectName,
    location,
    (cur) => ({ value: { ...cur!.value, labels, lastModifiedDateTime: deps.clock.now().toISOString() }, result: undefined }),
    { ifMatch },
  );
  return { labels: item!.value.labels, etag: item!.etag, warnings };
}

/** Adds one label, checked against the others (overlap names both). Without `ifMatch` it retries on races. */
export async function labelsAdd(
  deps: DocumentsDeps,
  projectName: string,
  location: string,
  input: LabelInput,
  opts: { ifMatch?: string } = {},
): Promise<{ label: Label; etag: string; warnings: Array<{ path: string; message: string }> }> {
  const project = (await requireProject(deps, projectName)).value;
  const categories = new Set(project.entities.map((e) => e.category));
  const { item, result } = await updateDocument(
    deps,
    projectName,
    location,
    (cur) => {
      if (!cur) throw missingDocument(projectName, location);
      requireReady(cur);
      const id = input.id ?? deps.ids.next();
      if (cur.value.labels.some((l) => l.id === id)) throw new DomainError('CONFLICT', `Label id '${id}' already exists.`, { target: 'id' });
      const accepted = cur.value.labels.filter((l) => l.status !== 'needsReview');
      const all = [...accepted, { ...input, id }];
      const check = checkLabels(cur.value.text, all, { categories, regions: cur.value.regions });
      const mine = check.errors.filter((e) => e.path === `labels[${all.length - 1}]`);
      if (mine.length > 0) throw validationFailed(mine.map((e) => ({ ...e, path: 'label' })));
      const label: Label = { id, category: input.category, offset: input.offset, length: input.length };
      const labels = [...cur.value.labels, label].sort((a, b) => a.offset - b.offset);
      const warnings = check.warnings.filter((w) => w.path === `labels[${all.length - 1}]`).map((w) => ({ ...w, path: 'label' }));
      return { value: { ...cur.value, labels, lastModifiedDateTime: deps.clock.now().toISOString() }, result: { label, warnings } };
    },
    opts,
  );
  return { label: result.label, etag: item!.etag, warnings: result.warnings };
}

/** Deletes one label by id. */
export async function labelsDelete(
  deps: DocumentsDeps,
  projectName: string,
  location: string,
  labelId: string,
  opts: { ifMatch?: string } = {},
): Promise<{ etag: string }> {
  await requireProject(deps, projectName);
  const { item } = await updateDocument(
    deps,
    projectName,
    location,
    (cur) => {
      if (!cur) throw missingDocument(projectName, location);
      if (!cur.value.labels.some((l) => l.id === labelId)) throw notFound(`Label '${labelId}' of document '${location}'`, 'labelId');
      return {
        value: { ...cur.value, labels: cur.value.labels.filter((l) => l.id !== labelId), lastModifiedDateTime: deps.clock.now().toISOString() },
        result: undefined,
      };
    },
    opts,
  );
  return { etag: item!.etag };
}

/**
 * Renames a category in the entity schema and in every label and suggestion of the project. The new name must be
 * free and valid (≤50 characters, none of `: $ & % * ( ) + ~ # / ?`).
 */
export async function entitiesRename(
  deps: DocumentsDeps,
  projectName: string,
  category: string,
  newCategory: string,
): Promise<{ category: string; labelsRenamed: number; documentsChanged: number }> {
  if (newCategory.length > 50 || /[:$&%*()+~#/?]/.test(newCategory) || newCategory.trim() !== newCategory || newCategory.length === 0)
    throw validationFailed([{ path: 'newCategory', message: 'must be 1–50 characters without : $ & % * ( ) + ~ # / ? or surrounding spaces.' }]);
  for (;;) {
    const p = await requireProject(deps, projectName);
    const entities = p.value.entities;
    const i = entities.findIndex((e) => e.category === category);
    if (i < 0) {
      // A retried rename whose schema step already happened still renames leftover labels.
      if (!entities.some((e) => e.category === newCategory)) throw notFound(`Entity '${category}' of project '${projectName}'`, 'category');
    } else {
      if (entities.some((e) => e.category === newCategory) && newCategory !== category)
        throw new DomainError('CONFLICT', `Entity '${newCategory}' already exists in project '${projectName}'.`, { target: 'newCategory' });
      const next = entities.map((e, k) => (k === i ? { ...e, category: newCategory } : e));
      try {
        await deps.store.upsert(PROJECT, projectName, projectName, { ...p.value, entities: next, lastModifiedDateTime: deps.clock.now().toISOString() }, { ifMatch: p.etag });
      } catch (e) {
        if ((e as { code?: string }).code === 'PRECONDITION_FAILED') continue;
        throw e;
      }
    }
    break;
  }
  let labelsRenamed = 0;
  let documentsChanged = 0;
  const docs = await deps.store.list<DocumentRecord>(DOCUMENT, projectName);
  for (const d of docs) {
    if (!d.value.labels.some((l) => l.category === category) && !d.value.suggestions.some((s) => s.category === category)) continue;
    const { result } = await updateDocument(deps, projectName, d.value.location, (cur) => {
      if (!cur) return { result: 0 };
      let n = 0;
      const labels = cur.value.labels.map((l) => (l.category === category ? (n++, { ...l, category: newCategory }) : l));
      const suggestions = cur.value.suggestions.map((s) => (s.category === category ? { ...s, category: newCategory } : s));
      return { value: { ...cur.value, labels, suggestions, lastModifiedDateTime: deps.clock.now().toISOString() }, result: n };
    });
    labelsRenamed += result;
    documentsChanged++;
  }
  return { category: newCategory, labelsRenamed, documentsChanged };
}

/** Documents and labels per entity and per dataset. */
export async function projectStatistics(deps: DocumentsDeps, projectName: string): Promise<ProjectStatistics> {
  const p = await requireProject(deps, projectName);
  const docs = await deps.store.list<DocumentRecord>(DOCUMENT, projectName);
  return computeStatistics(
    p.value.entities.map((e) => e.category),
    docs.map((d) => d.value),
  );
}

/** The most recent ingestion events (newest first). */
export async function ingestionEventsList(deps: DocumentsDeps, projectName: string): Promise<IngestionEvent[]> {
  await requireProject(deps, projectName);
  const all = await deps.store.list<IngestionEvent>(INGESTION_EVENT, projectName);
  return all.map((e) => e.value).reverse();
}

/** Stores the project's entity list (AWS `Text, Type`), replacing the previous one. */
export async function entityListPut(deps: DocumentsDeps, projectName: string, entries: EntityListRecord['entries']): Promise<void> {
  await deps.store.upsert<EntityListRecord>(ENTITY_LIST, projectName, 'default', { entries });
}

/** The project's entity list (empty when none was imported). */
export async function entityListGet(deps: DocumentsDeps, projectName: string): Promise<EntityListRecord['entries']> {
  return (await deps.store.get<EntityListRecord>(ENTITY_LIST, projectName, 'default'))?.value.entries ?? [];
}

/**
 * Proposes labels on unlabelled documents (or `locations`) from an entity list: the given `entries`, else the stored
 * entity list, plus (with `useProjectLabels`, or when there is no list) the texts of the project's accepted labels.
 * Suggestions replace earlier ones of the same document; they never touch labels.
 */
export async function suggestionsGenerate(
  deps: DocumentsDeps,
  projectName: string,
  body: SuggestBody,
): Promise<{ documents: number; suggestions: number; unknownCategories: string[] }> {
  const project = (await requireProject(deps, projectName)).value;
  const categories = new Set(project.entities.map((e) => e.category));
  const docs = (await deps.store.list<DocumentRecord>(DOCUMENT, projectName)).map((d) => d.value);
  let entries = body.entries ?? (await entityListGet(deps, projectName));
  if (body.useProjectLabels || entries.length === 0) {
    const fromLabels = docs.flatMap((d) =>
      d.labels.filter((l) => l.status !== 'needsReview').map((l) => ({ text: d.text.slice(l.offset, l.offset + l.length), category: l.category })),
    );
    entries = [...entries, ...fromLabels];
  }
  const unknown = [...new Set(entries.map((e) => e.category).filter((c) => !categories.has(c)))];
  entries = entries.filter((e) => categories.has(e.category));
  const wanted = body.locations ? new Set(body.locations) : undefined;
  let documents = 0;
  let suggestions = 0;
  for (const d of docs) {
    if (d.status !== 'ready') continue;
    if (wanted ? !wanted.has(d.location) : d.labels.length > 0) continue;
    const { result } = await updateDocument(deps, projectName, d.location, (cur) => {
      if (!cur || cur.value.status !== 'ready') return { result: 0 };
      const spans = proposeSpans(cur.value.text, entries, cur.value.labels);
      const next = spans.map((s) => ({ id: deps.ids.next(), ...s, source: body.entries ? 'entityList' : 'projectLabels' }));
      if (next.length === 0 && cur.value.suggestions.length === 0) return { result: 0 };
      return { value: { ...cur.value, suggestions: next, lastModifiedDateTime: deps.clock.now().toISOString() }, result: next.length };
    });
    if (result > 0) documents++;
    suggestions += result;
  }
  return { documents, suggestions, unknownCategories: unknown };
}

/**
 * Accepts suggestions (`ids`, or all of the document) as labels. A suggestion that would overlap an existing label
 * or is no longer valid is left in place and reported, never merged silently.
 */
export async function suggestionsAccept(
  deps: DocumentsDeps,
  projectName: string,
  location: string,
  ids: string[] | undefined,
): Promise<{ accepted: number; refused: Array<{ id: string; reason: string }>; etag: string }> {
  const project = (await requireProject(deps, projectName)).value;
  const categories = new Set(project.entities.map((e) => e.category));
  const { item, result } = await updateDocument(deps, projectName, location, (cur) => {
    if (!cur) throw missingDocument(projectName, location);
    const chosen = ids ? cur.value.suggestions.filter((s) => ids.includes(s.id)) : cur.value.suggestions;
    const missing = ids?.filter((id) => !cur.value.suggestions.some((s) => s.id === id)) ?? [];
    if (missing.length > 0) throw notFound(`Suggestion '${missing[0]}' of document '${location}'`, 'ids');
    const labels = [...cur.value.labels];
    const refused: Array<{ id: string; reason: string }> = [];
    const acceptedIds = new Set<string>();
    for (const s of chosen) {
      const check = checkLabels(cur.value.text, [...labels.filter((l) => l.status !== 'needsReview'), s], { categories, regions: cur.value.regions });
      const mine = check.errors.find((e) => e.path === `labels[${labels.filter((l) => l.status !== 'needsReview').length}]`);
      if (mine) {
        refused.push({ id: s.id, reason: mine.message });
        continue;
      }
      labels.push({ id: s.id, category: s.category, offset: s.offset, length: s.length });
      acceptedIds.add(s.id);
    }
    labels.sort((a, b) => a.offset - b.offset);
    const suggestions = cur.value.suggestions.filter((s) => !acceptedIds.has(s.id));
    return {
      value: { ...cur.value, labels, suggestions, lastModifiedDateTime: deps.clock.now().toISOString() },
      result: { accepted: acceptedIds.size, refused },
    };
  });
  return { ...result, etag: item!.etag };
}

/** Rejects (removes) suggestions (`ids`, or all of the document). */
export async function suggestionsReject(
  deps: DocumentsDeps,
  projectName: string,
  location: string,
  ids: string[] | undefined,
): Promise<{ rejected: number; etag: string }> {
  await requireProject(deps, projectName);
  const { item, result } = await updateDocument(deps, projectName, location, (cur) => {
    if (!cur) throw missingDocument(projectName, location);
    const keep = ids ? cur.value.suggestions.filter((s) => !ids.includes(s.id)) : [];
    return {
      value: { ...cur.value, suggestions: keep, lastModifiedDateTime: deps.clock.now().toISOString() },
      result: cur.value.suggestions.length - keep.length,
    };
  });
  return { rejected: result, etag: item!.etag };
}

/** What training reads from a project: accepted labels only, by dataset, plus unlabelled texts and the entity list. */
export interface TrainingData {
  categories: string[];
  train: LabelledDocument[];
  test: LabelledDocument[];
  /** Labelled documents with no dataset (a percentage split may use them). */
  unassigned: LabelledDocument[];
  /** Texts of ready documents without accepted labels (for features learned from unlabelled text). */
  unlabelledTexts: string[];
  /** The imported entity list (gazetteer). */
  gazetteer: GazetteerEntry[];
}

/**
 * The project's documents as the NER engine wants them. Labels needing review and suggestions are left out (they
 * are not confirmed), rejected documents too; regions from an imported project file are kept.
 */
export async function documentsForTraining(deps: DocumentsDeps, projectName: string): Promise<TrainingData> {
  const project = (await requireProject(deps, projectName)).value;
  const docs = (await deps.store.list<DocumentRecord>(DOCUMENT, projectName)).map((d) => d.value).filter((d) => d.status === 'ready');
  const out: TrainingData = {
    categories: project.entities.map((e) => e.category),
    train: [],
    test: [],
    unassigned: [],
    unlabelledTexts: [],
    gazetteer: await entityListGet(deps, projectName),
  };
  for (const d of docs) {
    const spans = d.labels.filter((l) => l.status !== 'needsReview').map((l) => ({ offset: l.offset, length: l.length, category: l.category }));
    if (spans.length === 0) {
      out.unlabelledTexts.push(d.text);
      continue;
    }
    const doc: LabelledDocument = { id: d.location, text: d.text, spans, language: d.language, ...(d.regions ? { regions: d.regions } : {}) };
    (d.dataset === 'Train' ? out.train : d.dataset === 'Test' ? out.test : out.unassigned).push(doc);
  }
  return out;
}
