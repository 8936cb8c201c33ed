/**
 * Expected failures of writing with a language model, typed so callers can tell a bad key (fix the
 * settings) from a busy service (wait and retry) from a bad request or script (retrying will not help).
 */
import type { StepErrorKind } from '../engine/errors.ts';

export type LlmErrorKind =
  | 'auth'
  | 'rate-limited'
  | 'overloaded'
  | 'server'
  | 'network'
  | 'bad-response'
  | 'cancelled'
  | 'invalid-request'
  | 'invalid-script';

export interface LlmErrorDetails {
  /** HTTP status of the reply, when there was one. */
  status?: number;
  /** How long the service asked us to wait (retry-after / retry-after-ms headers). */
  retryAfterMs?: number;
  /** How many requests were made before giving up. */
  attempts?: number;
  /** For 'invalid-script': the validator's messages about the last script. */
  problems?: string[];
  cause?: unknown;
}

export class LlmError extends Error {
  readonly kind: LlmErrorKind;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly attempts: number | undefined;
  readonly problems: string[];

  constructor(kind: LlmErrorKind, message: string, details: LlmErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'LlmError';
    this.kind = kind;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
    this.attempts = details.attempts;
    this.problems = details.problems ?? [];
  }
}

const RETRYABLE_KINDS: ReadonlySet<LlmErrorKind> = new Set([
  'rate-limited',
  'overloaded',
  'server',
  'network',
]);

/** Busy or flaky service: another attempt may succeed. Everything else needs a person to act. */
export function isRetryableLlmError(error: LlmError): boolean {
  return RETRYABLE_KINDS.has(error.kind);
}

/**
 * How the job engine should treat a failed writing step. Our own retry loop has already waited out
 * transient failures, and each attempt of the engine's ran that whole loop again: an overloaded Claude
 * was asked 12 times, and a reply too long for its token limit was paid for three times (found by
 * attacking the Claude adapter). So nothing is tried again by the engine; `vfo jobs retry` asks again.
 */
export function stepErrorKindForLlm(error: LlmError): StepErrorKind {
  if (error.kind === 'cancelled') return 'cancelled';
  if (isRetryableLlmError(error) || error.kind === 'bad-response' || error.kind === 'auth') return 'fatal';
  return 'invalid-input';
}
