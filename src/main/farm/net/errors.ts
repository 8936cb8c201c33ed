/** What a farm client call fails with (the server's refusals are src/main/http/errors.ts). */
import type { AuthFailureReason } from './signing.ts';

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
