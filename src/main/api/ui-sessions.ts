import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { LRUCache } from 'lru-cache';

const CHALLENGE_TTL_MS = 2 * 60 * 1000;
const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** Pending challenges one client may hold: a login needs one; a few cover several tabs. */
const CHALLENGES_PER_CLIENT = 8;
/** Clients with pending challenges remembered at once (the least recent are forgotten first). */
const MAX_CLIENTS = 4096;
const MAX_SESSIONS = 1000;
export const SESSION_COOKIE = 'vfo_session';

/**
 * Browser sessions for the UI a node serves on the LAN. The browser proves it knows the farm key by
 * answering a one-time challenge with HMAC(key, "vfo-ui-session:" + nonce) — the key itself never crosses
 * the network — and gets an HttpOnly, SameSite=Strict cookie. State-changing calls also need the
 * `x-vfo-ui: 1` header, which a cross-site form cannot send.
 *
 * A challenge belongs to the client (address) that asked for it, and each client holds a few at most:
 * a flood of challenge requests from one address evicts only its own, never a real user's. (Asking for
 * challenges and logging in are also rate limited per address: ui-routes.ts.)
 */
/**
 * A cookie given over HTTPS is sent back over HTTPS only (Secure): without it a browser also sent it
 * to plain http on the same host, where anyone on the path reads it.
 */
function cookieFlags(request: IncomingMessage): string {
  const overTls = (request.socket as Partial<TLSSocket>).encrypted === true;
  return `HttpOnly; SameSite=Strict; Path=/${overTls ? '; Secure' : ''}`;
}

export class UiSessions {
  /** The right answer to a challenge: HMAC(farm key, "vfo-ui-session:" + nonce), computed by the key's holder. */
  private readonly expectedProof: (nonce: string) => Buffer;
  private readonly now: () => number;
  private readonly challenges = new LRUCache<string, Map<string, number>>({ max: MAX_CLIENTS });
  private readonly sessions = new LRUCache<string, number>({ max: MAX_SESSIONS });

  constructor(expectedProof: (nonce: string) => Buffer, now: () => number = Date.now) {
    this.expectedProof = expectedProof;
    this.now = now;
  }

  challenge(client: string): string {
    const now = this.now();
    let pending = this.challenges.get(client);
    if (!pending) {
      pending = new Map();
      this.challenges.set(client, pending);
    }
    for (const [nonce, expires] of pending) if (expires < now) pending.delete(nonce);
    // Oldest first (insertion order): a client asking again and again only pushes out its own.
    while (pending.size >= CHALLENGES_PER_CLIENT) pending.delete(pending.keys().next().value as string);
    const nonce = randomBytes(16).toString('hex');
    pending.set(nonce, now + CHALLENGE_TTL_MS);
    return nonce;
  }

  /** A session token for a correct proof of this client's pending challenge (each works once). */
  login(client: string, nonce: string, proof: string): string | null {
    const pending = this.challenges.get(client);
    const expires = pending?.get(nonce);
    pending?.delete(nonce);
    const valid =
      expires !== undefined &&
      expires >= this.now() &&
      /^[0-9a-f]{64}$/.test(proof) &&
      timingSafeEqual(this.expectedProof(nonce), Buffer.from(proof, 'hex'));
    if (!valid) return null;
    const token = randomBytes(32).toString('hex');
    this.sessions.set(token, this.now() + SESSION_TTL_MS);
    return token;
  }

  /** The session cookie for `token`, answering `request`. */
  cookieFor(token: string, request: IncomingMessage): string {
    return `${SESSION_COOKIE}=${token}; ${cookieFlags(request)}; Max-Age=${SESSION_TTL_MS / 1000}`;
  }

  /** Ends the request's session here (its token is refused from now on) and the cookie that clears it. */
  logout(request: IncomingMessage): string {
    const token = cookieValue(request.headers.cookie, SESSION_COOKIE);
    if (token) this.sessions.delete(token);
    return `${SESSION_COOKIE}=; ${cookieFlags(request)}; Max-Age=0`;
  }

  /** Reads need the cookie; calls that change anything also need the UI header. */
  allows(request: IncomingMessage, options: { mutating: boolean }): boolean {
    if (options.mutating && !fromThePage(request)) return false;
    const token = cookieValue(request.headers.cookie, SESSION_COOKIE);
    const expires = token ? this.sessions.get(token) : undefined;
    return Boolean(expires && expires > this.now());
  }
}

/**
 * Whether the request carries the UI's own header: a cross-site form cannot send it, and cross-site
 * scripts would need a CORS preflight this server never grants.
 */
export function fromThePage(request: Pick<IncomingMessage, 'headers'>): boolean {
  return request.headers['x-vfo-ui'] === '1';
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === name && v && /^[0-9a-f]{64}$/.test(v)) return v;
  }
  return undefined;
}
