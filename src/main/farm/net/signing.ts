/**
 * Request signatures (docs/FARM.md, Security): every farm request carries its sender, a timestamp,
 * a random nonce and an HMAC over method, path+query, time, nonce and the body's sha256, so a peer
 * without the farm key can neither forge nor alter a request, and a captured one cannot be replayed.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { sha256Hex } from '../../util/hash.ts';
import { type FarmKey, farmHmac } from './key.ts';
import type { NonceCache } from './nonce-cache.ts';
import { isFarmId, isSha256 } from './patterns.ts';

export const FARM_HEADER = {
  node: 'x-vfo-node',
  time: 'x-vfo-time',
  nonce: 'x-vfo-nonce',
  signature: 'x-vfo-signature',
  /** Streamed bodies: the sender declares (and signs) the hash; the receiver checks it at the end. */
  bodySha256: 'x-vfo-body-sha256',
} as const;

export const EMPTY_BODY_SHA256 = sha256Hex('');
export const DEFAULT_MAX_SKEW_MS = 30_000;

const NONCE_PATTERN = /^[0-9a-f]{32}$/;
const SIGNATURE_PATTERN = /^[0-9a-f]{64}$/;
const TIME_PATTERN = /^\d{1,16}$/;

export interface SignRequestInput {
  method: string;
  /** Exactly the request target sent on the wire, e.g. `/farm/v1/results/abc?lease=L1`. */
  pathWithQuery: string;
  /** The body as sent; null/undefined for no body. Ignored when bodySha256 is given. */
  body?: Uint8Array | string | null;
  /** For streamed bodies: their sha256, precomputed; also sent as x-vfo-body-sha256. */
  bodySha256?: string;
  nodeId: string;
  /** Milliseconds since the epoch, from the caller's clock. */
  now: number;
}

export type SignedHeaders = Record<string, string>;

/** The string the HMAC covers, one field a line, as FARM.md specifies. */
export function canonicalRequest(
  method: string,
  pathWithQuery: string,
  time: string,
  nonce: string,
  bodySha256: string,
): string {
  return `${method.toUpperCase()}\n${pathWithQuery}\n${time}\n${nonce}\n${bodySha256}`;
}

export function signRequest(key: FarmKey, input: SignRequestInput): SignedHeaders {
  if (!isFarmId(input.nodeId)) throw new Error('nodeId must match [A-Za-z0-9_-]{1,64}');
  if (input.bodySha256 !== undefined && !isSha256(input.bodySha256)) {
    throw new Error('bodySha256 must be 64 lower-case hex digits');
  }
  const bodySha256 = input.bodySha256 ?? (input.body == null ? EMPTY_BODY_SHA256 : sha256Hex(input.body));
  const time = String(Math.floor(input.now));
  const nonce = randomBytes(16).toString('hex');
  const signature = farmHmac(
    key,
    canonicalRequest(input.method, input.pathWithQuery, time, nonce, bodySha256),
  );
  const headers: SignedHeaders = {
    [FARM_HEADER.node]: input.nodeId,
    [FARM_HEADER.time]: time,
    [FARM_HEADER.nonce]: nonce,
    [FARM_HEADER.signature]: signature.toString('hex'),
  };
  if (input.bodySha256 !== undefined) headers[FARM_HEADER.bodySha256] = bodySha256;
  return headers;
}

export type AuthFailureReason = 'missing' | 'stale' | 'replayed' | 'bad-signature';
export type VerifyResult = { ok: true; nodeId: string } | { ok: false; reason: AuthFailureReason };

export interface VerifyOptions {
  now: number;
  maxSkewMs?: number;
  nonces: NonceCache;
}

interface SignatureHeaders {
  nodeId: string;
  time: string;
  nonce: string;
  signature: string;
}

/** The signature headers if all are present and well-formed, else null. */
function signatureHeadersOf(headers: IncomingHttpHeaders): SignatureHeaders | null {
  const nodeId = headers[FARM_HEADER.node];
  const time = headers[FARM_HEADER.time];
  const nonce = headers[FARM_HEADER.nonce];
  const signature = headers[FARM_HEADER.signature];
  if (!isFarmId(nodeId) || typeof time !== 'string' || !TIME_PATTERN.test(time)) return null;
  if (typeof nonce !== 'string' || !NONCE_PATTERN.test(nonce)) return null;
  if (typeof signature !== 'string' || !SIGNATURE_PATTERN.test(signature)) return null;
  return { nodeId, time, nonce, signature };
}

/**
 * The checks that need no body: lets a server refuse an unsigned or stale request before reading
 * (and hashing) its body. Null when the request may go on to verifyRequest.
 */
export function precheckRequest(
  headers: IncomingHttpHeaders,
  options: { now: number; maxSkewMs?: number },
): 'missing' | 'stale' | null {
  const signed = signatureHeadersOf(headers);
  if (!signed) return 'missing';
  const maxSkewMs = options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS;
  return Math.abs(options.now - Number(signed.time)) > maxSkewMs ? 'stale' : null;
}

/**
 * Checks a request's signature headers. 'missing' covers absent and malformed headers. The nonce is
 * only recorded once the signature is valid, so unauthenticated traffic cannot fill the cache.
 */
export function verifyRequest(
  key: FarmKey,
  headers: IncomingHttpHeaders,
  method: string,
  pathWithQuery: string,
  bodySha256: string,
  options: VerifyOptions,
): VerifyResult {
  const early = precheckRequest(headers, options);
  const signed = signatureHeadersOf(headers);
  if (early || !signed) return { ok: false, reason: early ?? 'missing' };
  const { nodeId, time, nonce, signature } = signed;
  const expected = farmHmac(key, canonicalRequest(method, pathWithQuery, time, nonce, bodySha256));
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) {
    return { ok: false, reason: 'bad-signature' };
  }
  const maxSkewMs = options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS;
  const seen = options.nonces.checkAndRemember(nonce, Number(time), options.now, maxSkewMs);
  if (seen !== 'ok') return { ok: false, reason: seen };
  return { ok: true, nodeId };
}
