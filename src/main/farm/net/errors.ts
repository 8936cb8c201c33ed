/** Error shapes shared by the farm server, its client and the file transfer helpers. */
import type { AuthFailureReason } from './signing.ts';

export interface FarmErrorIssue {
  path: string;
  message: string;
}

/** Every non-2xx JSON reply of a farm server has this shape. */
export interface FarmErrorBody {
  error: {
    code: string;
    message: string;
    reason?: AuthFailureReason;
    issues?: FarmErrorIssue[];
  };
}

export function errorBody(code: string, message: string, extra: Partial<FarmErrorBody['error']> = {}) {
  return { error: { code, message, ...extra } } satisfies FarmErrorBody;
}

/** A request refused by the server (or a route): its status, the error body, and any extra headers. */
export class Refusal extends Error {
  readonly status: number;
  readonly body: ReturnType<typeof errorBody>;
  readonly headers: Record<string, string>;

  constructor(status: number, body: ReturnType<typeof errorBody>, headers: Record<string, string> = {}) {
    super(body.error.message);
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

/** A body (request or download) went past its declared limit; the partial data was discarded. */
export class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError';
  readonly maxBytes: number;

  constructor(maxBytes: number) {
    super(`body is larger than the ${maxBytes} bytes allowed`);
    this.maxBytes = maxBytes;
  }
}

/** A body did not hash to (or was not the size of) what the sender declared; it was discarded. */
export class BodyMismatchError extends Error {
  override name = 'BodyMismatchError';
}

export type FarmHttpErrorKind =
  | 'unreachable'
  | 'timeout'
  | 'unauthorized'
  | 'rejected'
  | 'server'
  | 'bad-response'
  /** A reply not signed by the node addressed: never acted on. */
  | 'unauthenticated';

export interface FarmHttpErrorDetails {
  status?: number;
  /** The server's error code (`rejected`, `server`), e.g. 'invalid-body', 'not-found'. */
  code?: string;
  /** Why the server refused the signature (`unauthorized`). */
  reason?: AuthFailureReason;
  cause?: unknown;
}

/**
 * What a farm client call failed with. `kind` says what the caller can do: retry later
 * (unreachable, timeout, server), fix the farm key or clock (unauthorized), or give up on this
 * request (rejected: a 4xx with the server's code; bad-response: the peer answered nonsense).
 */
export class FarmHttpError extends Error {
  override name = 'FarmHttpError';
  readonly kind: FarmHttpErrorKind;
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly reason: AuthFailureReason | undefined;

  constructor(kind: FarmHttpErrorKind, message: string, details: FarmHttpErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = kind;
    this.status = details.status;
    this.code = details.code;
    this.reason = details.reason;
  }
}
