/**
 * A worker's size-capped cache of blobs fetched from other nodes, addressed by sha256
 * (<dir>/ab/<sha256>). A blob is fetched once even when many tasks want it at the same time,
 * verified before it becomes visible, and kept until space is needed; the least recently used
 * blobs go first, and a blob in use (acquired, not yet released) is never evicted.
 */
import { mkdir, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { createLogger } from '../../log/logger.ts';
import { isPartialPath, partialPathFor } from '../../util/atomic-file.ts';
import { sha256File } from '../../util/hash.ts';
import { isSha256 } from './patterns.ts';

const log = createLogger('BlobCache');

export interface BlobCacheOptions {
  dir: string;
  maxBytes: number;
  /** Milliseconds since the epoch; stamps last use on the files so LRU order survives a restart. */
  clock?: () => number;
}

/** A blob pinned in the cache until release() (idempotent). */
export interface BlobLease {
  sha256: string;
  path: string;
  release(): void;
}

export interface BlobCache {
  has(sha256: string): Promise<boolean>;
  /** Where the blob lives (whether or not it is there yet). Throws for anything but a sha256. */
  pathOf(sha256: string): string;
  /**
   * The blob, fetched if missing: `fetcher` writes it to the path it is given (a temp name); it is
   * then checked against sha256 and size before being kept. Returns it pinned: release it when done.
   */
  ensure(sha256: string, size: number, fetcher: (destPath: string) => Promise<unknown>): Promise<BlobLease>;
  /** The blob pinned if it is cached; null if not. */
  acquire(sha256: string): Promise<BlobLease | null>;
  usedBytes(): Promise<number>;
}

export class BlobVerificationError extends Error {
  override name = 'BlobVerificationError';
}

interface Entry {
  size: number;
  /** Higher = used more recently. */
  lastUse: number;
  pins: number;
}

interface Fetch {
  done: Promise<void>;
  /** Callers waiting on this fetch; each gets a pin when it lands. */
  waiters: number;
}

export function createBlobCache(options: BlobCacheOptions): BlobCache {
  const clock = options.clock ?? Date.now;
  const entries = new Map<string, Entry>();
  const fetches = new Map<string, Fetch>();
  const deletions = new Map<string, Promise<void>>();
  let reservedBytes = 0;
  let useCounter = 0;

  const pathOf = (sha256: string): string => {
    if (!isSha256(sha256)) throw new Error('not a sha256');
    return join(options.dir, sha256.slice(0, 2), sha256);
  };
  const usedNow = (): number => [...entries.values()].reduce((sum, e) => sum + e.size, 0);

  const touch = (sha256: string, entry: Entry): void => {
    entry.lastUse = ++useCounter;
    const seconds = clock() / 1000;
    utimes(pathOf(sha256), seconds, seconds).catch(() => undefined);
  };

  const lease = (sha256: string, entry: Entry): BlobLease => {
    let released = false;
    return {
      sha256,
      path: pathOf(sha256),
      release() {
        if (released) return;
        released = true;
        entry.pins -= 1;
        touch(sha256, entry);
        evictIfNeeded();
      },
    };
  };

  /** Drops unpinned blobs, least recently used first, until `extra` more bytes fit. */
  const makeRoom = (extra: number): void => {
    let used = usedNow() + reservedBytes;
    if (used + extra <= options.maxBytes) return;
    const victims = [...entries]
      .filter(([, e]) => e.pins === 0)
      .sort(([, a], [, b]) => a.lastUse - b.lastUse);
    for (const [sha256, entry] of victims) {
      if (used + extra <= options.maxBytes) break;
      // Out of the index synchronously; a re-fetch of the same blob waits for the file to go.
      entries.delete(sha256);
      used -= entry.size;
      const removal = rm(pathOf(sha256), { force: true }).finally(() => deletions.delete(sha256));
      deletions.set(sha256, removal);
      log.debug('evicted blob', { sha256, size: entry.size });
    }
    if (used + extra > options.maxBytes) {
      log.warn('blob cache over its cap: every blob is in use', {
        usedBytes: used + extra,
        cap: options.maxBytes,
      });
    }
  };
  const evictIfNeeded = (): void => makeRoom(0);

  /** Indexes what an earlier run left in `dir`; runs on first use (again if it failed). */
  const load = async (): Promise<void> => {
    await mkdir(options.dir, { recursive: true });
    const found: Array<{ sha256: string; size: number; mtimeMs: number }> = [];
    for (const shard of await readdir(options.dir)) {
      if (!/^[0-9a-f]{2}$/.test(shard)) continue;
      for (const name of await readdir(join(options.dir, shard))) {
        const path = join(options.dir, shard, name);
        // Leftovers of a fetch interrupted by a crash.
        if (isPartialPath(name)) await rm(path, { force: true });
        else if (isSha256(name) && name.startsWith(shard)) {
          const info = await stat(path);
          if (info.isFile()) found.push({ sha256: name, size: info.size, mtimeMs: info.mtimeMs });
        }
      }
    }
    found.sort((a, b) => a.mtimeMs - b.mtimeMs);
    for (const blob of found) entries.set(blob.sha256, { size: blob.size, lastUse: ++useCounter, pins: 0 });
    evictIfNeeded();
  };
  let loading: Promise<void> | null = null;
  const ready = (): Promise<void> => {
    loading ??= load().catch((error: unknown) => {
      loading = null;
      throw error;
    });
    return loading;
  };

  async function fetchInto(sha256: string, size: number, fetcher: (destPath: string) => Promise<unknown>) {
    reservedBytes += size;
    const finalPath = pathOf(sha256);
    const temp = partialPathFor(finalPath);
    try {
      makeRoom(0);
      await deletions.get(sha256);
      await mkdir(join(options.dir, sha256.slice(0, 2)), { recursive: true });
      await fetcher(temp);
      const actual = await sha256File(temp);
      if (actual.sha256 !== sha256 || actual.size !== size) {
        throw new BlobVerificationError(`fetched blob ${sha256} does not match its checksum or size`);
      }
      await rename(temp, finalPath);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    } finally {
      reservedBytes -= size;
    }
  }

  async function acquire(sha256: string): Promise<BlobLease | null> {
    pathOf(sha256);
    await ready();
    const entry = entries.get(sha256);
    if (!entry) return null;
    entry.pins += 1;
    // Someone deleted the file behind the cache's back: forget it so ensure() fetches it again.
    if (!(await stat(pathOf(sha256)).catch(() => null))) {
      entry.pins -= 1;
      if (entries.get(sha256) === entry && entry.pins === 0) entries.delete(sha256);
      return null;
    }
    touch(sha256, entry);
    return lease(sha256, entry);
  }

  return {
    pathOf,
    async has(sha256) {
      pathOf(sha256);
      await ready();
      return entries.has(sha256);
    },
    acquire,
    async ensure(sha256, size, fetcher) {
      pathOf(sha256);
      if (!Number.isSafeInteger(size) || size < 0) throw new Error('size must be a non-negative integer');
      if (size > options.maxBytes)
        throw new Error(`a ${size}-byte blob cannot fit a ${options.maxBytes}-byte cache`);
      await ready();
      const present = await acquire(sha256);
      if (present) return present;
      const running = fetches.get(sha256);
      if (running) {
        running.waiters += 1;
        await running.done; // pinned for us by the fetch that landed it
        return lease(sha256, entries.get(sha256) as Entry);
      }
      const fetch: Fetch = { done: Promise.resolve(), waiters: 0 };
      // Landing the entry and forgetting the fetch happen in one synchronous step, so no caller can
      // join the fetch after its waiters were counted.
      fetch.done = fetchInto(sha256, size, fetcher).then(
        () => {
          fetches.delete(sha256);
          const entry: Entry = { size, lastUse: ++useCounter, pins: 1 + fetch.waiters };
          entries.set(sha256, entry);
          touch(sha256, entry);
          evictIfNeeded();
        },
        (error: unknown) => {
          fetches.delete(sha256);
          throw error;
        },
      );
      fetches.set(sha256, fetch);
      await fetch.done;
      return lease(sha256, entries.get(sha256) as Entry);
    },
    async usedBytes() {
      await ready();
      return usedNow();
    },
  };
}
