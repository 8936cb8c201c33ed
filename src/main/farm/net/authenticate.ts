/** Applies a route's auth rule to a request, and the bearer-token rule used by the local UI. */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FarmKey } from './key.ts';
import type { NonceCache } from './nonce-cache.ts';
import type { RouteAuth } from './routes.ts';
import { type AuthFailureReason, verifyRequest } from './signing.ts';

export interface AuthDeps {
  key: FarmKey;
  clock: () => number;
  maxSkewMs: number;
  nonces: NonceCache;
}

export type AuthOutcome = { ok: true; nodeId: string | null } | { ok: false; reason: AuthFailureReason };

/** `bodySha256` is the hash the signature must cover: of the bytes received, or the declared one. */
export function authenticate(
  auth: RouteAuth,
  request: IncomingMessage,
  bodySha256: string,
  deps: AuthDeps,
): AuthOutcome {
  if (auth === 'none') return { ok: true, nodeId: null };
  if (typeof auth === 'function') {
    // A custom rule has no finer reason to give: its credentials were either absent or wrong.
    return auth(request) ? { ok: true, nodeId: null } : { ok: false, reason: 'bad-signature' };
  }
  const result = verifyRequest(
    deps.key,
    request.headers,
    request.method ?? '',
    request.url ?? '',
    bodySha256,
    {
      now: deps.clock(),
      maxSkewMs: deps.maxSkewMs,
      nonces: deps.nonces,
    },
  );
  return result.ok ? { ok: true, nodeId: result.nodeId } : result;
}

/**
 * A route auth rule accepting `authorization: Bearer <token>` (e.g. `bearerAuth(uiTokenOf(key))`).
 * It is a long-lived credential, unlike signatures: give it only to read-only or UI routes.
 */
export function bearerAuth(token: string): (request: IncomingMessage) => boolean {
  const expected = Buffer.from(token, 'utf8');
  return (request) => {
    const header = request.headers.authorization;
    if (typeof header !== 'string' || !header.startsWith('Bearer ')) return false;
    const given = Buffer.from(header.slice('Bearer '.length).trim(), 'utf8');
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
}
