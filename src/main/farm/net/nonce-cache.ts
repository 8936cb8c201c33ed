/**
 * Remembers the nonces of accepted requests for as long as their timestamp is inside the skew
 * window, so a captured request cannot be replayed. Memory is bounded: at the hard cap the oldest
 * entries are dropped AND the cache raises a time floor to the newest dropped timestamp, so a dropped
 * nonce still cannot be replayed (its request is now refused as stale instead of as replayed).
 */
export type NonceCheck = 'ok' | 'replayed' | 'stale';

export interface NonceCacheOptions {
  /** Hard cap on remembered nonces (each costs ~100 bytes). */
  maxEntries?: number;
  /** How often expired entries are swept, in ms of the caller's clock. */
  sweepEveryMs?: number;
}

export class NonceCache {
  private readonly expiries = new Map<string, { expiresAt: number; time: number }>();
  private readonly maxEntries: number;
  private readonly sweepEveryMs: number;
  private lastSweep = Number.NEGATIVE_INFINITY;
  /** Requests timestamped at or before this were possibly forgotten: refuse them. */
  private floorTime = Number.NEGATIVE_INFINITY;

  constructor(options: NonceCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 100_000;
    this.sweepEveryMs = options.sweepEveryMs ?? 1_000;
  }

  get size(): number {
    return this.expiries.size;
  }

  /**
   * Records `nonce` of a request stamped `time` (already checked to be within `windowMs` of `now`).
   * Call only for authenticated requests, or strangers could fill the cache.
   */
  checkAndRemember(nonce: string, time: number, now: number, windowMs: number): NonceCheck {
    if (now - this.lastSweep >= this.sweepEveryMs) this.sweep(now);
    if (time <= this.floorTime) return 'stale';
    const known = this.expiries.get(nonce);
    if (known && known.expiresAt >= now) return 'replayed';
    // Delete first so a re-used (expired) nonce moves to the end of the insertion order.
    this.expiries.delete(nonce);
    if (this.expiries.size >= this.maxEntries) this.dropOldest();
    // The request stays acceptable until its own time + window, so that is how long it is remembered.
    this.expiries.set(nonce, { expiresAt: time + windowMs, time });
    return 'ok';
  }

  private sweep(now: number): void {
    this.lastSweep = now;
    for (const [nonce, entry] of this.expiries) {
      if (entry.expiresAt < now) this.expiries.delete(nonce);
    }
  }

  /** Drops the earliest-inserted tenth (amortises the cost) and raises the floor to cover them. */
  private dropOldest(): void {
    const count = Math.max(1, Math.floor(this.maxEntries / 10));
    let dropped = 0;
    for (const [nonce, entry] of this.expiries) {
      if (dropped >= count) break;
      this.floorTime = Math.max(this.floorTime, entry.time);
      this.expiries.delete(nonce);
      dropped += 1;
    }
  }
}
