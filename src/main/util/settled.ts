/**
 * A promise that never rejects: its outcome as a value. For work started early and awaited later
 * (after other work): a plain promise rejecting before anyone awaits it would be an unhandled rejection,
 * which ends the process.
 */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

export function settled<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );
}
