/**
 * Alerts sent to a webhook: JSON POSTed to the URL of the `ops.alerts` setting, signed so the receiver
 * can tell it came from this farm — `x-vfo-signature: sha256=HEX` where HEX is HMAC-SHA256 over
 * `TIMESTAMP.BODY` (TIMESTAMP is the `x-vfo-timestamp` header, ms since the epoch) under the webhook
 * secret. The secret comes from a file only its owner may read (`vfo node --alert-webhook-secret-file`)
 * or from the secret store (the Keychain in the app, VFO_ALERT_WEBHOOK_SECRET for the CLI); it is held
 * in an opaque object that prints as "[webhook secret]", and never reaches the database or a log.
 */
import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { inspect } from 'node:util';
import type { Alert } from '../../shared/contract.ts';
import { createLogger } from '../log/logger.ts';
import { readPrivateFile } from '../util/private-file.ts';

const log = createLogger('AlertWebhook');
const REDACTED = '[webhook secret]';
/** Enough entropy to resist guessing; a real receiver's secret is usually 32+ random characters. */
export const MIN_WEBHOOK_SECRET_LENGTH = 16;
/** Deliveries waiting while the receiver is slow or down; older ones are dropped first. */
const MAX_WAITING = 100;
const ATTEMPTS = 3;
const TIMEOUT_MS = 5000;

const secrets = new WeakMap<WebhookSecret, Buffer>();

export class WebhookSecret {
  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

/** Thrown for an unusable secret; the message never contains it. */
export class WebhookSecretError extends Error {
  override name = 'WebhookSecretError';
}

export function webhookSecretFromText(text: string, source = 'the webhook secret'): WebhookSecret {
  const trimmed = text.trim();
  if (trimmed.length < MIN_WEBHOOK_SECRET_LENGTH) {
    throw new WebhookSecretError(
      `${source} is too short (${trimmed.length} characters; at least ${MIN_WEBHOOK_SECRET_LENGTH} are needed)`,
    );
  }
  const secret = new WebhookSecret();
  secrets.set(secret, Buffer.from(trimmed, 'utf8'));
  return secret;
}

/** A secret file others may read is refused, like the farm key. */
export async function readWebhookSecret(path: string): Promise<WebhookSecret> {
  const text = await readPrivateFile(path, 'the webhook secret file');
  return webhookSecretFromText(text, `the webhook secret in ${path}`);
}

/** `sha256=HEX`: HMAC-SHA256 of `TIMESTAMP.BODY` under the secret. */
export function signWebhook(secret: WebhookSecret, timestamp: string, body: string): string {
  const key = secrets.get(secret);
  if (!key) throw new WebhookSecretError('not a webhook secret made by webhookSecretFromText');
  return `sha256=${createHmac('sha256', key).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** What is POSTed: one alert raised or resolved, from which coordinator. */
export interface AlertDelivery {
  version: 1;
  event: 'raised' | 'resolved';
  alert: Alert;
  coordinator: { id: string; name: string };
  sentAt: number;
}

export interface WebhookTarget {
  url: string;
  secret: WebhookSecret;
}

/**
 * Sends one delivery: up to three tries (a network error, a timeout or a 5xx is tried again after 1 s,
 * then 2 s); a 4xx is the receiver's final word.
 */
export async function deliver(
  target: WebhookTarget,
  delivery: AlertDelivery,
  options: { attempts?: number; timeoutMs?: number; backoffMs?: (attempt: number) => number } = {},
): Promise<{ ok: boolean; status?: number; error?: string }> {
  const body = JSON.stringify(delivery);
  const attempts = options.attempts ?? ATTEMPTS;
  let last: { ok: boolean; status?: number; error?: string } = { ok: false, error: 'not sent' };
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const timestamp = String(Date.now());
    try {
      const response = await fetch(target.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'vfo-alerts/1',
          'x-vfo-event': delivery.event,
          'x-vfo-timestamp': timestamp,
          'x-vfo-signature': signWebhook(target.secret, timestamp, body),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs ?? TIMEOUT_MS),
      });
      await response.body?.cancel();
      if (response.ok) return { ok: true, status: response.status };
      last = { ok: false, status: response.status };
      if (response.status < 500) return last;
    } catch (error) {
      last = { ok: false, error: fetchErrorOf(error) };
    }
    if (attempt < attempts) await sleep(options.backoffMs?.(attempt) ?? 1000 * attempt);
  }
  return last;
}

/** Deliveries in order, one at a time, off the caller's path; a receiver that is down holds back at most 100. */
export class WebhookQueue {
  private readonly waiting: { target: WebhookTarget; delivery: AlertDelivery }[] = [];
  private running: Promise<void> | null = null;
  private readonly send: typeof deliver;

  constructor(send: typeof deliver = deliver) {
    this.send = send;
  }

  push(target: WebhookTarget, delivery: AlertDelivery): void {
    this.waiting.push({ target, delivery });
    if (this.waiting.length > MAX_WAITING) {
      const dropped = this.waiting.shift();
      log.warn('alert webhook is behind; an old delivery was dropped', { alert: dropped?.delivery.alert.id });
    }
    this.running ??= this.drain().finally(() => {
      this.running = null;
    });
  }

  /** Resolves once everything queued was tried (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    for (let next = this.waiting.shift(); next; next = this.waiting.shift()) {
      const result = await this.send(next.target, next.delivery);
      const fields = {
        alert: next.delivery.alert.id,
        event: next.delivery.event,
        url: redactUrl(next.target.url),
      };
      if (result.ok) log.info('alert sent to the webhook', { ...fields, status: result.status });
      else log.warn('alert webhook failed', { ...fields, status: result.status, error: result.error });
    }
  }
}

/**
 * Why a delivery failed, as logged: fetch's message may quote the whole URL (user, password, a token
 * in the query), so only the cause's code or the error's name is kept.
 */
function fetchErrorOf(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  return error instanceof Error ? error.name : 'error';
}

/** A URL as logged: no user info or query (either may carry a token). */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '(invalid url)';
  }
}
