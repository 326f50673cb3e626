// Turns DomainErrors (and anything unexpected) into Azure error bodies or RFC 9457 problem+json, and zod issues into field paths.
import { STATUS_CODES } from 'node:http';
import type { z } from 'zod';
import { DomainError, ERROR_TABLE, isDomainError, validationFailed, type FieldError } from '../errors.js';
import type { Logger } from '../app/logger.js';
import type { HttpResult } from './types.js';

/** `['labels', 3, 'offset']` → `labels[3].offset`; a leading `prefix` names where the value came from. */
export function formatPath(path: ReadonlyArray<PropertyKey>, prefix?: string): string {
  let out = prefix ?? '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || prefix || '(body)';
}

/** zod issues → FieldErrors, one per issue, with the failing field's path. */
export function zodIssuesToFieldErrors(issues: ReadonlyArray<z.core.$ZodIssue>, prefix?: string): FieldError[] {
  return issues.map((issue) => {
    // Unknown keys are reported on the object; name the keys themselves.
    if (issue.code === 'unrecognized_keys')
      return { path: formatPath([...issue.path, issue.keys.join(',')], prefix), message: 'is not a known field' };
    return { path: formatPath(issue.path, prefix), message: issue.message };
  });
}

/** Validates `value` with `schema`; a VALIDATION_FAILED DomainError naming each bad field otherwise. */
export function parseWith<T>(schema: z.ZodType<T>, value: unknown, prefix?: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw validationFailed(zodIssuesToFieldErrors(r.error.issues, prefix));
}

/** Context for rendering an error: which style, which request, where to log. */
export interface ErrorContext {
  azure: boolean;
  requestId: string;
  /** The request path, problem+json's `instance`. */
  instance: string;
  log: Logger;
  /** Extra headers (e.g. `Allow` on 405). */
  headers?: Record<string, string>;
}

/** Renders any thrown value as a response. 5xx answers carry only a generic message and the request id; the cause is logged. */
export function errorResponse(err: unknown, ctx: ErrorContext): HttpResult {
  const domain: DomainError = isDomainError(err)
    ? err
    : new DomainError('INTERNAL', 'An internal error occurred.', { cause: err });
  const { status, azure: azureCode } = ERROR_TABLE[domain.code];
  const internal = status >= 500;
  if (internal)
    ctx.log.error('request failed', {
      requestId: ctx.requestId,
      code: domain.code,
      error: isDomainError(err) ? (err.cause ?? err) : err,
    });
  const message = internal
    ? `${status === 503 ? 'The service is temporarily unavailable.' : 'An internal error occurred.'} Request id: ${ctx.requestId}.`
    : domain.message;
  const errors = internal ? [] : domain.errors;
  const details = internal ? undefined : domain.details;
  const headers: Record<string, string> = { ...(ctx.headers ?? {}) };

  if (ctx.azure) {
    headers['x-ms-error-code'] = azureCode;
    headers['content-type'] = 'application/json; charset=utf-8';
    const inner = domain.innerCode ?? azureCode;
    return {
      status,
      headers,
      body: {
        error: {
          code: azureCode,
          message,
          ...(domain.target && !internal ? { target: domain.target } : {}),
          details: errors.map((e) => ({ code: inner, message: e.message, target: e.path })),
          innererror: { code: inner, message, ...(details ?? {}) },
        },
      },
    };
  }
  headers['content-type'] = 'application/problem+json; charset=utf-8';
  return {
    status,
    headers,
    body: {
      ...(details ?? {}),
      type: 'about:blank',
      title: STATUS_CODES[status] ?? 'Error',
      status,
      detail: message,
      instance: ctx.instance,
      code: domain.code,
      errors,
    },
  };
}
