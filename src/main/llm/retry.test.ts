import { describe, expect, it } from 'vitest';
import { LlmError } from './errors.ts';
import { MAX_RETRY_WAIT_MS, parseRetryAfter, retryWaitMs } from './retry.ts';

describe('parseRetryAfter', () => {
  it('reads milliseconds, seconds and HTTP dates', () => {
    const now = () => Date.parse('2026-11-23T10:00:00Z');
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': '250' }))).toBe(250);
    expect(parseRetryAfter(new Headers({ 'retry-after': '1.5' }))).toBe(1500);
    expect(parseRetryAfter(new Headers({ 'retry-after': 'Mon, 23 Nov 2026 10:00:12 GMT' }), now)).toBe(
      12_000,
    );
  });

  it('ignores absent or unreadable values, so backoff applies', () => {
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter(new Headers())).toBeUndefined();
    expect(parseRetryAfter(new Headers({ 'retry-after': 'soon', 'retry-after-ms': '-5' }))).toBeUndefined();
  });
});

describe('retryWaitMs', () => {
  it('doubles from one second up to 30 s without a retry-after', () => {
    const error = new LlmError('server', 'boom');
    expect([1, 2, 3, 6, 9].map((attempt) => retryWaitMs(error, attempt))).toEqual([
      1000, 2000, 4000, 30_000, 30_000,
    ]);
  });

  it('uses the service wait, capped', () => {
    expect(retryWaitMs(new LlmError('rate-limited', 'slow', { retryAfterMs: 5000 }), 1)).toBe(5000);
    expect(retryWaitMs(new LlmError('rate-limited', 'slow', { retryAfterMs: 9e9 }), 1)).toBe(
      MAX_RETRY_WAIT_MS,
    );
  });
});
