/**
 * Expected Azure Speech failures, typed so callers can tell a wrong key (fix the settings) from
 * throttling or a flaky network (try again) from SSML the service refused (fix the script).
 * Messages never carry the speech key: every text that came from the SDK goes through redactSecret.
 */
export type AzureSpeechErrorKind =
  /** No key, no region/host, or an unusable host: nothing was sent. */
  | 'not-configured'
  /** HTTP 401/403 on the connection: the key or region is wrong. */
  | 'auth'
  /** HTTP 429: too many requests for the subscription. */
  | 'throttled'
  /** Could not connect, the connection dropped, or the service stopped answering. */
  | 'network'
  /** The service answered something that cannot be used. */
  | 'bad-response'
  | 'cancelled'
  /** The service refused the SSML (WebSocket close code 1007). */
  | 'invalid-ssml';

const RETRYABLE: ReadonlySet<AzureSpeechErrorKind> = new Set(['throttled', 'network']);

export class AzureSpeechError extends Error {
  readonly kind: AzureSpeechErrorKind;
  constructor(kind: AzureSpeechErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AzureSpeechError';
    this.kind = kind;
  }

  /** Throttling and network trouble may pass; everything else fails the same way again. */
  get retryable(): boolean {
    return RETRYABLE.has(this.kind);
  }
}

const REDACTED = '[redacted]';

/**
 * Removes the key from text that came from the SDK or the network. The SDK puts the key in the
 * connection URL's query (Ocp-Apim-Subscription-Key=...), so query values are blanked too.
 */
export function redactSecret(text: string, key: string): string {
  let result = text;
  for (const form of new Set([key, encodeURIComponent(key)])) {
    if (form.length > 0) result = result.split(form).join(REDACTED);
  }
  return result
    .replace(/(Ocp-Apim-Subscription-Key\s*[=:]\s*)[^&\s"',]+/gi, `$1${REDACTED}`)
    .replace(/(Authorization\s*[=:]\s*(Bearer\s+)?)[^&\s"',]+/gi, `$1${REDACTED}`);
}
