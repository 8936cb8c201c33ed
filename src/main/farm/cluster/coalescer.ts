/**
 * Runs an action with the latest value at most once per interval, never two at a time. Used to republish
 * the mDNS advert: role, term and free slots may change many times a second, and every republish is a
 * goodbye plus an announcement on the LAN, so intermediate values are dropped and only the latest goes out.
 */
import type { TimerHandle, Timers } from './clock.ts';

export interface Coalescer<T> {
  push(value: T): void;
  /** Resolves once nothing is running or waiting (after `cancel`, once the running action ended). */
  idle(): Promise<void>;
  cancel(): void;
}

export interface CoalescerOptions<T> {
  minIntervalMs: number;
  timers: Timers;
  run(value: T): Promise<void>;
  onError(error: unknown): void;
}

export function createCoalescer<T>(options: CoalescerOptions<T>): Coalescer<T> {
  const { minIntervalMs, timers } = options;
  let lastStart = Number.NEGATIVE_INFINITY;
  let running: Promise<void> | null = null;
  let pending: { value: T } | null = null;
  let timer: TimerHandle | null = null;
  let cancelled = false;
  const idleWaiters: Array<() => void> = [];

  const settleIdle = (): void => {
    if (running || (pending && !cancelled)) return;
    for (const resolve of idleWaiters.splice(0)) resolve();
  };

  const fire = (): void => {
    const next = pending;
    if (!next) return;
    pending = null;
    lastStart = timers.now();
    running = options
      .run(next.value)
      .catch((error: unknown) => options.onError(error))
      .finally(() => {
        running = null;
        schedule();
        settleIdle();
      });
  };

  function schedule(): void {
    if (cancelled || running || timer || !pending) return;
    const wait = lastStart + minIntervalMs - timers.now();
    if (wait <= 0) {
      fire();
      return;
    }
    timer = timers.setTimeout(() => {
      timer = null;
      schedule();
    }, wait);
  }

  return {
    push(value) {
      if (cancelled) return;
      pending = { value };
      schedule();
    },
    idle() {
      return new Promise((resolve) => {
        idleWaiters.push(resolve);
        settleIdle();
      });
    },
    cancel() {
      cancelled = true;
      pending = null;
      if (timer) timers.clearTimeout(timer);
      timer = null;
      settleIdle();
    },
  };
}
