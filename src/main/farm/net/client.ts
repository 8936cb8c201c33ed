/**
 * Signed requests to other nodes: JSON calls, verified downloads and streamed uploads. Each request is
 * signed for the one node it is meant for, and a successful reply is only believed when that node
 * signed it (see signing.ts). Every failure is a FarmHttpError (see errors.ts) so callers decide by
 * `kind`, not by parsing messages.
 */
import { createReadStream } from 'node:fs';
import { type FileHandle, stat } from 'node:fs/promises';
import { Agent } from 'node:http';
import { type ZodType, z } from 'zod';
import { BodyMismatchError, BodyTooLargeError, type ReceivedFile, receiveToFile } from '../../http/index.ts';
import { sha256Hex } from '../../util/hash.ts';
import { jsonOrNull } from '../../util/json-or-null.ts';
import { FarmHttpError } from './errors.ts';
import { asTransportError, type Exchange, errorForStatus, exchange, readResponse } from './http-transport.ts';
import type { NodeIdentity } from './identity.ts';
import { isSha256 } from './patterns.ts';
import { FARM_HEADER, signRequest, verifyReply } from './signing.ts';
import type { TlsTrust } from './tls-trust.ts';
import type { FarmTrust } from './trust.ts';

/** A node to talk to: where it is, and who it must be. */

/** The slowest a blob may arrive (a peer trickling bytes holds a slot no longer than its size at this). */
export const MIN_TRANSFER_BYTES_PER_S = 256 * 1024;
export interface Peer {
  url: string;
  id: string;
}

export interface FarmClientOptions {
  /** Who this client speaks as. */
  identity: NodeIdentity;
  /** Whose replies it believes. */
  trust: FarmTrust;
  /** Milliseconds since the epoch, stamped on every request. */
  clock?: () => number;
  /** JSON calls: the whole exchange. Transfers: the longest silence allowed on the connection. */
  timeoutMs?: number;
  maxResponseJsonBytes?: number;
  /** Whose certificates it believes over https (without it, https peers are refused). */
  tls?: TlsTrust;
}

export interface DownloadOptions {
  expectSha256: string;
  maxBytes: number;
}

export interface UploadOptions<T> {
  sha256: string;
  /** PUT unless said otherwise. */
  method?: 'PUT' | 'POST';
  headers?: Record<string, string>;
  schema?: ZodType<T>;
}

export interface FarmClient {
  json<T = unknown>(
    peer: Peer,
    method: string,
    path: string,
    body?: unknown,
    schema?: ZodType<T>,
  ): Promise<T>;
  download(peer: Peer, path: string, destPath: string, options: DownloadOptions): Promise<ReceivedFile>;
  /** `file`: a path, or a file already open (read from its start; the caller closes it). */
  upload<T = unknown>(
    peer: Peer,
    path: string,
    file: string | FileHandle,
    options: UploadOptions<T>,
  ): Promise<T>;
  /**
   * Who answers at `url` (GET /farm/v1/identity), for a client that only has a URL: believed only if
   * the farm key admitted that identity. Requests are then signed for that node alone.
   */
  identify(url: string): Promise<Peer>;
  /** Closes kept-alive connections. */
  close(): void;
}

const JSON_TYPE = 'application/json';

const identityCardSchema = z.object({
  id: z.string().max(64),
  publicKey: z.string().max(64),
  admission: z.string().max(64),
});

export function createFarmClient(options: FarmClientOptions): FarmClient {
  const clock = options.clock ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxJson = options.maxResponseJsonBytes ?? 8 * 1024 * 1024;
  // Heartbeats hit every peer each second: reuse connections. Node honours the server's
  // Keep-Alive timeout hint, so a socket is not reused just as the server closes it. A few sockets a
  // peer are plenty, and stay well under a server's per-client connection cap.
  const plainAgent = new Agent({ keepAlive: true, maxSockets: 8 });
  // An https peer is reached only through an agent that checks its certificate (tls-trust.ts).
  const agentFor = (url: string, id?: string): Agent => {
    if (!url.startsWith('https:')) return plainAgent;
    if (!options.tls) {
      throw new FarmHttpError(
        'unauthenticated',
        `${new URL(url).origin} speaks https: pin its certificate (--tls-pin) or give its CA (--tls-ca)`,
      );
    }
    return options.tls.agentFor(url, id);
  };
  const sign = (
    peer: Peer,
    request: { method: string; path: string; contentType?: string; body: Buffer | null; bodySha256?: string },
  ) =>
    signRequest(options.identity, {
      method: request.method,
      pathWithQuery: request.path,
      to: peer.id,
      body: request.body,
      ...(request.contentType ? { contentType: request.contentType } : {}),
      ...(request.bodySha256 ? { bodySha256: request.bodySha256 } : {}),
      now: clock(),
    });

  /** A 2xx reply must be signed by the node addressed, for this very request; errors change nothing. */
  function checkReply(ex: Exchange, peer: Peer, nonce: string, raw: Buffer, what: string): void {
    const status = ex.response.statusCode ?? 0;
    if (status < 200 || status >= 300) return;
    const authentic = verifyReply(options.trust, peer.id, ex.response.headers, {
      status,
      contentType: ex.response.headers['content-type'] ?? '',
      bodySha256: sha256Hex(raw),
      requestNonce: nonce,
      requester: options.identity.id,
    });
    if (!authentic) {
      throw new FarmHttpError('unauthenticated', `${what} → the reply is not signed by node ${peer.id}`, {
        status,
      });
    }
  }

  async function finishJson<T>(
    ex: Exchange,
    peer: Peer,
    nonce: string,
    what: string,
    schema?: ZodType<T>,
  ): Promise<T> {
    try {
      const status = ex.response.statusCode ?? 0;
      const raw = await readResponse(ex.response, maxJson).catch((error: unknown) => {
        throw ex.timedOut()
          ? new FarmHttpError('timeout', `${what} timed out`)
          : asTransportError(error, what, '');
      });
      if (status < 200 || status >= 300) throw errorForStatus(status, raw, what);
      checkReply(ex, peer, nonce, raw, what);
      let value: unknown;
      try {
        value = raw.length === 0 ? undefined : JSON.parse(raw.toString('utf8'));
      } catch {
        throw new FarmHttpError('bad-response', `${what} → reply is not JSON`, { status });
      }
      if (!schema) return value as T;
      const parsed = schema.safeParse(value);
      if (!parsed.success) {
        const first = parsed.error.issues[0];
        const where = first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'invalid';
        throw new FarmHttpError('bad-response', `${what} → unexpected reply (${where})`, { status });
      }
      return parsed.data;
    } finally {
      ex.done();
    }
  }

  return {
    async json<T>(peer: Peer, method: string, path: string, body?: unknown, schema?: ZodType<T>) {
      const verb = method.toUpperCase();
      const bytes = body === undefined ? null : Buffer.from(JSON.stringify(body), 'utf8');
      const contentType = bytes ? JSON_TYPE : '';
      const headers: Record<string, string> = {
        ...sign(peer, { method: verb, path, contentType, body: bytes }),
        accept: 'application/json',
      };
      if (bytes) headers['content-type'] = contentType;
      const ex = await exchange({
        baseUrl: peer.url,
        method: verb,
        path,
        headers,
        body: bytes,
        agent: agentFor(peer.url, peer.id),
        idleTimeoutMs: timeoutMs,
        deadlineMs: timeoutMs,
      });
      return finishJson(ex, peer, headers[FARM_HEADER.nonce] as string, `${verb} ${path}`, schema);
    },

    async download(peer, path, destPath, { expectSha256, maxBytes }) {
      if (!isSha256(expectSha256)) throw new Error('expectSha256 must be 64 lower-case hex digits');
      const what = `GET ${path}`;
      const ex = await exchange({
        baseUrl: peer.url,
        method: 'GET',
        path,
        // The bytes are believed for their sha256, whoever serves them; the request is still signed.
        headers: sign(peer, { method: 'GET', path, body: null }),
        body: null,
        agent: agentFor(peer.url, peer.id),
        idleTimeoutMs: timeoutMs,
        // However slowly it trickles, a blob arrives at no less than this rate or is given up.
        replyDeadlineMs: timeoutMs + (maxBytes / MIN_TRANSFER_BYTES_PER_S) * 1000,
      });
      try {
        const status = ex.response.statusCode ?? 0;
        if (status !== 200) throw errorForStatus(status, await readResponse(ex.response, maxJson), what);
        const length = Number(ex.response.headers['content-length']);
        if (Number.isFinite(length) && length > maxBytes) {
          ex.response.destroy();
          throw new FarmHttpError(
            'bad-response',
            `${what} → ${length} bytes, more than the ${maxBytes} allowed`,
          );
        }
        return await receiveToFile(ex.response, destPath, { maxBytes, expectSha256 });
      } catch (error) {
        if (error instanceof FarmHttpError) throw error;
        if (error instanceof BodyMismatchError || error instanceof BodyTooLargeError) {
          throw new FarmHttpError('bad-response', `${what} → ${error.message}`, { cause: error });
        }
        if (ex.timedOut()) throw new FarmHttpError('timeout', `${what} timed out`);
        throw asTransportError(error, 'GET', path);
      } finally {
        ex.done();
      }
    },

    async upload<T>(peer: Peer, path: string, file: string | FileHandle, upload: UploadOptions<T>) {
      if (!isSha256(upload.sha256)) throw new Error('sha256 must be 64 lower-case hex digits');
      const { size } = typeof file === 'string' ? await stat(file) : await file.stat();
      const method = upload.method ?? 'PUT';
      const contentType = 'application/octet-stream';
      const headers: Record<string, string> = {
        ...upload.headers,
        ...sign(peer, { method, path, contentType, body: null, bodySha256: upload.sha256 }),
        'content-type': contentType,
        'content-length': String(size),
        accept: 'application/json',
      };
      const ex = await exchange({
        baseUrl: peer.url,
        method,
        path,
        headers,
        body:
          typeof file === 'string'
            ? createReadStream(file, { highWaterMark: 1 << 20 })
            : file.createReadStream({ start: 0, autoClose: false, highWaterMark: 1 << 20 }),
        agent: agentFor(peer.url, peer.id),
        idleTimeoutMs: timeoutMs,
        // The reply to an upload is a small JSON answer once the bytes are in.
        replyDeadlineMs: timeoutMs,
        expectContinue: true,
      });
      return finishJson(ex, peer, headers[FARM_HEADER.nonce] as string, `${method} ${path}`, upload.schema);
    },

    async identify(url) {
      const path = '/farm/v1/identity';
      const what = `GET ${path}`;
      const ex = await exchange({
        baseUrl: url,
        method: 'GET',
        path,
        headers: { accept: 'application/json' },
        body: null,
        agent: agentFor(url),
        idleTimeoutMs: timeoutMs,
        deadlineMs: timeoutMs,
      });
      try {
        const status = ex.response.statusCode ?? 0;
        const raw = await readResponse(ex.response, 4096);
        if (status !== 200) throw errorForStatus(status, raw, what);
        const card = identityCardSchema.safeParse(jsonOrNull(raw.toString('utf8')));
        if (!card.success || !options.trust.publicKeyOf(card.data)) {
          throw new FarmHttpError(
            'unauthenticated',
            `${url} is not a node of this farm (its identity is not admitted)`,
          );
        }
        return { url, id: card.data.id };
      } finally {
        ex.done();
      }
    },

    close() {
      plainAgent.destroy();
      options.tls?.close();
    },
  };
}
