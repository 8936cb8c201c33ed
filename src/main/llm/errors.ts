/**
 * Expected failures of writing with a language model, typed so callers can tell a bad key (fix the
 * settings) from a busy service (wait and retry) from a bad request or script (retrying will not help).
 */
import type { StepErrorKind } from '../engine/errors.ts';
import type { TokenUsage } from './types.ts';

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
  /** Tokens of the answers that did come (they are paid for, whatever became of them). */
  spent?: TokenUsage;
  /** The last script written, when it was refused: the problems' file:line:col point into it. */
  script?: string;
  cause?: unknown;
}

export class LlmError extends Error {
  readonly kind: LlmErrorKind;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly attempts: number | undefined;
  readonly problems: string[];
  readonly spent: TokenUsage | undefined;
  readonly script: string | undefined;

  constructor(kind: LlmErrorKind, message: string, details: LlmErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'LlmError';
    this.kind = kind;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
    this.attempts = details.attempts;
    this.problems = details.problems ?? [];
    this.spent = details.spent;
    this.script = details.script;
  }

  /** The same failure, saying what the answers before it cost. */
  withSpent(spent: TokenUsage | undefined): LlmError {
    if (!spent) return this;
    const { kind, status, retryAfterMs, attempts, problems, script, cause } = this;
    return new LlmError(kind, this.message, {
      status,
      retryAfterMs,
      attempts,
      problems,
      script,
      cause,
      spent,
    });
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
