// The `api-version` query parameter Azure-defined routes require.
import { DomainError } from '../errors.js';

/** Versions of the Language authoring/runtime API we answer. 2022-10-01-preview is the Debian Python client's default. */
export const SUPPORTED_API_VERSIONS = ['2022-05-01', '2022-10-01-preview', '2023-04-01', '2023-04-15'] as const;
export type ApiVersion = (typeof SUPPORTED_API_VERSIONS)[number];

/** Returns the request's api-version, or throws 400 naming the supported ones. */
export function requireApiVersion(url: URL): ApiVersion {
  const v = url.searchParams.get('api-version');
  if (v && (SUPPORTED_API_VERSIONS as readonly string[]).includes(v)) return v as ApiVersion;
  const supported = SUPPORTED_API_VERSIONS.join(', ');
  throw new DomainError(
    'VALIDATION_FAILED',
    v
      ? `The api-version '${v}' is not supported. Supported versions: ${supported}.`
      : `The api-version query parameter is required. Supported versions: ${supported}.`,
    {
      innerCode: v ? 'InvalidParameterValue' : 'InvalidRequest',
      errors: [{ path: 'api-version', message: v ? `'${v}' is not one of ${supported}` : `is required; one of ${supported}` }],
    },
  );
}
