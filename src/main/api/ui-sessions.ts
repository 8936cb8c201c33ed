import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { LRUCache } from 'lru-cache';
import { type FarmKey, farmHmac } from '../farm/net/key.ts';
import { RateLimit } from './rate-limit.ts';

const CHALLENGE_TTL_MS = 2 * 60 * 1000;
const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** Pending challenges one client may hold: a login needs one; a few cover several tabs. */
const CHALLENGES_PER_CLIENT = 8;
/** Clients with pending challenges remembered at once (the least recent are forgotten first). */
const MAX_CLIENTS = 4096;
const MAX_SESSIONS = 1000;
export const SESSION_COOKIE = 'vfo_session';

export interface SessionLimits {
  /** Challenges a client may ask for per minute. */
  challengesPerMinute: number;
  /** Wrong proofs a client may send per minute before it must wait. */
  failedLoginsPerMinute: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = { challengesPerMinute: 30, failedLoginsPerMinute: 10 };

export type ChallengeOutcome = { ok: true; nonce: string } | { ok: false; retryAfterSeconds: number };
export type LoginOutcome =
  | { ok: true; token: string }
  | { ok: false; retryAfterSeconds: number }
  | { ok: false; retryAfterSeconds?: undefined };

/**
 * Browser sessions for the UI a node serves on the LAN. The browser proves it knows the farm key by
 * answering a one-time challenge with HMAC(key, "vfo-ui-session:" + nonce) — the key itself never crosses
 * the network — and gets an HttpOnly, SameSite=Strict cookie. State-changing calls also need the
 * `x-vfo-ui: 1` header, which a cross-site form cannot send.
 *
 * A challenge belongs to the client (address) that asked for it, and each client holds a few at most:
 * a flood of challenge requests from one address evicts only its own, never a real user's. Challenge
 * requests and wrong proofs are rate limited per client.
 */
export class UiSessions {
  private readonly key: FarmKey;
  private readonly now: () => number;
  private readonly challenges: LRUCache<string, Map<string, number>>;
  private readonly sessions: LRUCache<string, number>;
  private readonly challengeRate: RateLimit;
  private readonly failureRate: RateLimit;

  constructor(key: FarmKey, options: { now?: () => number; limits?: SessionLimits } = {}) {
    this.key = key;
    this.now = options.now ?? Date.now;
    const limits = options.limits ?? DEFAULT_SESSION_LIMITS;
    this.challenges = new LRUCache({ max: MAX_CLIENTS });
    this.sessions = new LRUCache({ max: MAX_SESSIONS });
    const rate = (limit: number) => new RateLimit({ limit, windowMs: 60_000, now: this.now });
    this.challengeRate = rate(limits.challengesPerMinute);
    this.failureRate = rate(limits.failedLoginsPerMinute);
  }

  challenge(client: string): ChallengeOutcome {
    const allowed = this.challengeRate.take(client);
    if (!allowed.ok) return allowed;
    const now = this.now();
    const pending = this.pendingOf(client, now);
    // Oldest first (insertion order): a client asking again and again only pushes out its own.
    while (pending.size >= CHALLENGES_PER_CLIENT) pending.delete(pending.keys().next().value as string);
    const nonce = randomBytes(16).toString('hex');
    pending.set(nonce, now + CHALLENGE_TTL_MS);
    return { ok: true, nonce };
  }

  /**
   * A session token for a correct proof of this client's pending challenge (each works once). A client
   * that sent too many wrong proofs waits, whatever its next proof is: guessing is not sped up.
   */
  login(client: string, nonce: string, proof: string): LoginOutcome {
    const pending = this.challenges.get(client);
    const expires = pending?.get(nonce);
    pending?.delete(nonce);
    const waiting = this.failureRate.check(client);
    if (!waiting.ok) return waiting;
    const valid =
      expires !== undefined &&
      expires >= this.now() &&
      /^[0-9a-f]{64}$/.test(proof) &&
      timingSafeEqual(farmHmac(this.key, `vfo-ui-session:${nonce}`), Buffer.from(proof, 'hex'));
    if (!valid) {
      this.failureRate.take(client);
      return { ok: false };
    }
    const token = randomBytes(32).toString('hex');
    this.sessions.set(token, this.now() + SESSION_TTL_MS);
    return { ok: true, token };
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

  private pendingOf(client: string, now: number): Map<string, number> {
    let pending = this.challenges.get(client);
    if (!pending) {
      pending = new Map();
      this.challenges.set(client, pending);
    }
    for (const [nonce, expires] of pending) if (expires < now) pending.delete(nonce);
    return pending;
  }
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === name && v && /^[0-9a-f]{64}$/.test(v)) return v;
  }
  return undefined;
}
