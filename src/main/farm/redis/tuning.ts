/**
 * BullMQ's settings for the farm, and why. BullMQ's defaults (a 30 s lock, a stalled check every 30 s)
 * leave a dead worker's task waiting 30-60 s; the farm promises it runs elsewhere within 6 s:
 * - a worker renews its locks every second, and a lock lasts 4 s, so a dead worker's lock is gone at
 *   most 4 s after it died (3-4 s after its last renewal);
 * - every worker checks for stalled jobs every second (one check a second farm-wide: BullMQ takes a
 *   Redis lock for it), and a job whose lock is gone is moved back to its queue at the next check;
 * - a free worker is blocked on the queue and takes it at once.
 * Worst case 4 + 1 s plus a round trip. A Redis restart shorter than ~3 s loses no lock (renewals
 * resume after the reconnect), so a restart does not make a task run twice.
 */
export const REDIS_TUNING = {
  lockDurationMs: 4000,
  lockRenewMs: 1000,
  stalledIntervalMs: 1000,
  /** Stalls (worker deaths, long Redis outages) a task survives before it fails for good. */
  maxStalledCount: 5,
  /** Failed encodes before the task fails for good (the LAN queue's maxAttempts). */
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  /** Finished jobs: Redis holds only the queue; the state is in each origin's SQLite. */
  keepCompleted: { age: 3600, count: 10_000 },
  keepFailed: { age: 7 * 24 * 3600 },
  /** A node's presence record is refreshed every second and expires after 5 s of silence. */
  presenceEveryMs: 1000,
  presenceTtlMs: 5000,
  /** Origins check their unfinished tasks are still queued (and queue again what Redis lost). */
  reconcileEveryMs: 3000,
  /** How long a call waits for Redis before it is given up (Redis down: reconnecting meanwhile). */
  commandTimeoutMs: 10_000,
} as const;
