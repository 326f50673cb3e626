// The one request pipeline both hosts call: match → auth → api-version → params/query/body → handler → response.
import { DomainError } from '../errors.js';
import type { Deps } from '../app/types.js';
import { requireApiVersion } from './api-version.js';
import { requireApiKey } from './auth.js';
import { readRequestBody } from './body.js';
import { errorResponse, parseWith } from './errors.js';
import { normalizePath, Router } from './router.js';
import type { HttpMethod, HttpResult, IncomingRequest, Route, RouteRequest, SerializedResponse } from './types.js';

/** Handles one request against a route table; never throws, never answers 5xx for bad input. */
export type HttpHandler = (req: IncomingRequest) => Promise<SerializedResponse>;

const isAzurePath = (path: string) => /^\/language(\/|$)/i.test(path);

/** Builds the handler for `routes` (compiled once) running on `deps`. */
export function createHttpHandler(routes: readonly Route[], deps: Deps): HttpHandler {
  const router = new Router(routes);
  return async (incoming) => {
    let url: URL;
    try {
      url = new URL(incoming.url);
    } catch {
      url = new URL('http://invalid/');
    }
    const path = normalizePath(url.pathname);
    let azure = isAzurePath(path);
    const ctx = (headers?: Record<string, string>) => ({
      azure,
      requestId: incoming.requestId,
      instance: path,
      log: deps.log,
      headers,
    });
    try {
      const match = router.match(incoming.method, url.pathname);
      if (match.kind === 'not-found')
        return serialize(
          errorResponse(new DomainError('NOT_FOUND', `No route matches ${incoming.method} ${path}.`, { innerCode: 'NotFound' }), ctx()),
          incoming.requestId,
        );
      if (match.kind === 'method-not-allowed')
        return serialize(
          errorResponse(
            new DomainError('METHOD_NOT_ALLOWED', `Method ${incoming.method} is not allowed on ${path}; use ${match.allow.join(', ')}.`),
            ctx({ allow: match.allow.join(', ') }),
          ),
          incoming.requestId,
        );
      const { route } = match;
      azure = route.azure ?? isAzurePath(route.path);
      if (route.auth ?? true) requireApiKey(incoming.headers, deps.apiKeys);
      const apiVersion = (route.apiVersion ?? azure) ? requireApiVersion(url) : undefined;
      const params = route.params ? parseWith(route.params, match.params) : match.params;
      const rawQuery: Record<string, string> = {};
      for (const [k, v] of url.searchParams) if (k !== 'api-version' && !(k in rawQuery)) rawQuery[k] = v;
      const query = route.query ? parseWith(route.query, rawQuery) : rawQuery;
      let body: unknown = undefined;
      if (route.body) {
        const raw = await readRequestBody(incoming, route.body);
        body = 'schema' in route.body && raw !== undefined ? parseWith(route.body.schema, raw) : raw;
      }
      const req: RouteRequest<unknown, unknown, unknown> = {
        method: route.method as HttpMethod,
        url,
        headers: incoming.headers,
        params,
        query,
        body,
        requestId: incoming.requestId,
        apiVersion,
      };
      const result = await route.handler(deps, req);
      return serialize(result, incoming.requestId);
    } catch (err) {
      return serialize(errorResponse(err, ctx()), incoming.requestId);
    }
  };
}

/** `abc` → `"abc"`; an already quoted or weak tag stays as it is. */
export const quoteEtag = (etag: string) => (etag.startsWith('"') || etag.startsWith('W/') ? etag : `"${etag}"`);

/** Result → status, lower-cased headers and bytes; JSON for objects unless the handler set a content-type. */
export function serialize(result: HttpResult, requestId: string): SerializedResponse {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(result.headers ?? {})) headers[k.toLowerCase()] = v;
  // stores hand out bare version tokens; HTTP entity tags are quoted (RFC 9110)
  if (headers.etag !== undefined) headers.etag = quoteEtag(headers.etag);
  headers['x-ms-request-id'] = requestId;
  let body: Uint8Array | undefined;
  if (result.body === undefined || result.body === null) body = undefined;
  else if (result.body instanceof Uint8Array) {
    body = result.body;
    headers['content-type'] ??= 'application/octet-stream';
  } else if (typeof result.body === 'string') {
    body = Buffer.from(result.body, 'utf8');
    headers['content-type'] ??= 'text/plain; charset=utf-8';
  } else {
    body = Buffer.from(JSON.stringify(result.body), 'utf8');
    headers['content-type'] ??= 'application/json; charset=utf-8';
  }
  return { status: result.status, headers, body };
}
