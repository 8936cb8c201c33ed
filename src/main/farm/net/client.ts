/**
 * Signed requests to other nodes: JSON calls, verified downloads and streamed uploads. Every
 * failure is a FarmHttpError (see errors.ts) so callers decide by `kind`, not by parsing messages.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Agent } from 'node:http';
import type { ZodType } from 'zod';
import { BodyMismatchError, BodyTooLargeError, FarmHttpError } from './errors.ts';
import { asTransportError, type Exchange, errorForStatus, exchange, readResponse } from './http-transport.ts';
import type { FarmKey } from './key.ts';
import { isSha256 } from './patterns.ts';
import { type ReceivedFile, receiveToFile } from './receive-file.ts';
import { signRequest } from './signing.ts';

export interface FarmClientOptions {
  key: FarmKey;
  nodeId: string;
  /** Milliseconds since the epoch, stamped on every request. */
  clock?: () => number;
  /** JSON calls: the whole exchange. Transfers: the longest silence allowed on the connection. */
  timeoutMs?: number;
  maxResponseJsonBytes?: number;
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
    baseUrl: string,
    method: string,
    path: string,
    body?: unknown,
    schema?: ZodType<T>,
  ): Promise<T>;
  download(baseUrl: string, path: string, destPath: string, options: DownloadOptions): Promise<ReceivedFile>;
  upload<T = unknown>(baseUrl: string, path: string, filePath: string, options: UploadOptions<T>): Promise<T>;
  /** Closes kept-alive connections. */
  close(): void;
}

export function createFarmClient(options: FarmClientOptions): FarmClient {
  const clock = options.clock ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxJson = options.maxResponseJsonBytes ?? 8 * 1024 * 1024;
  // Heartbeats hit every peer each second: reuse connections. Node honours the server's
  // Keep-Alive timeout hint, so a socket is not reused just as the server closes it.
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const sign = (method: string, path: string, body: Buffer | null, bodySha256?: string) =>
    signRequest(options.key, {
      method,
      pathWithQuery: path,
      body,
      ...(bodySha256 ? { bodySha256 } : {}),
      nodeId: options.nodeId,
      now: clock(),
    });

  async function finishJson<T>(ex: Exchange, what: string, schema?: ZodType<T>): Promise<T> {
    try {
      const status = ex.response.statusCode ?? 0;
      const raw = await readResponse(ex.response, maxJson).catch((error: unknown) => {
        throw ex.timedOut()
          ? new FarmHttpError('timeout', `${what} timed out`)
          : asTransportError(error, what, '');
      });
      if (status < 200 || status >= 300) throw errorForStatus(status, raw, what);
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
    async json<T>(baseUrl: string, method: string, path: string, body?: unknown, schema?: ZodType<T>) {
      const verb = method.toUpperCase();
      const bytes = body === undefined ? null : Buffer.from(JSON.stringify(body), 'utf8');
      const headers: Record<string, string> = { ...sign(verb, path, bytes), accept: 'application/json' };
      if (bytes) headers['content-type'] = 'application/json';
      const ex = await exchange({
        baseUrl,
        method: verb,
        path,
        headers,
        body: bytes,
        agent,
        idleTimeoutMs: timeoutMs,
        deadlineMs: timeoutMs,
      });
      return finishJson(ex, `${verb} ${path}`, schema);
    },

    async download(baseUrl, path, destPath, { expectSha256, maxBytes }) {
      if (!isSha256(expectSha256)) throw new Error('expectSha256 must be 64 lower-case hex digits');
      const what = `GET ${path}`;
      const ex = await exchange({
        baseUrl,
        method: 'GET',
        path,
        headers: sign('GET', path, null),
        body: null,
        agent,
        idleTimeoutMs: timeoutMs,
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

    async upload<T>(baseUrl: string, path: string, filePath: string, upload: UploadOptions<T>) {
      if (!isSha256(upload.sha256)) throw new Error('sha256 must be 64 lower-case hex digits');
      const { size } = await stat(filePath);
      const method = upload.method ?? 'PUT';
      const headers: Record<string, string> = {
        ...upload.headers,
        ...sign(method, path, null, upload.sha256),
        'content-type': 'application/octet-stream',
        'content-length': String(size),
        accept: 'application/json',
      };
      const ex = await exchange({
        baseUrl,
        method,
        path,
        headers,
        body: createReadStream(filePath, { highWaterMark: 1 << 20 }),
        agent,
        idleTimeoutMs: timeoutMs,
        expectContinue: true,
      });
      return finishJson(ex, `${method} ${path}`, upload.schema);
    },

    close() {
      agent.destroy();
    },
  };
}
