// Settings parsed once from the environment with zod; a bad value stops the process with a message naming it.
import { z } from 'zod';

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v === '' ? undefined : v));
const optionalUrl = optionalText.pipe(z.url().optional());

/** The raw settings as app settings / environment variables spell them. */
export const EnvSchema = z.object({
  PORT: port(7071),
  DATA_DIR: z.string().min(1).default('./.data'),
  AZURITE_BLOB_PORT: port(10000),
  AZURITE_QUEUE_PORT: port(10001),
  COSMOS_PORT: port(8081),
  API_KEYS: optionalText,
  STORAGE_CONNECTION: optionalText,
  STORAGE__blobServiceUri: optionalUrl,
  STORAGE__queueServiceUri: optionalUrl,
  COSMOS_ENDPOINT: optionalUrl,
  COSMOS_KEY: optionalText,
  COSMOS__accountEndpoint: optionalUrl,
  COSMOS_DATABASE: z.string().min(1).default('customner'),
  JOB_QUEUE_NAME: z
    .string()
    .regex(/^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$/, 'must be a valid queue name: 3-63 lowercase letters, digits and single hyphens')
    .default('jobs'),
  SERVICEBUS__fullyQualifiedNamespace: optionalText,
  DURABLE_TASK_HUB: z.string().min(1).default('customner'),
  AZURE_CLIENT_ID: optionalText,
});

/** Where blobs and the local job queue live: a connection string, or service URIs reached with an Azure identity. */
export type StorageSettings =
  | { kind: 'connectionString'; connectionString: string }
  | { kind: 'identity'; blobServiceUri: string; queueServiceUri?: string };

/** Where documents live: an endpoint with a key (emulator), or an endpoint reached with an Azure identity. */
export type CosmosSettings = { kind: 'key'; endpoint: string; key: string } | { kind: 'identity'; endpoint: string };

/** Everything the app reads from its environment, already validated and typed. */
export interface Config {
  port: number;
  dataDir: string;
  azuriteBlobPort: number;
  azuriteQueuePort: number;
  cosmosPort: number;
  /** Accepted `Ocp-Apim-Subscription-Key` values; empty when API_KEYS is unset. */
  apiKeys: string[];
  /** Undefined when nothing is configured (the local stack then starts Azurite). */
  storage?: StorageSettings;
  /** Undefined when nothing is configured (the local stack then starts the Cosmos emulator). */
  cosmos?: CosmosSettings;
  cosmosDatabase: string;
  jobQueueName: string;
  /** Set in Azure: jobs go through Service Bus instead of a storage queue. */
  serviceBusNamespace?: string;
  durableTaskHub: string;
  /** Client id of a user-assigned managed identity, if one is used. */
  azureClientId?: string;
}

/** A setting that failed validation; the message lists every offending variable. */
export class ConfigError extends Error {
  constructor(readonly problems: Array<{ setting: string; message: string }>) {
    super(`Invalid settings:\n${problems.map((p) => `  ${p.setting}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses settings from `env` (default process.env); throws ConfigError naming each bad setting. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success)
    throw new ConfigError(
      parsed.error.issues.map((i) => ({ setting: i.path.map(String).join('.') || '(environment)', message: i.message })),
    );
  const e = parsed.data;
  const problems: Array<{ setting: string; message: string }> = [];

  let storage: StorageSettings | undefined;
  if (e.STORAGE_CONNECTION) {
    if (!/(?:^|;)(?:AccountName|BlobEndpoint)=/i.test(e.STORAGE_CONNECTION) && e.STORAGE_CONNECTION !== 'UseDevelopmentStorage=true')
      problems.push({ setting: 'STORAGE_CONNECTION', message: 'is not a storage connection string (expected AccountName=… or BlobEndpoint=…)' });
    storage = { kind: 'connectionString', connectionString: e.STORAGE_CONNECTION };
  } else if (e.STORAGE__blobServiceUri) {
    storage = { kind: 'identity', blobServiceUri: e.STORAGE__blobServiceUri, queueServiceUri: e.STORAGE__queueServiceUri };
  } else if (e.STORAGE__queueServiceUri) {
    problems.push({ setting: 'STORAGE__blobServiceUri', message: 'is required when STORAGE__queueServiceUri is set' });
  }

  let cosmos: CosmosSettings | undefined;
  if (e.COSMOS_ENDPOINT) {
    cosmos = e.COSMOS_KEY ? { kind: 'key', endpoint: e.COSMOS_ENDPOINT, key: e.COSMOS_KEY } : { kind: 'identity', endpoint: e.COSMOS_ENDPOINT };
  } else if (e.COSMOS__accountEndpoint) {
    cosmos = { kind: 'identity', endpoint: e.COSMOS__accountEndpoint };
  } else if (e.COSMOS_KEY) {
    problems.push({ setting: 'COSMOS_ENDPOINT', message: 'is required when COSMOS_KEY is set' });
  }

  const apiKeys = (e.API_KEYS ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k.length > 0);
  if (e.API_KEYS !== undefined && apiKeys.length === 0)
    problems.push({ setting: 'API_KEYS', message: 'must list at least one key (comma-separated) or be unset' });

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port: e.PORT,
    dataDir: e.DATA_DIR,
    azuriteBlobPort: e.AZURITE_BLOB_PORT,
    azuriteQueuePort: e.AZURITE_QUEUE_PORT,
    cosmosPort: e.COSMOS_PORT,
    apiKeys,
    storage,
    cosmos,
    cosmosDatabase: e.COSMOS_DATABASE,
    jobQueueName: e.JOB_QUEUE_NAME,
    serviceBusNamespace: e.SERVICEBUS__fullyQualifiedNamespace,
    durableTaskHub: e.DURABLE_TASK_HUB,
    azureClientId: e.AZURE_CLIENT_ID,
  };
}

let cached: Config | undefined;

/** The process-wide settings, parsed on first use from process.env. */
export function getConfig(): Config {
  cached ??= loadConfig(process.env);
  return cached;
}
