/**
 * Caches a successful result (the promise, so callers at once share one load); a failure is not
 * cached, so installing a missing tool later is noticed on the next call.
 */
export function memoizeSuccess<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= load().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
