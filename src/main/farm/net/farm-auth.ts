/**
 * The farm's signatures on Fastify's request lifecycle (signing.ts says what is signed):
 * - onRequest: what the headers alone can refuse (unsigned, stale, for another node, not admitted) is
 *   refused before a byte of the body is read — or, for an upload that asked `Expect: 100-continue`,
 *   before it is even sent;
 * - preValidation: the signature itself, over the body's sha256 (of the bytes received, or the one an
 *   upload declares and signs; the upload's handler checks its bytes against it as they stream);
 * - onSend: the reply to an authenticated farm request is signed for that request.
 * (Every route declares `config.auth`; src/main/http/server.ts refuses one that does not.)
 */
import type { FastifyRequest } from 'fastify';
import { errorBody, type FarmApp, Refusal } from '../../http/index.ts';
import { sha256Hex } from '../../util/hash.ts';
import type { NodeIdentity } from './identity.ts';
import type { NonceCache } from './nonce-cache.ts';
import { isSha256 } from './patterns.ts';
import {
  type AuthFailureReason,
  EMPTY_BODY_SHA256,
  FARM_HEADER,
  precheckRequest,
  requestBinding,
  signReply,
  type Verifier,
  verifyRequest,
} from './signing.ts';

export interface FarmAuthDeps {
  verifier: Verifier;
  identity: NodeIdentity;
  clock: () => number;
  maxSkewMs: number;
  nonces: NonceCache;
}

export function unauthorized(reason: AuthFailureReason): Refusal {
  // A clock off by more than the skew refused every hello of that node, and no log said "clock".
  const message =
    reason === 'stale'
      ? "request not authenticated: its time is too far from this node's clock (are both clocks set right?), or it was sent again"
      : 'request not authenticated';
  return new Refusal(401, errorBody('unauthorized', message, { reason }));
}

export function installFarmAuth(app: FarmApp, deps: FarmAuthDeps): void {
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.auth !== 'farm') return;
    const early = precheckRequest(deps.verifier, request.headers, {
      now: deps.clock(),
      maxSkewMs: deps.maxSkewMs,
    });
    if (early) throw unauthorized(early);
  });

  app.addHook('preValidation', async (request) => {
    if (request.routeOptions.config.auth !== 'farm') return;
    const result = verifyRequest(
      deps.verifier,
      {
        headers: request.headers,
        method: request.method,
        pathWithQuery: request.url,
        bodySha256: signedBodyHash(request),
      },
      { now: deps.clock(), maxSkewMs: deps.maxSkewMs, nonces: deps.nonces },
    );
    if (!result.ok) throw unauthorized(result.reason);
    request.caller = result.nodeId;
  });

  app.addHook('onSend', async (request, reply, payload) => {
    if (request.caller === null || request.routeOptions.config.auth !== 'farm') return payload;
    if (payload != null && typeof payload !== 'string' && !Buffer.isBuffer(payload)) {
      return payload; // a file: its bytes are checked by their sha256 (the blob's name), not signed
    }
    const binding = requestBinding(request.headers);
    if (!binding) return payload;
    const body = payload ?? '';
    const contentType = String(reply.getHeader('content-type') ?? '');
    reply.headers(
      signReply(deps.identity, {
        status: reply.statusCode,
        contentType,
        bodySha256: sha256Hex(body),
        requestNonce: binding.nonce,
        requester: binding.from,
      }),
    );
    return payload;
  });
}

/** The body hash the signature must cover: of the JSON received, none, or what an upload declared. */
function signedBodyHash(request: FastifyRequest): string {
  if (!request.routeOptions.config.upload) return request.bodySha256 ?? EMPTY_BODY_SHA256;
  const declared = request.headers[FARM_HEADER.bodySha256];
  if (declared === undefined) throw unauthorized('missing');
  if (!isSha256(declared)) {
    throw new Refusal(400, errorBody('invalid-header', `${FARM_HEADER.bodySha256} must be a sha256`));
  }
  return declared;
}
