// Subscription-key check: every configured key is compared in constant time, so timing reveals nothing.
import { createHash, timingSafeEqual } from 'node:crypto';
import { DomainError } from '../errors.js';

/** The header Azure AI Language clients send their key in. */
export const API_KEY_HEADER = 'ocp-apim-subscription-key';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** True when `presented` equals one of `keys`. Digests make lengths equal; every key is compared, no early exit. */
export function isValidApiKey(presented: string | null | undefined, keys: readonly string[]): boolean {
  if (!presented) return false;
  const p = digest(presented);
  let ok = false;
  for (const k of keys) ok = timingSafeEqual(p, digest(k)) || ok;
  return ok;
}

/** Throws 401 (Azure shape on /language routes) unless the request carries an accepted key. */
export function requireApiKey(headers: Headers, keys: readonly string[]): void {
  const presented = headers.get(API_KEY_HEADER);
  if (isValidApiKey(presented, keys)) return;
  throw new DomainError(
    'UNAUTHORIZED',
    presented
      ? 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.'
      : 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.',
    { innerCode: presented ? 'InvalidSubscriptionKey' : 'MissingSubscriptionKey' },
  );
}
