// Calls the route table in-process, without a socket: what handler tests and scripts use.
import { randomUUID } from 'node:crypto';
import { payloadTooLarge } from './body.js';
import type { HttpHandler } from './handle.js';
import type { IncomingRequest } from './types.js';

/** A request as plain parts; `body` objects are sent as JSON (content-type set unless given). */
export interface RequestParts {
  method: string;
  /** Path + query (`/language/...?api-version=...`) or an absolute URL. */
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
}

/** Builds an IncomingRequest from parts (origin `http://localhost` for relative URLs). */
export function incomingFromParts(parts: RequestParts): IncomingRequest {
  const headers = new Headers(parts.headers ?? {});
  let bytes: Uint8Array;
  if (parts.body === undefined) bytes = new Uint8Array();
  else if (parts.body instanceof Uint8Array) bytes = parts.body;
  else if (typeof parts.body === 'string') bytes = Buffer.from(parts.body, 'utf8');
  else {
    bytes = Buffer.from(JSON.stringify(parts.body), 'utf8');
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  }
  return {
    method: parts.method.toUpperCase(),
    url: new URL(parts.url, 'http://localhost').toString(),
    headers,
    requestId: randomUUID(),
    readBody: async (maxBytes) => {
      if (bytes.byteLength > maxBytes) throw payloadTooLarge(maxBytes);
      return bytes;
    },
  };
}

/** A response with its body decoded (JSON when the content-type says so). */
export interface InProcessResponse {
  status: number;
  headers: Record<string, string>;
  json: any;
  text: string;
}

/** Sends `parts` through `handler` and decodes the answer. */
export async function callInProcess(handler: HttpHandler, parts: RequestParts): Promise<InProcessResponse> {
  const res = await handler(incomingFromParts(parts));
  const text = res.body ? Buffer.from(res.body).toString('utf8') : '';
  const isJson = /json/.test(res.headers['content-type'] ?? '');
  return { status: res.status, headers: res.headers, json: isJson && text ? JSON.parse(text) : undefined, text };
}
