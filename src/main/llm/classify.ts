/**
 * Turns whatever the Anthropic SDK (or the socket under it) threw into an LlmError with a kind the
 * retry loop and the user can act on. Messages quote the service's own explanation, never the key.
 */
import { AnthropicError, APIConnectionError, APIConnectionTimeoutError, APIError } from '@anthropic-ai/sdk';
import { printable } from '../../shared/text.ts';
import { LlmError, type LlmErrorKind } from './errors.ts';
import { parseRetryAfter } from './retry.ts';
import { maskSecret } from './sdk-logger.ts';

/** Error types the API sends in an `event: error` frame of a stream that had already started (no status). */
const STREAM_ERROR_KINDS: Record<string, LlmErrorKind> = {
  overloaded_error: 'overloaded',
  rate_limit_error: 'rate-limited',
  api_error: 'server',
  authentication_error: 'auth',
  permission_error: 'auth',
  invalid_request_error: 'invalid-request',
};

/** `secret`: the API key, masked out of the API's message before it is cut short (a cut key is not found). */
export function classifyClaudeError(error: unknown, secret = ''): LlmError {
  if (error instanceof LlmError) return error;
  // Timeout first: it is a subclass of APIConnectionError.
  if (error instanceof APIConnectionTimeoutError) {
    return new LlmError('network', 'Claude did not answer in time.', { cause: error });
  }
  if (error instanceof APIConnectionError) {
    return new LlmError('network', `Could not reach Claude: ${describeCause(error)}.`, { cause: error });
  }
  if (error instanceof APIError) return classifyApiError(error, secret);
  if (error instanceof SyntaxError) {
    return new LlmError('bad-response', `Claude sent a reply that could not be read: ${error.message}`, {
      cause: error,
    });
  }
  if (error instanceof AnthropicError) {
    return new LlmError('bad-response', `Claude sent an unexpected reply: ${error.message}`, {
      cause: error,
    });
  }
  // Anything else surfaced while reading the body: undici reports a cut connection as TypeError('terminated').
  return new LlmError('network', `The connection to Claude dropped: ${describeCause(error)}.`, {
    cause: error,
  });
}

function classifyApiError(error: APIError, secret: string): LlmError {
  const status = error.status;
  const detail = apiDetail(error, secret);
  const details = { status, retryAfterMs: parseRetryAfter(error.headers), cause: error };
  if (status === undefined) {
    const kind = STREAM_ERROR_KINDS[error.type ?? ''] ?? 'server';
    return new LlmError(kind, `Claude stopped mid-answer with an error${detail}.`, details);
  }
  if (status === 401 || status === 403) {
    return new LlmError('auth', `Claude rejected the API key (${status}${detail}).`, details);
  }
  if (status === 429)
    return new LlmError('rate-limited', `Claude's rate limit was reached (429${detail}).`, details);
  if (status === 529) return new LlmError('overloaded', `Claude is overloaded (529${detail}).`, details);
  if (status >= 500)
    return new LlmError('server', `Claude had a server error (${status}${detail}).`, details);
  if (status === 408) return new LlmError('network', `Claude timed out the request (408${detail}).`, details);
  return new LlmError(
    'invalid-request',
    `Claude refused the request (${status}${detail}).${hintFor(error)}`,
    details,
  );
}

/** The most of the API's own message quoted: it is stored with the job and printed. */
const MAX_API_MESSAGE_CHARS = 300;

/** ": <the API's message>, request <id>", or what of it is known, printable and cut short. */
function apiDetail(error: APIError, secret: string): string {
  const message = error.apiMessage
    ? shortPrintable(maskSecret(error.apiMessage, secret), MAX_API_MESSAGE_CHARS)
    : null;
  const request = error.requestID ? `request ${shortPrintable(error.requestID, 100)}` : null;
  const parts = [message, request].filter(Boolean);
  return parts.length > 0 ? `: ${parts.join(', ')}` : '';
}

function shortPrintable(text: string, max: number): string {
  const clean = printable(text);
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/** The one 400 users of an older setup will meet: sampling parameters were removed in API 2026-10-21. */
function hintFor(error: APIError): string {
  return /temperature|top_p|top_k/.test(error.apiMessage ?? '')
    ? ' Claude no longer accepts a temperature: leave it unset in the prompt.'
    : '';
}

function describeCause(error: unknown): string {
  const cause = (error as { cause?: unknown } | null)?.cause;
  const own = error instanceof Error ? error.message : String(error);
  const inner = cause instanceof Error ? cause.message : undefined;
  return inner && inner !== own ? `${own} (${inner})` : own;
}
