/** Refusals decided by the server layer, and how any failure of a request becomes its reply. */
import type { ServerResponse } from 'node:http';
import type { Logger } from '../../log/logger.ts';
import { BodyMismatchError, BodyTooLargeError, errorBody } from './errors.ts';
import { type SignReply, sendJson } from './respond.ts';
import type { AuthFailureReason } from './signing.ts';

type ErrorBody = ReturnType<typeof errorBody>;

export class Refusal extends Error {
  readonly status: number;
  readonly body: ErrorBody;
  readonly headers: Record<string, string>;

  constructor(status: number, body: ErrorBody, headers: Record<string, string> = {}) {
    super(body.error.message);
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

export function tooLarge(maxBytes: number): Refusal {
  // Close: the rest of the upload is not worth reading.
  return new Refusal(413, errorBody('too-large', `body is larger than ${maxBytes} bytes`), {
    connection: 'close',
  });
}

export function unauthorized(reason: AuthFailureReason): Refusal {
  return new Refusal(401, errorBody('unauthorized', 'request not authenticated', { reason }));
}

export interface FailureContext {
  log: Logger;
  fields: Record<string, unknown>;
  /** The client is gone: nobody to answer. */
  aborted: boolean;
  /** The body was never asked for (Expect: 100-continue): close rather than wait for it. */
  closeConnection: boolean;
  /** Signs the reply when the request was authenticated (a farm request's sender can trust it). */
  sign: SignReply | null;
}

/** Answers a failed request: its refusal, 413/400 for a bad body, or a generic 500 (details logged). */
export function sendFailure(response: ServerResponse, error: unknown, context: FailureContext): void {
  const { log, fields } = context;
  const close: Record<string, string> = context.closeConnection ? { connection: 'close' } : {};
  if (error instanceof Refusal) {
    if (error.status === 401) log.warn('request refused', { ...fields, reason: error.body.error.reason });
    else log.info('request refused', { ...fields, status: error.status, code: error.body.error.code });
    sendJson(response, error.status, error.body, { ...error.headers, ...close }, context.sign);
  } else if (error instanceof BodyTooLargeError) {
    sendJson(response, 413, errorBody('too-large', error.message), { connection: 'close' }, context.sign);
  } else if (error instanceof BodyMismatchError) {
    log.warn('request body did not match its declared checksum', fields);
    sendJson(response, 400, errorBody('body-mismatch', error.message), close, context.sign);
  } else if (context.aborted && !response.headersSent) {
    log.info('client went away during the request', fields);
  } else {
    const detail = error instanceof Error ? { error: error.message, stack: error.stack } : { error };
    log.error('route handler failed', { ...fields, ...detail });
    sendJson(response, 500, errorBody('internal', 'internal error'), close, context.sign);
  }
}
