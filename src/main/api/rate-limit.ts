import { LRUCache } from 'lru-cache';

export interface RateLimitOptions {
  /** Events allowed per client in one window. */
  limit: number;
  windowMs: number;
  /** Clients remembered at once; the least recently seen are forgotten first. */
  maxClients?: number;
  now?: () => number;
}

export type RateVerdict = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * A fixed window per client: at most `limit` events every `windowMs`. Bounded memory: a flood from
 * many addresses forgets the quietest clients, never lets one client's count reset another's.
 */
export class RateLimit {
  private readonly windows: LRUCache<string, { start: number; count: number }>;
  private readonly options: Required<Omit<RateLimitOptions, 'now'>> & { now: () => number };

  constructor(options: RateLimitOptions) {
    this.options = { maxClients: 10_000, now: Date.now, ...options };
    this.windows = new LRUCache({ max: this.options.maxClients });
  }

  /** Counts one event of `client`; refused (with when to come back) past the limit. */
  take(client: string): RateVerdict {
    const verdict = this.check(client);
    if (!verdict.ok) return verdict;
    const now = this.options.now();
    const window = this.windows.get(client);
    if (!window || now - window.start >= this.options.windowMs)
      this.windows.set(client, { start: now, count: 1 });
    else window.count += 1;
    return verdict;
  }

  /** Whether `client` is still under the limit, without counting anything. */
  check(client: string): RateVerdict {
    const now = this.options.now();
    const window = this.windows.peek(client);
    if (!window || now - window.start >= this.options.windowMs || window.count < this.options.limit) {
      return { ok: true };
    }
    return {
      ok: false,
      retryAfterSeconds: Math.max(1, Math.ceil((window.start + this.options.windowMs - now) / 1000)),
    };
  }
}
