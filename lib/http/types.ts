// The shapes of the route table: how a route is declared, what its handler receives and returns.
import type { z } from 'zod';
import type { Deps } from '../app/types.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A request as a host (node:http, Azure Functions) hands it over; the body is read lazily under a size limit. */
export interface IncomingRequest {
  method: string;
  /** Absolute URL, e.g. `http://127.0.0.1:7071/language/...?api-version=2023-04-01`. */
  url: string;
  headers: Headers;
  /** Reads the whole body; rejects with a PAYLOAD_TOO_LARGE DomainError once it exceeds `maxBytes`. */
  readBody(maxBytes: number): Promise<Uint8Array>;
  /** Correlates logs with the response (`x-ms-request-id`); the invocation id under Functions. */
  requestId: string;
}

/** What a handler answers: `body` objects become JSON, strings text, bytes pass through. */
export interface HttpResult {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** A response ready for a host to write. */
export interface SerializedResponse {
  status: number;
  headers: Record<string, string>;
  body?: Uint8Array;
}

/** What a handler gets: validated params/query/body plus the raw request facts it may need. */
export interface RouteRequest<P, Q, B> {
  method: HttpMethod;
  url: URL;
  headers: Headers;
  params: P;
  query: Q;
  /** The parsed, validated JSON body; or the raw bytes for `body: { raw: true }` routes; undefined without `body`. */
  body: B;
  requestId: string;
  /** The validated `api-version`, on routes that require one. */
  apiVersion?: string;
}

/** A JSON body validated by `schema`. */
export interface JsonBodySpec<B> {
  schema: z.ZodType<B>;
  /** Accepted media types (default `application/json`); anything else → 415. */
  contentTypes?: string[];
  /** Default 1 MiB; bigger → 413. */
  maxBytes?: number;
  /** When true an empty body parses as `{}`-less `undefined` instead of a 400. */
  optional?: boolean;
}

/** Raw bytes handed to the handler unparsed (text uploads, files). */
export interface RawBodySpec {
  raw: true;
  /** Accepted media types; undefined accepts any. */
  contentTypes?: string[];
  maxBytes?: number;
}

/** One entry of the route table. */
export interface RouteDef<P, Q, B> {
  method: HttpMethod;
  /** Path template: literal segments and `{name}` placeholders, e.g. `/language/.../projects/{projectName}/:import`. */
  path: string;
  /** Azure error bodies (`{error:{…}}` + `x-ms-error-code`) instead of problem+json. Default: path starts with `/language`. */
  azure?: boolean;
  /** Requires `Ocp-Apim-Subscription-Key`. Default true. */
  auth?: boolean;
  /** Requires a supported `api-version` query parameter. Default: same as `azure`. */
  apiVersion?: boolean;
  /** Validates the decoded path placeholders. */
  params?: z.ZodType<P>;
  /** Validates the query (first value of each name; `api-version` removed). */
  query?: z.ZodType<Q>;
  body?: JsonBodySpec<B> | RawBodySpec;
  handler: (deps: Deps, req: RouteRequest<P, Q, B>) => Promise<HttpResult>;
}

/** A route with its types erased, as the table stores it. */
export type Route = RouteDef<any, any, any>;

/** Declares a route with its param/query/body types inferred from the zod schemas. */
export function defineRoute<P = Record<string, string>, Q = Record<string, never>, B = undefined>(
  def: RouteDef<P, Q, B>,
): Route {
  return def as Route;
}
