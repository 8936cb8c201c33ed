/**
 * Runs `fn` at most once per `intervalMs`, and always once more after the last request, so the last
 * state is never missed. Progress events arrive twice a second per encode; the menu-bar item needs
 * far fewer redraws than that.
 */
export interface Throttled {
  request(): void;
  cancel(): void;
}

export function throttle(
  fn: () => void,
  intervalMs: number,
  timers: {
    setTimeout: (cb: () => void, ms: number) => unknown;
    clearTimeout: (handle: unknown) => void;
    now: () => number;
  } = {
    setTimeout: (cb, ms) => setTimeout(cb, ms),
    clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
    now: () => Date.now(),
  },
): Throttled {
  let last = Number.NEGATIVE_INFINITY;
  let pending: unknown;
  const run = () => {
    pending = undefined;
    last = timers.now();
    fn();
  };
  return {
    request() {
      if (pending !== undefined) return;
      const wait = last + intervalMs - timers.now();
      if (wait <= 0) run();
      else pending = timers.setTimeout(run, wait);
    },
    cancel() {
      if (pending !== undefined) timers.clearTimeout(pending);
      pending = undefined;
    },
  };
}
