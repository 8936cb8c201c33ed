/**
 * One HTTP exchange with a peer over node:http, with every failure turned into a FarmHttpError
 * whose kind says what happened: unreachable, timeout, or (from the status) unauthorized,
 * rejected, server.
 */
import { type Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { printable } from '../../../shared/text.ts';
import type { ErrorBody } from '../../http/index.ts';
import { jsonOrNull } from '../../util/json-or-null.ts';
import { FarmHttpError } from './errors.ts';
import type { AuthFailureReason } from './signing.ts';

export interface ExchangeInput {
  baseUrl: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer | Readable | null;
  /** An https.Agent for https: peers (it carries their trust: tls-trust.ts). */
  agent: Agent;
  /** The connection may stay silent this long (connect, send, wait, receive). */
  idleTimeoutMs: number;
  /** Optional deadline for the whole exchange, body included. */
  deadlineMs?: number;
  /**
   * Optional deadline for the reply, from its first byte: a peer that trickles one byte every so often
   * never trips the idle timeout (a hostile node held `vfo submit` and a worker's slot that way).
   */
  replyDeadlineMs?: number;
  /** Streamed bodies: send `Expect: 100-continue` and only stream once the server agrees. */
  expectContinue?: boolean;
}

export interface Exchange {
  response: IncomingMessage;
  /** True once the idle timeout or deadline cut the exchange (explains a later stream error). */
  timedOut(): boolean;
  /** Releases the deadline timer. */
  done(): void;
}

const TARGET = /^\/[^\s#]*$/;

export function checkTarget(baseUrl: string, path: string): URL {
  const url = new URL(baseUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`farm peers speak http: or https:, not ${url.protocol}`);
  if (!TARGET.test(path)) throw new Error(`request path must start with '/' and have no spaces: ${path}`);
  return url;
}

export function exchange(input: ExchangeInput): Promise<Exchange> {
  return attempt(input, true);
}

function attempt(input: ExchangeInput, mayResend: boolean): Promise<Exchange> {
  const url = checkTarget(input.baseUrl, input.path);
  let timedOut = false;
  let deadline: NodeJS.Timeout | undefined;
  return new Promise((resolve, reject) => {
    const { body } = input;
    const streamed = body !== null && !Buffer.isBuffer(body);
    const waitForContinue = streamed && input.expectContinue === true;
    const secure = url.protocol === 'https:';
    const request = (secure ? httpsRequest : httpRequest)({
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port || (secure ? 443 : 80),
      method: input.method,
      path: input.path,
      headers: waitForContinue ? { ...input.headers, expect: '100-continue' } : input.headers,
      agent: input.agent,
    });
    const cut = (): void => {
      timedOut = true;
      request.destroy(new FarmHttpError('timeout', `${input.method} ${input.path} timed out`));
    };
    request.setTimeout(input.idleTimeoutMs, cut);
    if (input.deadlineMs !== undefined) deadline = setTimeout(cut, input.deadlineMs);
    let bodyStarted = !waitForContinue;
    const done = (): void => {
      clearTimeout(deadline);
      // Refused before the body was asked for: this request can never complete, drop its socket.
      if (!bodyStarted) request.destroy();
    };
    request.on('error', (error) => {
      done();
      // A kept-alive socket the peer closed just as this request went out on it (Node's documented
      // race): the request never reached the peer. It goes again once, on a new socket, as the very same
      // signed bytes; had the peer read it after all, the copy is refused as a replay.
      const reset = (error as NodeJS.ErrnoException).code === 'ECONNRESET';
      if (mayResend && reset && request.reusedSocket && !streamed) {
        resolve(attempt(input, false));
        return;
      }
      reject(asTransportError(error, input.method, input.path));
    });
    request.on('response', (response) => {
      if (!bodyStarted && streamed) body.destroy();
      if (input.replyDeadlineMs !== undefined) {
        clearTimeout(deadline);
        deadline = setTimeout(() => {
          timedOut = true;
          response.destroy(new FarmHttpError('timeout', `${input.method} ${input.path} timed out`));
        }, input.replyDeadlineMs);
      }
      resolve({ response, timedOut: () => timedOut, done });
    });
    const send = (): void => {
      bodyStarted = true;
      if (streamed) pipeline(body, request).catch((error: unknown) => request.destroy(error as Error));
      else request.end(body);
    };
    if (waitForContinue) request.on('continue', send);
    else send();
  });
}

export function asTransportError(error: unknown, method: string, path: string): FarmHttpError {
  if (error instanceof FarmHttpError) return error;
  const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
  return new FarmHttpError('unreachable', `${method} ${path} failed: ${code}`, { cause: error });
}

/** Reads a (small) response body; past maxBytes the peer is misbehaving. */
export async function readResponse(response: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      response.destroy();
      throw new FarmHttpError('bad-response', `response is larger than ${maxBytes} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Maps a non-2xx reply to the error its status and `{ error: { code, reason } }` body describe. */
export function errorForStatus(status: number, raw: Buffer, what: string): FarmHttpError {
  // Not our JSON error shape: the status alone has to do.
  const body = jsonOrNull(raw.toString('utf8')) as Partial<ErrorBody> | null;
  const detail: Partial<ErrorBody['error']> = body?.error ?? {};
  const code = typeof detail.code === 'string' ? detail.code : undefined;
  // The server's own words help whoever reads the error (e.g. why a 403); bounded, one line.
  const said =
    typeof detail.message === 'string'
      ? `: ${printable(detail.message.replace(/\s+/g, ' ').slice(0, 300))}`
      : '';
  const message = `${what} → ${status}${code ? ` ${code}` : ''}${said}`;
  if (status === 401) {
    return new FarmHttpError('unauthorized', message, {
      status,
      code,
      reason: detail.reason as AuthFailureReason | undefined,
    });
  }
  if (status >= 400 && status < 500) return new FarmHttpError('rejected', message, { status, code });
  if (status >= 500) return new FarmHttpError('server', message, { status, code });
  return new FarmHttpError('bad-response', `${what} → unexpected status ${status}`, { status });
}
