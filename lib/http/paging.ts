// Azure list paging: `top` (total wanted), `skip` (offset), `maxpagesize` (per page) and an absolute `nextLink`.
import { z } from 'zod';
import type { RouteRequest } from './types.js';

/** Largest page we hand out when the client does not ask for less. */
export const DEFAULT_PAGE_SIZE = 50;

/** Query schema for paged list routes; extend it with route-specific filters. */
export const PagingQuery = z.object({
  top: z.coerce.number().int().min(1).optional(),
  skip: z.coerce.number().int().min(0).default(0),
  maxpagesize: z.coerce.number().int().min(1).max(1000).optional(),
});
export type PagingQuery = z.infer<typeof PagingQuery>;

/** One page of `items` and, when more remain, the absolute URL of the next one (other query params kept). */
export function paginate<T>(
  req: RouteRequest<unknown, unknown, unknown>,
  items: readonly T[],
  q: PagingQuery,
): { value: T[]; nextLink?: string } {
  const pageSize = Math.min(q.maxpagesize ?? DEFAULT_PAGE_SIZE, q.top ?? Number.POSITIVE_INFINITY);
  const value = items.slice(q.skip, q.skip + pageSize);
  const remainingWanted = q.top === undefined ? Number.POSITIVE_INFINITY : q.top - value.length;
  const next = q.skip + value.length;
  if (value.length === 0 || next >= items.length || remainingWanted <= 0) return { value };
  const u = new URL(req.url.toString());
  u.searchParams.set('skip', String(next));
  if (q.top !== undefined) u.searchParams.set('top', String(remainingWanted));
  return { value, nextLink: u.toString() };
}
