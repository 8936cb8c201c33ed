/**
 * The clock and timers every cluster module takes as a parameter, so the election and liveness rules can
 * be tested against simulated time instead of waiting for real seconds.
 */
/** Opaque: a Node Timeout for the system timers, a plain object for the manual ones. */
export type TimerHandle = object;

export interface Timers {
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/**
 * Real timers. `now` is epoch milliseconds from the monotonic clock: a wall-clock jump (NTP, sleep/wake
 * adjustments) must not make every peer look dead at once or a dead one look fresh. Timers are unref'd:
 * a forgotten loop never keeps a process alive on its own.
 */
export const systemTimers: Timers = {
  now: () => performance.timeOrigin + performance.now(),
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    handle.unref();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface ManualTimers extends Timers {
  /** Moves the clock forward, firing every timer that falls due, in order. */
  advance(ms: number): void;
  pending(): number;
}

/** A deterministic clock for tests: nothing happens until `advance` is called. */
export function createManualTimers(start = 0): ManualTimers {
  let now = start;
  let nextId = 0;
  const queue = new Map<number, { at: number; callback: () => void }>();
  return {
    now: () => now,
    setTimeout(callback, ms) {
      const id = nextId++;
      queue.set(id, { at: now + Math.max(0, ms), callback });
      return { id };
    },
    clearTimeout(handle) {
      queue.delete((handle as { id: number }).id);
    },
    advance(ms) {
      const end = now + ms;
      for (;;) {
        let due: [number, { at: number; callback: () => void }] | undefined;
        for (const entry of queue) if (entry[1].at <= end && (!due || entry[1].at < due[1].at)) due = entry;
        if (!due) break;
        queue.delete(due[0]);
        now = due[1].at;
        due[1].callback();
      }
      now = end;
    },
    pending: () => queue.size,
  };
}
