// Transport-neutral domain errors and the one table that maps their codes to HTTP statuses and Azure error codes.

/** Codes every layer may raise; adapters translate SDK failures into these. */
export type ErrorCode =
  | 'VALIDATION_FAILED'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PRECONDITION_FAILED'
  | 'PRECONDITION_REQUIRED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'METHOD_NOT_ALLOWED'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'QUOTA_EXCEEDED'
  | 'TOO_MANY_REQUESTS'
  | 'MODEL_NOT_READY'
  | 'UNAVAILABLE'
  | 'INTERNAL';

/** One field-level problem, `path` in dotted/bracket form (e.g. `labels[3].offset`). */
export interface FieldError {
  path: string;
  message: string;
}

/** A failure the caller can act on; `code` decides the HTTP status, `errors` name the offending fields. */
export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly errors: FieldError[];
  /** Machine-readable detail for clients (e.g. `{ labelCount: 3 }`). */
  readonly details?: Record<string, unknown>;
  /** Azure inner error code, when a more specific one applies (e.g. `InvalidParameterValue`). */
  readonly innerCode?: string;
  /** The field the error is about, Azure's `target`. */
  readonly target?: string;

  constructor(
    code: ErrorCode,
    message: string,
    opts: {
      errors?: FieldError[];
      details?: Record<string, unknown>;
      innerCode?: string;
      target?: string;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = 'DomainError';
    this.code = code;
    this.errors = opts.errors ?? [];
    this.details = opts.details;
    this.innerCode = opts.innerCode;
    this.target = opts.target ?? opts.errors?.[0]?.path;
  }
}

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;

/** code → HTTP status and Azure top-level error code; the single source for every transport. */
export const ERROR_TABLE: Record<ErrorCode, { status: number; azure: string }> = {
  VALIDATION_FAILED: { status: 400, azure: 'InvalidArgument' },
  NOT_FOUND: { status: 404, azure: 'NotFound' },
  CONFLICT: { status: 409, azure: 'Conflict' },
  PRECONDITION_FAILED: { status: 412, azure: 'PreconditionFailed' },
  PRECONDITION_REQUIRED: { status: 428, azure: 'PreconditionRequired' },
  PAYLOAD_TOO_LARGE: { status: 413, azure: 'InvalidRequest' },
  UNAUTHORIZED: { status: 401, azure: 'Unauthorized' },
  FORBIDDEN: { status: 403, azure: 'Forbidden' },
  METHOD_NOT_ALLOWED: { status: 405, azure: 'InvalidRequest' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, azure: 'InvalidRequest' },
  QUOTA_EXCEEDED: { status: 403, azure: 'QuotaExceeded' },
  TOO_MANY_REQUESTS: { status: 429, azure: 'TooManyRequests' },
  MODEL_NOT_READY: { status: 409, azure: 'Conflict' },
  UNAVAILABLE: { status: 503, azure: 'ServiceUnavailable' },
  INTERNAL: { status: 500, azure: 'InternalServerError' },
};

export const notFound = (what: string, target?: string) =>
  new DomainError('NOT_FOUND', `${what} was not found.`, { target });
export const validationFailed = (errors: FieldError[], message?: string) =>
  new DomainError('VALIDATION_FAILED', message ?? errors.map((e) => `${e.path}: ${e.message}`).join('; '), {
    errors,
    innerCode: 'InvalidParameterValue',
  });
