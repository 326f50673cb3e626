// The Azure Custom NER project file (import/export): zod schema, parsing, conversion to labelled documents, export.
import { z } from 'zod';
import { DomainError, validationFailed, type FieldError } from '../../errors.js';
import type { LabelledDocument, Region, Span } from '../types.js';

/** The project file version we write; files of any version string are read. */
export const PROJECT_FILE_VERSION = '2022-05-01';

/** Characters Azure does not allow in an entity (category) name. */
const FORBIDDEN_CATEGORY_CHARS = /[:$&%*()+~#/?]/;

/** Both spellings of the kind name in use; older files say `customNamedEntityRecognition`. */
const ProjectKind = z.enum(['CustomEntityRecognition', 'customNamedEntityRecognition'], {
  error: 'must be "CustomEntityRecognition" (or the older "customNamedEntityRecognition")',
});

const Category = z
  .string()
  .min(1, 'must not be empty')
  .max(50, 'must be at most 50 characters')
  .refine((c) => !FORBIDDEN_CATEGORY_CHARS.test(c), 'must not contain any of : $ & % * ( ) + ~ # / ?');

const NonNegativeInt = z.number().int('must be an integer').nonnegative('must be ≥ 0');

/** One labelled span, offsets in UTF-16 code units of the whole document (not of the region). */
export const ProjectLabel = z.object({
  category: Category,
  offset: NonNegativeInt,
  length: z.number().int('must be an integer').positive('must be ≥ 1'),
});

/** A region of a document that counts for training, with the labels inside it. */
export const ProjectRegion = z.object({
  regionOffset: NonNegativeInt,
  regionLength: NonNegativeInt,
  labels: z.array(ProjectLabel).default([]),
});

export const ProjectDocument = z.object({
  location: z.string().min(1, 'must not be empty'),
  language: z.string().min(1).optional(),
  // `null` appears in exports of documents not assigned to a split; treat it like an absent value.
  dataset: z
    .enum(['Train', 'Test'], { error: 'must be "Train" or "Test"' })
    .nullish()
    .transform((d) => d ?? undefined),
  entities: z.array(ProjectRegion).default([]),
});

export const ProjectMetadata = z.looseObject({
  projectKind: ProjectKind,
  projectName: z.string().min(1).optional(),
  language: z.string().min(1).optional(),
  multilingual: z.boolean().optional(),
  description: z.string().optional(),
  storageInputContainerName: z.string().optional(),
  settings: z.record(z.string(), z.unknown()).optional(),
});

export const ProjectAssets = z.object({
  projectKind: ProjectKind,
  entities: z.array(z.looseObject({ category: Category, description: z.string().optional() })).default([]),
  documents: z.array(ProjectDocument).default([]),
});

/** The project file as written by Azure (both version-key spellings accepted, normalised to `projectFileVersion`). */
export const ProjectFile = z
  .looseObject({
    projectFileVersion: z.string().min(1).optional(),
    'project-file-version': z.string().min(1).optional(),
    stringIndexType: z
      .literal('Utf16CodeUnit', { error: 'must be "Utf16CodeUnit" (other index types are not supported)' })
      .default('Utf16CodeUnit'),
    metadata: ProjectMetadata,
    assets: ProjectAssets,
  })
  .superRefine((p, ctx) => {
    if (p.projectFileVersion === undefined && p['project-file-version'] === undefined) {
      ctx.addIssue({ code: 'custom', path: ['projectFileVersion'], message: 'is required' });
    }
    if (normaliseKind(p.metadata.projectKind) !== normaliseKind(p.assets.projectKind)) {
      ctx.addIssue({ code: 'custom', path: ['assets', 'projectKind'], message: 'must equal metadata.projectKind' });
    }
    const seenCategories = new Set<string>();
    p.assets.entities.forEach((e, i) => {
      if (seenCategories.has(e.category)) {
        ctx.addIssue({ code: 'custom', path: ['assets', 'entities', i, 'category'], message: `duplicate category "${e.category}"` });
      }
      seenCategories.add(e.category);
    });
    const seenLocations = new Set<string>();
    p.assets.documents.forEach((d, i) => {
      if (seenLocations.has(d.location)) {
        ctx.addIssue({ code: 'custom', path: ['assets', 'documents', i, 'location'], message: `duplicate location "${d.location}"` });
      }
      seenLocations.add(d.location);
    });
  })
  .transform(({ 'project-file-version': legacyVersion, ...p }) => ({
    ...p,
    projectFileVersion: (p.projectFileVersion ?? legacyVersion) as string,
    metadata: { ...p.metadata, projectKind: 'CustomEntityRecognition' as const },
    assets: { ...p.assets, projectKind: 'CustomEntityRecognition' as const },
  }));

export type ProjectFile = z.infer<typeof ProjectFile>;
export type ProjectDocument = z.infer<typeof ProjectDocument>;

function normaliseKind(kind: z.infer<typeof ProjectKind>): string {
  return kind === 'customNamedEntityRecognition' ? 'CustomEntityRecognition' : kind;
}

/** `['assets','documents',3,'location']` → `assets.documents[3].location`. */
export function formatIssuePath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(root)' : out;
}

/** zod issues → field errors with readable paths. */
export function zodFieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((i) => ({ path: formatIssuePath(i.path), message: i.message }));
}

type Json = Record<string, unknown>;

/** A plain object as JSON.parse makes them (other objects, such as a Map or a Date, are left to zod). */
const isObject = (v: unknown): v is Json => {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};
const isNonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isNonNegativeInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isCategory = (v: unknown): v is string => isNonEmptyString(v) && v.length <= 50 && !FORBIDDEN_CATEGORY_CHARS.test(v);
const isKind = (v: unknown): v is z.infer<typeof ProjectKind> => v === 'CustomEntityRecognition' || v === 'customNamedEntityRecognition';

/**
 * Copies `from`'s keys that `shape` does not name, after `to`'s own (what a zod looseObject keeps); false if a key
 * is `__proto__` (an own property of parsed JSON that assignment would turn into a prototype) or a symbol: zod
 * decides those.
 */
function copyLooseKeys(from: Json, to: Json, shape: ReadonlySet<string>): boolean {
  if (Object.getOwnPropertySymbols(from).length > 0) return false;
  for (const k of Object.keys(from)) {
    if (k === '__proto__') return false;
    if (!shape.has(k)) to[k] = from[k];
  }
  return true;
}

/** An optional key: absent, or present with a value `ok` accepts (JSON has no undefined: zod decides those). */
const optional = (o: Json, k: string, ok: (v: unknown) => boolean) => !Object.hasOwn(o, k) || ok(o[k]);

const METADATA_KEYS = new Set(['projectKind', 'projectName', 'language', 'multilingual', 'description', 'storageInputContainerName', 'settings']);
const ENTITY_KEYS = new Set(['category', 'description']);
const FILE_KEYS = new Set(['projectFileVersion', 'project-file-version', 'stringIndexType', 'metadata', 'assets']);

/**
 * `ProjectFile.parse` for a file that is valid, written out by hand: the same value (keys in the same order), at a
 * small part of the cost of zod's first parse in a process (~25 ms of compilation; a 10-document training run reads
 * one project file). It checks only what it must and gives up (undefined) on anything else — an invalid file, or one
 * it is not sure of — and zod then decides and names the offending fields. Tests hold it to zod on valid files and
 * on many mutated ones.
 */
export function parseValidProjectFile(json: unknown): ProjectFile | undefined {
  if (!isObject(json)) return undefined;
  const { metadata: m, assets: a } = json;
  if (!isObject(m) || !isObject(a)) return undefined;
  if (!optional(json, 'projectFileVersion', isNonEmptyString) || !optional(json, 'project-file-version', isNonEmptyString)) return undefined;
  if (!optional(json, 'stringIndexType', (v) => v === 'Utf16CodeUnit')) return undefined;
  const version = json.projectFileVersion ?? json['project-file-version'];
  if (version === undefined) return undefined;

  if (!isKind(m.projectKind) || normaliseKind(m.projectKind) !== normaliseKind(a.projectKind as never) || !isKind(a.projectKind)) return undefined;
  if (!optional(m, 'projectName', isNonEmptyString) || !optional(m, 'language', isNonEmptyString)) return undefined;
  if (!optional(m, 'multilingual', (v) => typeof v === 'boolean')) return undefined;
  if (!optional(m, 'description', (v) => typeof v === 'string') || !optional(m, 'storageInputContainerName', (v) => typeof v === 'string')) return undefined;
  if (!optional(m, 'settings', isObject)) return undefined;
  const metadata: Json = {};
  for (const k of METADATA_KEYS) if (Object.hasOwn(m, k)) metadata[k] = m[k];
  metadata.projectKind = 'CustomEntityRecognition';
  if (m.settings !== undefined) {
    const settings: Json = {};
    if (!copyLooseKeys(m.settings as Json, settings, new Set())) return undefined;
    metadata.settings = settings;
  }
  if (!copyLooseKeys(m, metadata, METADATA_KEYS)) return undefined;

  if (!optional(a, 'entities', Array.isArray) || !optional(a, 'documents', Array.isArray)) return undefined;
  const entities: Json[] = [];
  const categories = new Set<string>();
  for (const e of (a.entities ?? []) as unknown[]) {
    if (!isObject(e) || !isCategory(e.category) || !optional(e, 'description', (v) => typeof v === 'string')) return undefined;
    if (categories.has(e.category)) return undefined;
    categories.add(e.category);
    const entity: Json = { category: e.category };
    if (Object.hasOwn(e, 'description')) entity.description = e.description;
    if (!copyLooseKeys(e, entity, ENTITY_KEYS)) return undefined;
    entities.push(entity);
  }
  const documents: ProjectDocument[] = [];
  const locations = new Set<string>();
  for (const d of (a.documents ?? []) as unknown[]) {
    if (!isObject(d) || !isNonEmptyString(d.location) || locations.has(d.location)) return undefined;
    locations.add(d.location);
    if (!optional(d, 'language', isNonEmptyString)) return undefined;
    if (!optional(d, 'dataset', (v) => v === null || v === 'Train' || v === 'Test')) return undefined;
    if (!optional(d, 'entities', Array.isArray)) return undefined;
    const regions: ProjectDocument['entities'] = [];
    for (const r of (d.entities ?? []) as unknown[]) {
      if (!isObject(r) || !isNonNegativeInt(r.regionOffset) || !isNonNegativeInt(r.regionLength)) return undefined;
      if (!optional(r, 'labels', Array.isArray)) return undefined;
      const labels: ProjectDocument['entities'][number]['labels'] = [];
      for (const l of (r.labels ?? []) as unknown[]) {
        if (!isObject(l) || !isCategory(l.category) || !isNonNegativeInt(l.offset)) return undefined;
        if (!isNonNegativeInt(l.length) || l.length === 0) return undefined;
        labels.push({ category: l.category, offset: l.offset, length: l.length });
      }
      regions.push({ regionOffset: r.regionOffset, regionLength: r.regionLength, labels });
    }
    const doc = { location: d.location } as ProjectDocument;
    if (Object.hasOwn(d, 'language')) doc.language = d.language as string;
    if (Object.hasOwn(d, 'dataset')) doc.dataset = (d.dataset ?? undefined) as ProjectDocument['dataset'];
    doc.entities = regions;
    documents.push(doc);
  }

  // zod's order: the shape's keys (those present, and the default), then the others; the transform then drops the
  // legacy version key and appends projectFileVersion when the file spelled it only the legacy way
  const out: Json = {};
  if (Object.hasOwn(json, 'projectFileVersion')) out.projectFileVersion = json.projectFileVersion;
  out.stringIndexType = 'Utf16CodeUnit';
  out.metadata = metadata;
  out.assets = { projectKind: 'CustomEntityRecognition', entities, documents };
  if (!copyLooseKeys(json, out, FILE_KEYS)) return undefined;
  out.projectFileVersion = version;
  return out as ProjectFile;
}

/**
 * Validates a parsed JSON value as an Azure Custom NER project file.
 * @throws DomainError VALIDATION_FAILED whose `errors` name every offending field (`assets.documents[2].dataset`).
 */
export function parseProjectFile(json: unknown): ProjectFile {
  const valid = parseValidProjectFile(json);
  if (valid) return valid;
  const r = ProjectFile.safeParse(json);
  if (!r.success) {
    const errors = zodFieldErrors(r.error);
    throw validationFailed(errors, `invalid project file: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  }
  return r.data;
}

/** A label (or document) that cannot be used, with the reason; returned instead of being dropped silently. */
export interface LabelProblem {
  location: string;
  /** Field path inside the project file, e.g. `assets.documents[4].entities[0].labels[2]`. */
  path: string;
  reason: string;
}

export interface ProjectDocuments {
  train: LabelledDocument[];
  test: LabelledDocument[];
  /** Documents with no `dataset`; callers decide (the CLI ignores them, a percentage split may use them). */
  unassigned: LabelledDocument[];
  /** Every label, region or document that did not fit; its label is left out of the documents above. */
  problems: LabelProblem[];
}

/**
 * Joins a project file with its document texts (by `location`) into labelled documents split by `dataset`.
 * A label outside its text, outside its region, overlapping an earlier label, or of a category the project does
 * not declare is reported in `problems` and left out; a document whose text is missing is reported and left out.
 * Regions become `LabelledDocument.regions`; a document with no region at all counts as a whole.
 */
export function toLabelledDocuments(project: ProjectFile, texts: ReadonlyMap<string, string>): ProjectDocuments {
  const categories = new Set(project.assets.entities.map((e) => e.category));
  const out: ProjectDocuments = { train: [], test: [], unassigned: [], problems: [] };
  project.assets.documents.forEach((d, di) => {
    const docPath = `assets.documents[${di}]`;
    const text = texts.get(d.location);
    if (text === undefined) {
      out.problems.push({ location: d.location, path: `${docPath}.location`, reason: 'document text not found' });
      return;
    }
    const regions: Region[] = [];
    const candidates: Array<Span & { path: string }> = [];
    d.entities.forEach((r, ri) => {
      const regionPath = `${docPath}.entities[${ri}]`;
      const regionEnd = r.regionOffset + r.regionLength;
      if (regionEnd > text.length) {
        out.problems.push({
          location: d.location,
          path: regionPath,
          reason: `region ${r.regionOffset}..${regionEnd} ends beyond the text (length ${text.length})`,
        });
      } else {
        regions.push({ offset: r.regionOffset, length: r.regionLength });
      }
      r.labels.forEach((l, li) => {
        const path = `${regionPath}.labels[${li}]`;
        const end = l.offset + l.length;
        const problem = (reason: string) => out.problems.push({ location: d.location, path, reason });
        if (!categories.has(l.category)) return problem(`unknown category "${l.category}"`);
        if (end > text.length) return problem(`label ${l.offset}..${end} ends beyond the text (length ${text.length})`);
        if (l.offset < r.regionOffset || end > regionEnd) {
          return problem(`label ${l.offset}..${end} is outside its region ${r.regionOffset}..${regionEnd}`);
        }
        candidates.push({ offset: l.offset, length: l.length, category: l.category, path });
      });
    });
    // Stable by start then longer first, so the reported label of an overlapping pair is the later/shorter one.
    candidates.sort((a, b) => a.offset - b.offset || b.length - a.length);
    const spans: Span[] = [];
    let last: (Span & { path: string }) | undefined;
    for (const c of candidates) {
      if (last && c.offset < last.offset + last.length) {
        out.problems.push({
          location: d.location,
          path: c.path,
          reason: `label ${c.offset}..${c.offset + c.length} (${c.category}) overlaps label ${last.offset}..${last.offset + last.length} (${last.category}) at ${last.path}`,
        });
        continue;
      }
      spans.push({ offset: c.offset, length: c.length, category: c.category });
      last = c;
    }
    const doc: LabelledDocument = { id: d.location, text, spans };
    if (d.entities.length > 0) doc.regions = regions;
    const language = d.language ?? project.metadata.language;
    if (language !== undefined) doc.language = language;
    (d.dataset === 'Train' ? out.train : d.dataset === 'Test' ? out.test : out.unassigned).push(doc);
  });
  return out;
}

/** One document to export. Give `regions`, or `text` (one region over the whole text), or both. */
export interface ExportDocument {
  location: string;
  language?: string;
  dataset?: 'Train' | 'Test' | null;
  labels: Span[];
  regions?: Region[];
  text?: string;
}

export interface ExportProject {
  projectName: string;
  language: string;
  description?: string;
  multilingual?: boolean;
  storageInputContainerName?: string;
  settings?: Record<string, unknown>;
  entities: Array<{ category: string; description?: string }>;
  documents: ExportDocument[];
}

/**
 * Builds an Azure project file (version 2022-05-01, Utf16CodeUnit) from a project's schema and documents.
 * Each label is written inside the first region that contains it; the result passes `parseProjectFile`.
 * @throws DomainError VALIDATION_FAILED when a document has neither text nor regions, or a label lies in no region.
 */
export function serializeProjectFile(p: ExportProject): ProjectFile {
  const errors: FieldError[] = [];
  const documents: ProjectDocument[] = p.documents.map((d, di) => {
    const regions = d.regions ?? (d.text !== undefined ? [{ offset: 0, length: d.text.length }] : undefined);
    if (regions === undefined) {
      errors.push({ path: `documents[${di}]`, message: 'needs text or regions' });
      return { location: d.location, entities: [] } as unknown as ProjectDocument;
    }
    const entities = regions.map((r) => ({ regionOffset: r.offset, regionLength: r.length, labels: [] as Span[] }));
    const sorted = [...d.labels].sort((a, b) => a.offset - b.offset || b.length - a.length);
    for (const l of sorted) {
      const home = entities.find((r) => l.offset >= r.regionOffset && l.offset + l.length <= r.regionOffset + r.regionLength);
      if (!home) {
        errors.push({ path: `documents[${di}].labels`, message: `label ${l.offset}..${l.offset + l.length} lies in no region` });
        continue;
      }
      home.labels.push({ category: l.category, offset: l.offset, length: l.length });
    }
    return {
      location: d.location,
      ...(d.language !== undefined ? { language: d.language } : {}),
      ...(d.dataset ? { dataset: d.dataset } : {}),
      entities,
    } as ProjectDocument;
  });
  if (errors.length > 0) throw validationFailed(errors, `cannot export project: ${errors[0].path}: ${errors[0].message}`);
  const metadata: ProjectFile['metadata'] = {
    projectKind: 'CustomEntityRecognition',
    storageInputContainerName: p.storageInputContainerName ?? p.projectName.toLowerCase(),
    projectName: p.projectName,
    multilingual: p.multilingual ?? false,
    language: p.language,
    settings: p.settings ?? {},
  };
  if (p.description !== undefined) metadata.description = p.description;
  return {
    projectFileVersion: PROJECT_FILE_VERSION,
    stringIndexType: 'Utf16CodeUnit',
    metadata,
    assets: {
      projectKind: 'CustomEntityRecognition',
      entities: p.entities.map((e) => (e.description === undefined ? { category: e.category } : { ...e })),
      documents,
    },
  };
}

/** Parses project file text (JSON); a JSON syntax error is a VALIDATION_FAILED like any schema error. */
export function parseProjectFileText(text: string): ProjectFile {
  let json: unknown;
  try {
    json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (cause) {
    throw new DomainError('VALIDATION_FAILED', `invalid project file: not JSON (${(cause as Error).message})`, {
      errors: [{ path: '(root)', message: 'not JSON' }],
      innerCode: 'InvalidRequestBodyFormat',
      cause,
    });
  }
  return parseProjectFile(json);
}
