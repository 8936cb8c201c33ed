import type { Timers } from './clock.ts';

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
