/** Applies a route's auth rule to a request. */
import type { IncomingMessage } from 'node:http';
import type { NonceCache } from './nonce-cache.ts';
import type { RouteAuth } from './routes.ts';
import { type AuthFailureReason, type Verifier, verifyRequest } from './signing.ts';

export interface AuthDeps {
  verifier: Verifier;
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
    deps.verifier,
    { headers: request.headers, method: request.method ?? '', pathWithQuery: request.url ?? '', bodySha256 },
    { now: deps.clock(), maxSkewMs: deps.maxSkewMs, nonces: deps.nonces },
  );
  return result.ok ? { ok: true, nodeId: result.nodeId } : result;
}
