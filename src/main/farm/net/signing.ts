/**
 * Signed farm messages (docs/FARM.md, Security). A request carries its sender's identity (id, public
 * key, admission), the id of the node it is meant for, a timestamp, a random nonce, and an Ed25519
 * signature over all of them plus method, path+query, content type and the body's sha256. So a peer
 * without the farm key cannot forge anything, no one can speak as another node, and a captured request
 * is refused by every other node (wrong receiver) and by its own receiver (nonce already seen).
 * Replies that a client acts on are signed the same way, bound to the request's nonce.
 *
 * Hand-written on purpose: this is the farm protocol's own decision (what is bound to what), built
 * from audited primitives (node:crypto's Ed25519 and HMAC); no library defines these messages.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { BODY_SHA256_HEADER } from '../../http/uploads.ts';
import { sha256Hex } from '../../util/hash.ts';
import { ADMISSION_PATTERN, type NodeIdentity, PUBLIC_KEY_PATTERN } from './identity.ts';
import type { NonceCache } from './nonce-cache.ts';
import { isFarmId, isSha256 } from './patterns.ts';
import type { Credentials, FarmTrust } from './trust.ts';

export const FARM_HEADER = {
  node: 'x-vfo-node',
  publicKey: 'x-vfo-key',
  admission: 'x-vfo-admission',
  /** The receiver's node id: a request is only valid at the node it was signed for. */
  to: 'x-vfo-to',
  time: 'x-vfo-time',
  nonce: 'x-vfo-nonce',
  signature: 'x-vfo-signature',
  /** Streamed bodies: the sender declares (and signs) the hash; the receiver checks it at the end. */
  bodySha256: BODY_SHA256_HEADER,
} as const;

export const EMPTY_BODY_SHA256 = sha256Hex('');
export const DEFAULT_MAX_SKEW_MS = 30_000;

const NONCE_PATTERN = /^[0-9a-f]{32}$/;
const SIGNATURE_PATTERN = /^[A-Za-z0-9_-]{86}$/;
const TIME_PATTERN = /^\d{1,16}$/;

export type AuthFailureReason =
  | 'missing'
  | 'stale'
  | 'replayed'
  /** Stamped before the receiver started: it cannot know whether its previous run saw it. */
  | 'before-start'
  | 'bad-signature'
  | 'not-admitted'
  | 'wrong-receiver';

export type SignedHeaders = Record<string, string>;

export interface SignRequestInput {
  method: string;
  /** Exactly the request target sent on the wire, e.g. `/farm/v1/results/abc?lease=L1`. */
  pathWithQuery: string;
  /** The content-type header as sent ('' for none). */
  contentType?: string;
  /** The receiving node's id. */
  to: string;
  /** The body as sent; null/undefined for no body. Ignored when bodySha256 is given. */
  body?: Uint8Array | string | null;
  /** For streamed bodies: their sha256, precomputed; also sent as x-vfo-body-sha256. */
  bodySha256?: string;
  /** Milliseconds since the epoch, from the caller's clock. */
  now: number;
}

interface Envelope {
  credentials: Credentials;
  to: string;
  time: string;
  nonce: string;
  signature: string;
}

/** The string a request signature covers, one field a line (no field can hold a newline). */
export function canonicalRequest(
  fields: { method: string; pathWithQuery: string; contentType: string; bodySha256: string },
  envelope: Omit<Envelope, 'signature' | 'credentials'> & { from: string },
): string {
  return [
    'vfo-request-v2',
    fields.method.toUpperCase(),
    fields.pathWithQuery,
    fields.contentType,
    envelope.from,
    envelope.to,
    envelope.time,
    envelope.nonce,
    fields.bodySha256,
  ].join('\n');
}

function credentialHeaders(identity: NodeIdentity): SignedHeaders {
  return {
    [FARM_HEADER.node]: identity.id,
    [FARM_HEADER.publicKey]: identity.publicKey,
    [FARM_HEADER.admission]: identity.admission,
  };
}

export function signRequest(identity: NodeIdentity, input: SignRequestInput): SignedHeaders {
  if (!isFarmId(input.to)) throw new Error('to must be a node id');
  if (input.bodySha256 !== undefined && !isSha256(input.bodySha256)) {
    throw new Error('bodySha256 must be 64 lower-case hex digits');
  }
  const bodySha256 = input.bodySha256 ?? (input.body == null ? EMPTY_BODY_SHA256 : sha256Hex(input.body));
  const time = String(Math.floor(input.now));
  const nonce = randomBytes(16).toString('hex');
  const canonical = canonicalRequest(
    {
      method: input.method,
      pathWithQuery: input.pathWithQuery,
      contentType: input.contentType ?? '',
      bodySha256,
    },
    { from: identity.id, to: input.to, time, nonce },
  );
  const headers: SignedHeaders = {
    ...credentialHeaders(identity),
    [FARM_HEADER.to]: input.to,
    [FARM_HEADER.time]: time,
    [FARM_HEADER.nonce]: nonce,
    [FARM_HEADER.signature]: identity.sign(canonical),
  };
  if (input.bodySha256 !== undefined) headers[FARM_HEADER.bodySha256] = bodySha256;
  return headers;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value : undefined;
}

function credentialsOf(headers: IncomingHttpHeaders): Credentials | null {
  const id = header(headers, FARM_HEADER.node);
  const publicKey = header(headers, FARM_HEADER.publicKey);
  const admission = header(headers, FARM_HEADER.admission);
  if (!isFarmId(id) || !publicKey || !PUBLIC_KEY_PATTERN.test(publicKey)) return null;
  if (!admission || !ADMISSION_PATTERN.test(admission)) return null;
  return { id, publicKey, admission };
}

/** The signature headers if all are present and well-formed, else null. */
function envelopeOf(headers: IncomingHttpHeaders): Envelope | null {
  const credentials = credentialsOf(headers);
  const to = header(headers, FARM_HEADER.to);
  const time = header(headers, FARM_HEADER.time);
  const nonce = header(headers, FARM_HEADER.nonce);
  const signature = header(headers, FARM_HEADER.signature);
  if (!credentials || !isFarmId(to) || !time || !TIME_PATTERN.test(time)) return null;
  if (!nonce || !NONCE_PATTERN.test(nonce) || !signature || !SIGNATURE_PATTERN.test(signature)) return null;
  return { credentials, to, time, nonce, signature };
}

export interface VerifyOptions {
  now: number;
  maxSkewMs?: number;
  nonces: NonceCache;
}

export interface Verifier {
  trust: FarmTrust;
  /** This node's id: requests signed for any other node are refused. */
  selfId: string;
}

/**
 * The checks that need no body: lets a server refuse an unsigned, stale, misaddressed or unadmitted
 * request before reading (and hashing) its body. Null when the request may go on to verifyRequest.
 */
export function precheckRequest(
  verifier: Verifier,
  headers: IncomingHttpHeaders,
  options: { now: number; maxSkewMs?: number },
): AuthFailureReason | null {
  const envelope = envelopeOf(headers);
  if (!envelope) return 'missing';
  const maxSkewMs = options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS;
  if (Math.abs(options.now - Number(envelope.time)) > maxSkewMs) return 'stale';
  if (envelope.to !== verifier.selfId) return 'wrong-receiver';
  if (!verifier.trust.publicKeyOf(envelope.credentials)) return 'not-admitted';
  return null;
}

export type VerifyResult = { ok: true; nodeId: string } | { ok: false; reason: AuthFailureReason };

/**
 * Checks a request's signature. The nonce is only recorded once the signature is valid, so
 * unauthenticated traffic cannot fill the cache.
 */
export function verifyRequest(
  verifier: Verifier,
  request: { headers: IncomingHttpHeaders; method: string; pathWithQuery: string; bodySha256: string },
  options: VerifyOptions,
): VerifyResult {
  const early = precheckRequest(verifier, request.headers, options);
  const envelope = envelopeOf(request.headers);
  if (early || !envelope) return { ok: false, reason: early ?? 'missing' };
  const canonical = canonicalRequest(
    {
      method: request.method,
      pathWithQuery: request.pathWithQuery,
      contentType: header(request.headers, 'content-type') ?? '',
      bodySha256: request.bodySha256,
    },
    { from: envelope.credentials.id, to: envelope.to, time: envelope.time, nonce: envelope.nonce },
  );
  if (!verifier.trust.verifies(envelope.credentials, canonical, envelope.signature)) {
    return { ok: false, reason: 'bad-signature' };
  }
  const maxSkewMs = options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS;
  const seen = options.nonces.checkAndRemember(envelope.nonce, Number(envelope.time), options.now, maxSkewMs);
  if (seen !== 'ok') return { ok: false, reason: seen };
  return { ok: true, nodeId: envelope.credentials.id };
}

/** The nonce and sender of a request, to bind its reply to (null when the request was not signed). */
export function requestBinding(headers: IncomingHttpHeaders): { nonce: string; from: string } | null {
  const envelope = envelopeOf(headers);
  return envelope ? { nonce: envelope.nonce, from: envelope.credentials.id } : null;
}

export interface ReplyFields {
  status: number;
  contentType: string;
  bodySha256: string;
  /** The nonce of the request this answers: a reply cannot be passed off as the answer to another. */
  requestNonce: string;
  /** Who asked. */
  requester: string;
}

function canonicalReply(fields: ReplyFields, responder: string): string {
  return [
    'vfo-reply-v2',
    String(fields.status),
    fields.contentType,
    responder,
    fields.requester,
    fields.requestNonce,
    fields.bodySha256,
  ].join('\n');
}

export function signReply(identity: NodeIdentity, fields: ReplyFields): SignedHeaders {
  return {
    ...credentialHeaders(identity),
    [FARM_HEADER.signature]: identity.sign(canonicalReply(fields, identity.id)),
  };
}

/**
 * Whether a reply comes from the admitted node `expected` and answers exactly this request. A reply
 * from anyone else (a host that only appeared in discovery, an old captured answer) is not believed.
 */
export function verifyReply(
  trust: FarmTrust,
  expected: string,
  headers: IncomingHttpHeaders,
  fields: ReplyFields,
): boolean {
  const credentials = credentialsOf(headers);
  const signature = header(headers, FARM_HEADER.signature);
  if (!credentials || credentials.id !== expected || !signature || !SIGNATURE_PATTERN.test(signature)) {
    return false;
  }
  return trust.verifies(credentials, canonicalReply(fields, expected), signature);
}
