/**
 * Matches a raw (still percent-encoded) request path against the routes. Params are matched
 * undecoded, so an encoded slash or dot-dot (`..%2F..`) can never pass a validator, and every
 * value must also pass a hard floor (no '%', not '.' or '..') whatever validator a route chose.
 */
import { ID_PATTERN, SHA256_PATTERN } from './patterns.ts';
import type { Route } from './routes.ts';

type Segment = { literal: string } | { param: string; pattern: RegExp };

export interface CompiledRoute {
  route: Route;
  segments: Segment[];
}

export type RouteMatch =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'not-found' }
  | { kind: 'bad-param'; param: string }
  | { kind: 'bad-method'; allow: string[] };

const PARAM_NAME = /^[A-Za-z][A-Za-z0-9]*$/;
const LITERAL = /^[A-Za-z0-9._~-]+$/;
const SAFE_VALUE = /^[A-Za-z0-9._~-]+$/;

export function compileRoute(route: Route): CompiledRoute {
  if (!route.pattern.startsWith('/')) throw new Error(`route pattern must start with '/': ${route.pattern}`);
  const seen = new Set<string>();
  // The site root ('/', the UI's page) is the one pattern whose only segment is empty.
  if (route.pattern === '/') return { route, segments: [{ literal: '' }] };
  const segments = route.pattern
    .slice(1)
    .split('/')
    .map((part): Segment => {
      if (!part.startsWith(':')) {
        if (!LITERAL.test(part)) throw new Error(`bad literal segment '${part}' in ${route.pattern}`);
        return { literal: part };
      }
      const name = part.slice(1);
      if (!PARAM_NAME.test(name) || seen.has(name))
        throw new Error(`bad param '${name}' in ${route.pattern}`);
      seen.add(name);
      const pattern = route.params?.[name] ?? (name === 'sha256' ? SHA256_PATTERN : ID_PATTERN);
      return { param: name, pattern };
    });
  for (const name of Object.keys(route.params ?? {})) {
    if (!seen.has(name)) throw new Error(`validator for unknown param '${name}' in ${route.pattern}`);
  }
  return { route, segments };
}

function isSafeValue(value: string): boolean {
  return SAFE_VALUE.test(value) && value !== '.' && value !== '..';
}

/** Tries one route's shape; returns its params, the first invalid param's name, or null (no match). */
function matchShape(compiled: CompiledRoute, parts: string[]): Record<string, string> | string | null {
  if (parts.length !== compiled.segments.length) return null;
  const params: Record<string, string> = {};
  let badParam: string | null = null;
  for (const [index, segment] of compiled.segments.entries()) {
    const part = parts[index] ?? '';
    if ('literal' in segment) {
      if (part !== segment.literal) return null;
    } else if (isSafeValue(part) && segment.pattern.test(part)) {
      params[segment.param] = part;
    } else {
      badParam ??= segment.param;
    }
  }
  return badParam ?? params;
}

/** 404 when no route has this shape, 400 when only params are wrong, 405 when only the method is. */
export function matchRoute(routes: CompiledRoute[], method: string, pathname: string): RouteMatch {
  if (!pathname.startsWith('/')) return { kind: 'not-found' };
  const parts = pathname.slice(1).split('/');
  let badParam: string | null = null;
  const allow = new Set<string>();
  for (const compiled of routes) {
    const result = matchShape(compiled, parts);
    if (result === null) continue;
    if (typeof result === 'string') {
      badParam ??= result;
      continue;
    }
    if (compiled.route.method === method) return { kind: 'found', route: compiled.route, params: result };
    allow.add(compiled.route.method);
  }
  if (allow.size > 0) return { kind: 'bad-method', allow: [...allow] };
  if (badParam !== null) return { kind: 'bad-param', param: badParam };
  return { kind: 'not-found' };
}
