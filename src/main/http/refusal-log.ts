/**
 * How often refusals are written to the log, per address: a burst of 100 lines, then one a second,
 * the next line saying how many were left out. Anyone who can reach a port can be refused as fast as
 * they can send; one line each wrote 5 MB of log a second from a loop without the farm key. Ordinary
 * refusals (a mistyped key, a stale node) stay within the burst, each logged.
 */
import { LRUCache } from 'lru-cache';

const BURST = 100;
const PER_SECOND = 1;
/** Addresses remembered; an address forgotten starts a new burst, which only costs lines. */
const ADDRESSES = 4096;

export interface RefusalLog {
  /** Whether to log a refusal from `address` now, and how many from it were left out before it. */
  take(address: string, now?: number): { log: false } | { log: true; leftOut: number };
}

export function refusalLog(): RefusalLog {
  const buckets = new LRUCache<string, { tokens: number; at: number; leftOut: number }>({ max: ADDRESSES });
  return {
    take(address, now = Date.now()) {
      const bucket = buckets.get(address) ?? { tokens: BURST, at: now, leftOut: 0 };
      bucket.tokens = Math.min(BURST, bucket.tokens + ((now - bucket.at) / 1000) * PER_SECOND);
      bucket.at = now;
      buckets.set(address, bucket);
      if (bucket.tokens < 1) {
        bucket.leftOut++;
        return { log: false };
      }
      bucket.tokens -= 1;
      const leftOut = bucket.leftOut;
      bucket.leftOut = 0;
      return { log: true, leftOut };
    },
  };
}
