/**
 * Our own bounded retry loop (the SDK's is switched off) so the number of attempts, the waits and the
 * final error are ours to choose and to test.
 */
import { createLogger } from '../log/logger.ts';
import { isRetryableLlmError, LlmError } from './errors.ts';

const log = createLogger('LlmRetry');

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** No single wait longer than this, whatever the service asks: the user is watching a progress bar. */
export const MAX_RETRY_WAIT_MS = 60_000;
const FIRST_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 30_000;

export interface RetryPolicy {
  maxAttempts: number;
  sleep: Sleep;
  signal?: AbortSignal;
}

/** Runs `attempt` until it succeeds, fails for good, or `maxAttempts` have failed. Throws LlmError. */
export async function withRetries<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  policy: RetryPolicy,
): Promise<T> {
  for (let attemptNumber = 1; ; attemptNumber++) {
    throwIfCancelled(policy.signal);
    try {
      return await attempt(attemptNumber);
    } catch (error) {
      if (!(error instanceof LlmError)) throw error;
      if (!isRetryableLlmError(error)) throw error;
      if (attemptNumber >= policy.maxAttempts) throw gaveUp(error, attemptNumber);
      const waitMs = retryWaitMs(error, attemptNumber);
      log.warn('Claude request failed; retrying', {
        kind: error.kind,
        status: error.status,
        attempt: attemptNumber,
        waitMs,
      });
      await sleepOrCancel(policy.sleep, waitMs, policy.signal);
    }
  }
}

/** The service's own retry-after when it gave one, else exponential backoff; never above the cap. */
export function retryWaitMs(error: LlmError, attemptNumber: number): number {
  const backoff = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (attemptNumber - 1));
  return Math.min(MAX_RETRY_WAIT_MS, error.retryAfterMs ?? backoff);
}

/**
 * Reads `retry-after-ms` (milliseconds, Anthropic's precise form) or `retry-after` (seconds or an
 * HTTP date). Returns undefined when absent or unreadable, so backoff applies instead.
 */
export function parseRetryAfter(
  headers: Headers | undefined,
  now: () => number = Date.now,
): number | undefined {
  const precise = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(precise) && precise >= 0) return precise;
  const value = headers?.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number.parseFloat(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now());
}

export const abortableSleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export function cancelledError(cause?: unknown): LlmError {
  return new LlmError('cancelled', 'Writing with Claude was cancelled.', { cause });
}

export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelledError(signal.reason);
}

async function sleepOrCancel(sleep: Sleep, ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await sleep(ms, signal);
  } catch (error) {
    if (signal?.aborted) throw cancelledError(error);
    throw error;
  }
  throwIfCancelled(signal);
}

function gaveUp(last: LlmError, attempts: number): LlmError {
  return new LlmError(last.kind, `${last.message} Gave up after ${attempts} attempts.`, {
    status: last.status,
    retryAfterMs: last.retryAfterMs,
    attempts,
    cause: last,
  });
}
