/**
 * Keeps the API key out of everything we emit. The SDK already masks auth headers; this is the
 * second belt: SDK log lines go through our logger (never straight to the console), and any text
 * that somehow carries the key has it replaced before it is logged or thrown.
 */
import { inspect } from 'node:util';
import { createLogger } from '../log/logger.ts';
import { LlmError } from './errors.ts';

const MASK = '[redacted]';
/** Shorter "keys" are not real keys; masking them would only garble ordinary words in messages. */
const MIN_SECRET_LENGTH = 8;

export interface SdkLogger {
  error: (message: string, ...rest: unknown[]) => void;
  warn: (message: string, ...rest: unknown[]) => void;
  info: (message: string, ...rest: unknown[]) => void;
  debug: (message: string, ...rest: unknown[]) => void;
}

export function maskSecret(text: string, secret: string): string {
  return secret.length >= MIN_SECRET_LENGTH ? text.split(secret).join(MASK) : text;
}

export function createSdkLogger(secret: string): SdkLogger {
  const log = createLogger('AnthropicSdk');
  const forward =
    (level: 'error' | 'warn' | 'info' | 'debug') =>
    (message: string, ...rest: unknown[]): void => {
      const details = rest.map((item) => maskSecret(describe(item), secret));
      log[level](maskSecret(message, secret), details.length > 0 ? { details } : {});
    };
  return { error: forward('error'), warn: forward('warn'), info: forward('info'), debug: forward('debug') };
}

/** The same error with the key masked out of its message (the cause is dropped if it carried the key). */
export function redactSecret(error: LlmError, secret: string): LlmError {
  const message = maskSecret(error.message, secret);
  const causeText = error.cause === undefined ? '' : describe(error.cause);
  if (message === error.message && maskSecret(causeText, secret) === causeText) return error;
  const cause = maskSecret(causeText, secret) === causeText ? error.cause : undefined;
  return new LlmError(error.kind, message, {
    status: error.status,
    retryAfterMs: error.retryAfterMs,
    attempts: error.attempts,
    problems: error.problems,
    cause,
  });
}

function describe(value: unknown): string {
  return typeof value === 'string'
    ? value
    : inspect(value, { depth: 4, breakLength: Number.POSITIVE_INFINITY });
}
