/**
 * Remembers the nonces of accepted requests for as long as their timestamp is inside the skew window,
 * so a captured request cannot be replayed. Memory is bounded (an LRU); when the bound pushes a nonce
 * out early, the cache raises a time floor to that request's timestamp, so a forgotten nonce still
 * cannot be replayed (its request is now refused as stale instead of as replayed). The nonces live in
 * memory only: a cache made when a node starts refuses what was stamped before (`since`), which its
 * previous run may have accepted (the time window alone would let a request captured before a restart
 * through again).
 */
import { LRUCache } from 'lru-cache';

export type NonceCheck = 'ok' | 'replayed' | 'stale' | 'before-start';

export interface NonceCacheOptions {
  /** Hard cap on remembered nonces (each costs ~100 bytes). */
  maxEntries?: number;
  /** When the node started (ms since the epoch): requests stamped earlier are refused. */
  since?: number;
}

export class NonceCache {
  /** Requests timestamped at or before this were possibly forgotten: refuse them. */
  private floorTime = Number.NEGATIVE_INFINITY;
  private readonly seen: LRUCache<string, { time: number; expiresAt: number }>;
  private readonly since: number;

  constructor(options: NonceCacheOptions = {}) {
    this.since = options.since ?? Number.NEGATIVE_INFINITY;
    this.seen = new LRUCache({
      max: options.maxEntries ?? 100_000,
      dispose: (entry, _nonce, reason) => {
        if (reason === 'evict') this.floorTime = Math.max(this.floorTime, entry.time);
      },
    });
  }

  get size(): number {
    return this.seen.size;
  }

  /**
   * Records `nonce` of a request stamped `time` (already checked to be within `windowMs` of `now`).
   * Call only for authenticated requests, or strangers could fill the cache.
   */
  checkAndRemember(nonce: string, time: number, now: number, windowMs: number): NonceCheck {
    if (time < this.since) return 'before-start';
    if (time <= this.floorTime) return 'stale';
    const known = this.seen.get(nonce);
    if (known && known.expiresAt >= now) return 'replayed';
    // The request stays acceptable until its own time + window, so that is how long it is remembered.
    this.seen.set(nonce, { time, expiresAt: time + windowMs });
    this.purgeExpired(now);
    return 'ok';
  }

  /** Drops what can no longer be replayed anyway (oldest first), so the cap is met by time, not eviction. */
  private purgeExpired(now: number): void {
    for (const nonce of this.seen.rkeys()) {
      if ((this.seen.peek(nonce)?.expiresAt ?? 0) >= now) break;
      this.seen.delete(nonce);
    }
  }
}
