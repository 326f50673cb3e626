// zod schemas for projects and their entity schema: Azure's limits on names, containers and settings.
import { z } from 'zod';

/** Azure: project names ≤50 characters of letters, digits, `_ . -`. */
export const ProjectName = z
  .string()
  .min(1, 'must not be empty')
  .max(50, 'must be at most 50 characters')
  .regex(/^[A-Za-z0-9_.-]+$/, 'may contain only letters, digits, underscore, period and hyphen')
  // `global` names the partition and URL segment of project-independent jobs (…/projects/global/deletion-jobs).
  .refine((s) => s.toLowerCase() !== 'global', "'global' is reserved");

/** Azure blob container names: 3–63 of lowercase letters, digits and single hyphens, starting and ending alphanumeric. */
export const ContainerName = z
  .string()
  .min(3, 'must be at least 3 characters')
  .max(63, 'must be at most 63 characters')
  .regex(/^[a-z0-9-]+$/, 'may contain only lowercase letters, digits and hyphens')
  .regex(/^[a-z0-9]/, 'must start with a letter or digit')
  .regex(/[a-z0-9]$/, 'must end with a letter or digit')
  .refine((s) => !s.includes('--'), 'must not contain consecutive hyphens');

/** Characters Azure forbids in entity category names. */
export const FORBIDDEN_CATEGORY_CHARS = [':', '$', '&', '%', '*', '(', ')', '+', '~', '#', '/', '?'] as const;

/** Azure: category names ≤50 characters, none of `: $ & % * ( ) + ~ # / ?`. */
export const CategoryName = z
  .string()
  .min(1, 'must not be empty')
  .max(50, 'must be at most 50 characters')
  .refine((s) => s.trim() === s, 'must not start or end with whitespace')
  .refine(
    (s) => !FORBIDDEN_CATEGORY_CHARS.some((c) => s.includes(c)),
    `must not contain any of ${FORBIDDEN_CATEGORY_CHARS.join(' ')}`,
  );

export const MAX_PROJECTS = 500;
export const MAX_CATEGORIES = 200;

/** The project kinds we accept; `customNamedEntityRecognition` is the older spelling. */
export const ProjectKind = z
  .enum(['CustomEntityRecognition', 'customNamedEntityRecognition'])
  .transform(() => 'CustomEntityRecognition' as const);

/** BCP-47-ish language tag as Azure takes it (`en`, `en-us`, `zh-hans`). */
export const LanguageTag = z
  .string()
  .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/, 'must be a language tag such as en or en-us');

export const ProjectSettings = z.strictObject({
  confidenceThreshold: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').optional(),
});

/**
 * Body of `PATCH …/projects/{projectName}` (JSON merge patch): every field optional here; creation checks the
 * required ones. `null` removes an optional field.
 */
export const ProjectPatch = z.strictObject({
  projectName: ProjectName.optional(),
  projectKind: ProjectKind.optional(),
  storageInputContainerName: ContainerName.optional(),
  language: LanguageTag.optional(),
  multilingual: z.boolean().optional(),
  description: z.string().max(500, 'must be at most 500 characters').nullable().optional(),
  settings: ProjectSettings.nullable().optional(),
});
export type ProjectPatch = z.infer<typeof ProjectPatch>;

/** One category of the entity schema. */
export interface EntityDefinition {
  category: string;
  description?: string;
}

/** Stored in collection `project`, id = partition = projectName. */
export interface ProjectRecord {
  projectName: string;
  projectKind: 'CustomEntityRecognition';
  storageInputContainerName: string;
  language: string;
  multilingual: boolean;
  description?: string;
  settings: { confidenceThreshold?: number };
  createdDateTime: string;
  lastModifiedDateTime: string;
  lastTrainedDateTime?: string;
  lastDeployedDateTime?: string;
  entities: EntityDefinition[];
  /** Set while a deletion job runs; the project then refuses changes. */
  deletionJobId?: string;
}

/** Body of `PUT …/entities/{category}`. */
export const EntityPut = z.strictObject({
  description: z.string().max(500, 'must be at most 500 characters').optional(),
});
export type EntityPut = z.infer<typeof EntityPut>;

/** `force=true|false` on category deletion. */
export const ForceQuery = z.object({
  force: z
    .enum(['true', 'false'], { error: "must be 'true' or 'false'" })
    .optional()
    .transform((v) => v === 'true'),
});
