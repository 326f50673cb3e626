// Zod schemas and types of the documents area: stored documents and labels, API bodies and queries, job messages.
import { z } from 'zod';

/** Longest document we accept, in UTF-16 code units (Azure's limit). */
export const MAX_DOCUMENT_CHARS = 128_000;
/** A label spans 1..500 characters (Azure's limit). */
export const MAX_LABEL_LENGTH = 500;

export const Dataset = z.enum(['Train', 'Test']);
export type Dataset = z.infer<typeof Dataset>;

export const LabelStatus = z.enum(['accepted', 'needsReview']);
export type LabelStatus = z.infer<typeof LabelStatus>;

/** A stored label; offsets in UTF-16 code units. */
export interface Label {
  id: string;
  category: string;
  offset: number;
  length: number;
  /** Absent means accepted. `needsReview`: a re-upload changed the text and the span could not be found again. */
  status?: LabelStatus;
  /** For `needsReview`: the span's text before the change, to help a reviewer place it again. */
  originalText?: string;
}

/** A proposed label from auto-labelling; never used for training until accepted. */
export interface Suggestion {
  id: string;
  category: string;
  offset: number;
  length: number;
  /** Where it came from: `entityList` or `projectLabels`. */
  source: string;
}

/** A region of the text that counts for training (Azure regionOffset/regionLength). */
export interface Region {
  offset: number;
  length: number;
}

/** The stored document (collection `document`, id = encodeURIComponent(location), partition = project name). */
export interface DocumentRecord {
  location: string;
  text: string;
  language: string;
  dataset: Dataset | null;
  labels: Label[];
  suggestions: Suggestion[];
  status: 'ready' | 'rejected';
  rejectionReason?: string;
  /** Regions from an imported project file; absent means the whole text. */
  regions?: Region[];
  blobEtag?: string;
  /** sha256 of the blob bytes, so the same content twice is one change. */
  contentHash?: string;
  createdDateTime: string;
  lastModifiedDateTime: string;
}

/** What the projects area stores for a project (collection `project`), as far as this area reads or writes it. */
export interface ProjectRecord {
  projectName: string;
  projectKind?: string;
  storageInputContainerName: string;
  language?: string;
  multilingual?: boolean;
  description?: string;
  settings?: Record<string, unknown>;
  createdDateTime?: string;
  lastModifiedDateTime?: string;
  entities: Array<{ category: string; description?: string }>;
  [k: string]: unknown;
}

/** A record of what ingestion did with one blob (collection `ingestion-event`). */
export interface IngestionEvent {
  id: string;
  location: string;
  kind: 'created' | 'updated' | 'unchanged' | 'rejected' | 'deleted';
  reason?: string;
  labelsKept?: number;
  labelsNeedingReview?: number;
  labelsRemoved?: number;
  dateTime: string;
}

/** An entity list entry (AWS `Text, Type`), collection `entity-list`. */
export interface EntityListRecord {
  entries: Array<{ text: string; category: string }>;
}

const int = z.number().int();

/** A label as a client sends it. */
export const LabelInput = z.object({
  id: z.string().min(1).max(100).optional(),
  category: z.string().min(1).max(50),
  offset: int.min(0),
  length: int,
});
export type LabelInput = z.infer<typeof LabelInput>;

/**
 * A label in a whole-set PUT: what GET returned, possibly edited. A label still marked `needsReview` is kept as it is
 * (not checked against the text) so that reading, editing other labels and writing back never accepts it by accident;
 * send it without `status` (or `accepted`) at its corrected place to accept it.
 */
export const LabelSetEntry = LabelInput.extend({
  status: LabelStatus.optional(),
  originalText: z.string().max(500).optional(),
});
export type LabelSetEntry = z.infer<typeof LabelSetEntry>;

export const LabelsPutBody = z.object({ labels: z.array(LabelSetEntry).max(10_000) });

/** PUT …/documents/{location} as JSON. */
export const DocumentPutJson = z.object({
  text: z.string(),
  language: z.string().min(1).max(20).optional(),
  dataset: Dataset.nullable().optional(),
  labels: z.array(LabelInput).max(10_000).optional(),
});
export type DocumentPutJson = z.infer<typeof DocumentPutJson>;

export const DocumentPatchBody = z
  .object({ dataset: Dataset.nullable().optional(), language: z.string().min(1).max(20).optional() })
  .strict();

export const DatasetFilter = z.enum(['Train', 'Test', 'unassigned']);

export const DocumentListQuery = z.object({
  top: z.coerce.number().int().min(1).max(1000).optional(),
  skip: z.coerce.number().int().min(0).optional(),
  maxpagesize: z.coerce.number().int().min(1).max(1000).optional(),
  dataset: DatasetFilter.optional(),
  labelled: z.enum(['true', 'false']).optional(),
  status: z.enum(['ready', 'rejected', 'needsReview']).optional(),
});
export type DocumentListQuery = z.infer<typeof DocumentListQuery>;

export const RenameEntityBody = z.object({ newCategory: z.string().min(1).max(50) });

export const ImportFormat = z.enum(['azure', 'bio', 'conll', 'aws-annotations', 'aws-entity-list', 'label-studio', 'spacy-jsonl']);
export type ImportFormat = z.infer<typeof ImportFormat>;

/** Format names are matched case-insensitively (`CoNLL`, `BIO`, `Label-Studio`). */
const lower = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v);

export const ImportQuery = z.object({
  format: z.preprocess(lower, ImportFormat.default('azure')),
  /** Text-carrying formats: which dataset the created documents go to. */
  dataset: Dataset.optional(),
  /** BIO: how many sentences make one document (default 10). */
  sentencesPerDocument: z.coerce.number().int().min(1).max(10_000).optional(),
  /** BIO/JSONL: name prefix of created documents. */
  prefix: z.string().regex(/^[A-Za-z0-9_.-]{1,50}$/).optional(),
});
export type ImportQuery = z.infer<typeof ImportQuery>;

export const ExportFormat = z.enum(['azure', 'bio', 'conll', 'aws-annotations', 'aws-entity-list', 'label-studio', 'spacy-jsonl']);
export type ExportFormat = z.infer<typeof ExportFormat>;

export const ExportQuery = z.object({
  stringIndexType: z.literal('Utf16CodeUnit').default('Utf16CodeUnit'),
  format: z.preprocess(lower, ExportFormat.default('azure')),
  /** Restrict to one dataset. */
  dataset: Dataset.optional(),
});
export type ExportQuery = z.infer<typeof ExportQuery>;

export const SuggestBody = z.object({
  /** Use this entity list; otherwise the project's stored entity list, then its own labelled spans. */
  entries: z.array(z.object({ text: z.string().min(1).max(500), category: z.string().min(1).max(50) })).max(100_000).optional(),
  useProjectLabels: z.boolean().optional(),
  /** Restrict to these documents; default every unlabelled document. */
  locations: z.array(z.string().min(1)).max(100_000).optional(),
});
export type SuggestBody = z.infer<typeof SuggestBody>;

export const SuggestionDecisionBody = z.object({
  /** Suggestion ids; absent means every suggestion of the document. */
  ids: z.array(z.string().min(1)).max(10_000).optional(),
});

/** Queue messages this area handles. */
export const IMPORT_JOB = 'documents.import';
export const EXPORT_JOB = 'documents.export';

export const ImportJobMessage = z.object({
  type: z.literal(IMPORT_JOB),
  projectName: z.string(),
  jobId: z.string(),
  format: ImportFormat,
  /** Where the uploaded payload was parked. */
  payloadContainer: z.string(),
  payloadBlob: z.string(),
  dataset: Dataset.optional(),
  sentencesPerDocument: z.number().int().optional(),
  prefix: z.string().optional(),
});
export type ImportJobMessage = z.infer<typeof ImportJobMessage>;

export const ExportJobMessage = z.object({
  type: z.literal(EXPORT_JOB),
  projectName: z.string(),
  jobId: z.string(),
  format: ExportFormat,
  dataset: Dataset.optional(),
});
export type ExportJobMessage = z.infer<typeof ExportJobMessage>;

/** Containers shared by all projects for import payloads and export results. */
export const IMPORTS_CONTAINER = 'cner-imports';
export const EXPORTS_CONTAINER = 'cner-exports';
