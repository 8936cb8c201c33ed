/**
 * Files arrive one `open-file` event at a time (ten scripts dropped on the Dock icon are ten events),
 * and some arrive before the app can import anything. This holds them and hands them over together:
 * once the app is ready, and then a short moment after the last of a burst.
 */
export interface PathBatch {
  add(paths: readonly string[]): void;
  /** The app can import now: flush what waited, and from now on deliver bursts after `delayMs`. */
  ready(deliver: (paths: string[]) => void): void;
}

export function createPathBatch(
  delayMs = 150,
  timers: { setTimeout: (cb: () => void, ms: number) => unknown; clearTimeout: (handle: unknown) => void } = {
    setTimeout: (cb, ms) => setTimeout(cb, ms),
    clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  },
): PathBatch {
  const pending: string[] = [];
  let deliver: ((paths: string[]) => void) | null = null;
  let timer: unknown;
  const flush = () => {
    timer = undefined;
    if (!deliver || pending.length === 0) return;
    deliver(pending.splice(0));
  };
  return {
    add(paths) {
      for (const path of paths) if (!pending.includes(path)) pending.push(path);
      if (!deliver) return;
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = timers.setTimeout(flush, delayMs);
    },
    ready(next) {
      deliver = next;
      flush();
    },
  };
}
