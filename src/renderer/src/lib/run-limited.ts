import pLimit from 'p-limit';

/** Runs `work` on every item with at most `limit` running at once; resolves when all have settled. */
export async function runLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  const slots = pLimit(limit);
  // Each item reports its own failure; one must not stop the others.
  await Promise.allSettled(items.map((item) => slots(() => work(item))));
}
