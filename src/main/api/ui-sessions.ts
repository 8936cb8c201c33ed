import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { type FarmKey, farmHmac } from '../farm/net/key.ts';

const CHALLENGE_TTL_MS = 2 * 60 * 1000;
const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const MAX_PENDING = 1000;
export const SESSION_COOKIE = 'vfo_session';

/**
 * Browser sessions for the UI a node serves on the LAN. The browser proves it knows the farm key by
 * answering a one-time challenge with HMAC(key, "vfo-ui-session:" + nonce) — the key itself never crosses
 * the network — and gets an HttpOnly, SameSite=Strict cookie. State-changing calls also need the
 * `x-vfo-ui: 1` header, which a cross-site form cannot send.
 */
export class UiSessions {
  private readonly key: FarmKey;
  private readonly challenges = new Map<string, number>();
  private readonly sessions = new Map<string, number>();
  private readonly now: () => number;

  constructor(key: FarmKey, now: () => number = Date.now) {
    this.key = key;
    this.now = now;
  }

  challenge(): string {
    this.sweep();
    if (this.challenges.size >= MAX_PENDING) this.challenges.clear();
    const nonce = randomBytes(16).toString('hex');
    this.challenges.set(nonce, this.now() + CHALLENGE_TTL_MS);
    return nonce;
  }

  /** A session token for a correct proof of a pending challenge (each challenge works once). */
  login(nonce: string, proof: string): string | null {
    const expires = this.challenges.get(nonce);
    this.challenges.delete(nonce);
    if (!expires || expires < this.now() || !/^[0-9a-f]{64}$/.test(proof)) return null;
    const expected = farmHmac(this.key, `vfo-ui-session:${nonce}`);
    if (!timingSafeEqual(expected, Buffer.from(proof, 'hex'))) return null;
    const token = randomBytes(32).toString('hex');
    if (this.sessions.size >= MAX_PENDING) this.sweep();
    this.sessions.set(token, this.now() + SESSION_TTL_MS);
    return token;
  }

  cookieFor(token: string): string {
    return `${SESSION_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${SESSION_TTL_MS / 1000}`;
  }

  /** Reads need the cookie; calls that change anything also need the UI header. */
  allows(request: IncomingMessage, options: { mutating: boolean }): boolean {
    if (options.mutating && request.headers['x-vfo-ui'] !== '1') return false;
    const token = cookieValue(request.headers.cookie, SESSION_COOKIE);
    const expires = token ? this.sessions.get(token) : undefined;
    return Boolean(expires && expires > this.now());
  }

  private sweep(): void {
    const now = this.now();
    for (const [k, t] of this.challenges) if (t < now) this.challenges.delete(k);
    for (const [k, t] of this.sessions) if (t < now) this.sessions.delete(k);
  }
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === name && v && /^[0-9a-f]{64}$/.test(v)) return v;
  }
  return undefined;
}
