// Matches a method + path against the route table: literal segments (`:import`), `{name}` placeholders, 404 vs 405.
import type { HttpMethod, Route } from './types.js';

interface Compiled {
  route: Route;
  regex: RegExp;
  names: string[];
  /** More literal characters win over placeholders (`projects/global/…` before `projects/{projectName}/…`). */
  literalLength: number;
  placeholders: number;
}

/** Result of a lookup: a route with decoded params, the methods that would match (405), or nothing (404). */
export type RouteMatch =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'method-not-allowed'; allow: HttpMethod[] }
  | { kind: 'not-found' };

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function compile(route: Route): Compiled {
  const names: string[] = [];
  let literalLength = 0;
  const normalized = normalizePath(route.path);
  const source = normalized
    .split('/')
    .map((segment) =>
      segment.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}|([^{]+)/g, (_m, name: string | undefined, literal: string | undefined) => {
        if (name) {
          names.push(name);
          return '([^/]+?)';
        }
        literalLength += literal!.length;
        return escape(literal!);
      }),
    )
    .join('/');
  return { route, regex: new RegExp(`^${source}$`, 'i'), names, literalLength, placeholders: names.length };
}

/** Drops a trailing slash (except for `/`). */
export function normalizePath(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/** A compiled route table. Throws at construction on two routes with the same method and template. */
export class Router {
  private readonly compiled: Compiled[];

  constructor(routes: readonly Route[]) {
    const seen = new Set<string>();
    for (const r of routes) {
      const key = `${r.method} ${normalizePath(r.path).toLowerCase()}`;
      if (seen.has(key)) throw new Error(`Duplicate route: ${key}`);
      seen.add(key);
    }
    this.compiled = routes
      .map(compile)
      .sort((a, b) => b.literalLength - a.literalLength || a.placeholders - b.placeholders);
  }

  /** Finds the route for `method` and the raw (still percent-encoded) `path`. */
  match(method: string, path: string): RouteMatch {
    const p = normalizePath(path);
    const allow = new Set<HttpMethod>();
    for (const c of this.compiled) {
      const m = c.regex.exec(p);
      if (!m) continue;
      if (c.route.method !== method.toUpperCase()) {
        allow.add(c.route.method);
        continue;
      }
      const params: Record<string, string> = {};
      let decodable = true;
      c.names.forEach((name, i) => {
        try {
          params[name] = decodeURIComponent(m[i + 1]);
        } catch {
          decodable = false;
        }
      });
      if (!decodable) continue;
      return { kind: 'found', route: c.route, params };
    }
    if (allow.size > 0) return { kind: 'method-not-allowed', allow: [...allow].sort() };
    return { kind: 'not-found' };
  }
}
