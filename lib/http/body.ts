// Request body rules: size limit (413), media type (415), JSON syntax (400) — checked before any handler runs.
import { DomainError } from '../errors.js';
import type { IncomingRequest, JsonBodySpec, RawBodySpec } from './types.js';

/** Default cap on request bodies; routes raise it for uploads. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** The error every host raises when a body is over its limit. */
export const payloadTooLarge = (maxBytes: number) =>
  new DomainError('PAYLOAD_TOO_LARGE', `The request body is larger than the limit of ${maxBytes} bytes.`, {
    innerCode: 'InvalidRequestBodyFormat',
    details: { maxBytes },
  });

/** `application/JSON; charset=utf-8` → `application/json`. */
export const mediaType = (header: string | null): string | undefined =>
  header?.split(';')[0]?.trim().toLowerCase() || undefined;

const isRaw = (spec: JsonBodySpec<unknown> | RawBodySpec): spec is RawBodySpec => 'raw' in spec && spec.raw === true;

/** Reads and checks the body as `spec` says; returns parsed JSON (unvalidated), raw bytes, or undefined when empty. */
export async function readRequestBody(req: IncomingRequest, spec: JsonBodySpec<unknown> | RawBodySpec): Promise<unknown> {
  const maxBytes = spec.maxBytes ?? DEFAULT_MAX_BODY_BYTES;
  const declared = Number(req.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw payloadTooLarge(maxBytes);

  const type = mediaType(req.headers.get('content-type'));
  const accepted = isRaw(spec) ? spec.contentTypes : (spec.contentTypes ?? ['application/json']);
  const bytes = await req.readBody(maxBytes);
  if (bytes.byteLength > maxBytes) throw payloadTooLarge(maxBytes);
  if (bytes.byteLength === 0 && !type) {
    if (isRaw(spec)) return bytes;
    if (spec.optional) return undefined;
    throw new DomainError('VALIDATION_FAILED', 'The request body is required.', {
      innerCode: 'EmptyRequest',
      errors: [{ path: '(body)', message: 'is required' }],
    });
  }
  if (accepted && (!type || !accepted.includes(type)))
    throw new DomainError(
      'UNSUPPORTED_MEDIA_TYPE',
      `Content-Type '${type ?? '(none)'}' is not supported here; use ${accepted.join(' or ')}.`,
      { innerCode: 'InvalidRequestBodyFormat', target: 'Content-Type' },
    );
  if (isRaw(spec)) return bytes;
  if (bytes.byteLength === 0) {
    if (spec.optional) return undefined;
    throw new DomainError('VALIDATION_FAILED', 'The request body is required.', {
      innerCode: 'EmptyRequest',
      errors: [{ path: '(body)', message: 'is required' }],
    });
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new DomainError('VALIDATION_FAILED', 'The request body is not valid UTF-8.', {
      innerCode: 'InvalidRequestBodyFormat',
      errors: [{ path: '(body)', message: 'is not valid UTF-8' }],
    });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new DomainError('VALIDATION_FAILED', `The request body is not valid JSON: ${(e as Error).message}`, {
      innerCode: 'InvalidRequestBodyFormat',
      errors: [{ path: '(body)', message: 'is not valid JSON' }],
    });
  }
}

/** Reads a Node/web readable of chunks into bytes, failing as soon as the total passes `maxBytes`. */
export async function collectLimited(chunks: AsyncIterable<Uint8Array>, maxBytes: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  let over = false;
  for await (const chunk of chunks) {
    total += chunk.byteLength;
    // Keep draining after the limit so the client can read our 413 instead of a reset connection.
    if (total > maxBytes) over = true;
    else parts.push(chunk);
  }
  if (over) throw payloadTooLarge(maxBytes);
  return Buffer.concat(parts);
}
