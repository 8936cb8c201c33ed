import pLimit from 'p-limit';

/**
 * Runs `worker` over items with at most `concurrency` at a time. The first failure (or an abort)
 * stops new work from starting; work already running is awaited, so no engine process is left behind
 * writing into a folder the caller is about to clean up.
 */
export async function runWithConcurrency<T>(
  items: readonly T[],
  concurrency: number,
  worker: (item: T) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  }
  const limit = pLimit(concurrency);
  let failure: { error: unknown } | undefined;
  await Promise.all(
    items.map((item) =>
      limit(async () => {
        if (failure) return;
        if (signal?.aborted) {
          failure = { error: signal.reason };
          return;
        }
        await worker(item).catch((error: unknown) => {
          failure ??= { error };
        });
      }),
    ),
  );
  signal?.throwIfAborted();
  if (failure) throw failure.error;
}
