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
