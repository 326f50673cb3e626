// Small builders for handler results, so status codes and headers read the same in every route file.
import type { HttpResult, RouteRequest } from './types.js';

/** A JSON answer, optionally with an ETag. */
export const json = (status: number, body: unknown, headers: Record<string, string> = {}): HttpResult => ({
  status,
  body,
  headers,
});

/** 200 JSON with the item's ETag. */
export const withEtag = (status: number, body: unknown, etag: string): HttpResult => ({
  status,
  body,
  headers: { etag },
});

/** 204 without a body. */
export const noContent = (headers: Record<string, string> = {}): HttpResult => ({ status: 204, headers });

/**
 * The absolute URL of `path` on the host the client called, with the request's api-version carried over —
 * what `operation-location` and `nextLink` need.
 */
export function absoluteUrl(req: RouteRequest<unknown, unknown, unknown>, path: string, query: Record<string, string> = {}): string {
  const u = new URL(path, req.url.origin);
  const v = req.apiVersion ?? req.url.searchParams.get('api-version');
  if (v) u.searchParams.set('api-version', v);
  for (const [k, val] of Object.entries(query)) u.searchParams.set(k, val);
  return u.toString();
}

/** 202 Accepted pointing at a job resource (Azure long-running operation). */
export const accepted = (req: RouteRequest<unknown, unknown, unknown>, jobPath: string): HttpResult => ({
  status: 202,
  headers: { 'operation-location': absoluteUrl(req, jobPath) },
});

/** The `If-Match` header as the store's bare version token (quotes and a weak `W/` prefix removed), or undefined. */
export const ifMatch = (req: RouteRequest<unknown, unknown, unknown>): string | undefined => {
  const v = req.headers.get('if-match');
  if (v === null) return undefined;
  return v.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
};
