/**
 * A worker's size-capped cache of blobs fetched from other nodes, addressed by sha256
 * (<dir>/ab/<sha256>). A blob is fetched once even when many tasks want it at the same time,
 * verified before it becomes visible, and kept until space is needed; the least recently used
 * blobs go first, and a blob in use (acquired, not yet released) is never evicted.
 *
 * A cached blob is hashed again before its first use after the process starts, then trusted while
 * its inode, size and mtime stay as they were when it was hashed; a blob that no longer matches its
 * name is evicted and fetched again. The trust is kept in memory only, on purpose: what a restart
 * must not do is believe a file it has not read since, whatever a sidecar would say about it.
 */
import { mkdir, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { createLogger } from '../../log/logger.ts';
import { isPartialPath, partialPathFor } from '../../util/atomic-file.ts';
import { fileIdentity } from '../../util/file-identity.ts';
import { sha256File } from '../../util/hash.ts';
import { memoizeSuccess } from '../../util/memoize-success.ts';
import { isSha256 } from './patterns.ts';

const log = createLogger('BlobCache');

export interface BlobCacheOptions {
  dir: string;
  maxBytes: number;
  /** Milliseconds since the epoch; stamps last use on the files so LRU order survives a restart. */
  clock?: () => number;
  /** How a file is hashed (every verification goes through it); sha256File by default. */
  hash?: (path: string) => Promise<{ sha256: string; size: number }>;
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
  /** The blob pinned if it is cached (and verifies); null if not. */
  acquire(sha256: string): Promise<BlobLease | null>;
  /**
   * Hashes a cached blob now, whatever its stat says (e.g. an encode that read it failed). One that no
   * longer matches is evicted. True when it is cached and good.
   */
  recheck(sha256: string): Promise<boolean>;
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
  /** The file's identity (inode:size:mtime) when this process last hashed it; null: never yet. */
  verifiedAs: string | null;
  /** A hash under way, shared by everyone who wants to know. */
  checking: Promise<Check> | null;
  /** The last-use stamp being written: it changes the mtime, and must not pass for another writer. */
  stamping: Promise<void>;
}

type Check = 'good' | 'corrupt' | 'missing';

interface Fetch {
  done: Promise<void>;
  /** Callers waiting on this fetch; each gets a pin when it lands. */
  waiters: number;
}

export function createBlobCache(options: BlobCacheOptions): BlobCache {
  const clock = options.clock ?? Date.now;
  const hash = options.hash ?? sha256File;
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

  const newEntry = (size: number, verifiedAs: string | null, pins: number): Entry => ({
    size,
    lastUse: ++useCounter,
    pins,
    verifiedAs,
    checking: null,
    stamping: Promise.resolve(),
  });

  const touch = (entry: Entry): void => {
    entry.lastUse = ++useCounter;
  };

  /**
   * Writes the use on the file, so LRU order survives a restart. Awaited by whoever takes the blob,
   * so no stamp is in flight once they have it. A file still as it was hashed stays trusted under the
   * identity the stamp gives it (a write landing between that stat and the stamp would go unseen: a
   * window of one system call, and an encode that fails hashes its inputs again anyway).
   */
  const stamp = (sha256: string, entry: Entry): Promise<void> => {
    const seconds = clock() / 1000;
    const path = pathOf(sha256);
    entry.stamping = entry.stamping
      .then(async () => {
        if (entries.get(sha256) !== entry) return; // evicted: the path may hold a newer fetch by now
        const before = await fileIdentity(path);
        await utimes(path, seconds, seconds);
        if (before !== null && before === entry.verifiedAs) entry.verifiedAs = await fileIdentity(path);
      })
      .catch(() => undefined);
    return entry.stamping;
  };

  /** Out of the index at once; the file goes too (a fetch of the same blob waits for that). */
  const drop = (sha256: string, entry: Entry): void => {
    if (entries.get(sha256) !== entry) return;
    entries.delete(sha256);
    const removal: Promise<void> = rm(pathOf(sha256), { force: true })
      .catch(() => undefined)
      .finally(() => {
        if (deletions.get(sha256) === removal) deletions.delete(sha256);
      });
    deletions.set(sha256, removal);
  };

  /** Hashes the blob; it is then trusted at the identity it had before it was read. */
  const verify = (sha256: string, entry: Entry): Promise<Check> => {
    entry.checking ??= (async (): Promise<Check> => {
      const path = pathOf(sha256);
      const identity = await fileIdentity(path);
      if (identity === null) return 'missing';
      const actual = await hash(path).catch(() => null);
      if (actual === null) return 'missing';
      if (actual.sha256 !== sha256 || actual.size !== entry.size) {
        log.warn('a cached blob no longer matches its checksum; it is evicted', {
          sha256,
          actual: actual.sha256,
          size: actual.size,
        });
        return 'corrupt';
      }
      entry.verifiedAs = identity;
      return 'good';
    })().finally(() => {
      entry.checking = null;
    });
    return entry.checking;
  };

  /** Trusted without reading while the file is as it was when last hashed; hashed otherwise. */
  const check = async (sha256: string, entry: Entry): Promise<Check> => {
    await entry.stamping;
    const identity = await fileIdentity(pathOf(sha256));
    if (identity === null) return 'missing';
    if (identity === entry.verifiedAs) return 'good';
    return verify(sha256, entry);
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
        touch(entry);
        evictIfNeeded();
      },
    };
  };

  /** Drops unpinned blobs, least recently used first, until what is kept and reserved fits the cap. */
  const evictIfNeeded = (): void => {
    let used = usedNow() + reservedBytes;
    if (used <= options.maxBytes) return;
    const victims = [...entries]
      .filter(([, e]) => e.pins === 0)
      .sort(([, a], [, b]) => a.lastUse - b.lastUse);
    for (const [sha256, entry] of victims) {
      if (used <= options.maxBytes) break;
      drop(sha256, entry);
      used -= entry.size;
      log.debug('evicted blob', { sha256, size: entry.size });
    }
    if (used > options.maxBytes) {
      log.warn('blob cache over its cap: every blob is in use', { usedBytes: used, cap: options.maxBytes });
    }
  };

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
    // Not verified yet: each is hashed on its first use by this process.
    for (const blob of found) entries.set(blob.sha256, newEntry(blob.size, null, 0));
    evictIfNeeded();
  };
  const ready = memoizeSuccess(load);

  /** Fetches and verifies the blob; returns the identity it was verified at. */
  async function fetchInto(
    sha256: string,
    size: number,
    fetcher: (destPath: string) => Promise<unknown>,
  ): Promise<string | null> {
    reservedBytes += size;
    const finalPath = pathOf(sha256);
    const temp = partialPathFor(finalPath);
    try {
      evictIfNeeded();
      await deletions.get(sha256);
      await mkdir(join(options.dir, sha256.slice(0, 2)), { recursive: true });
      await fetcher(temp);
      const actual = await hash(temp);
      if (actual.sha256 !== sha256 || actual.size !== size) {
        throw new BlobVerificationError(`fetched blob ${sha256} does not match its checksum or size`);
      }
      await rename(temp, finalPath);
      const seconds = clock() / 1000;
      await utimes(finalPath, seconds, seconds);
      return await fileIdentity(finalPath);
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
    const state = await check(sha256, entry);
    if (state === 'good' && entries.get(sha256) === entry) {
      touch(entry);
      await stamp(sha256, entry);
      return lease(sha256, entry);
    }
    entry.pins -= 1;
    // Bad content is dropped even while others hold it: they read garbage too, and fetch it again.
    if (state === 'corrupt') {
      drop(sha256, entry);
      await deletions.get(sha256);
    }
    // Someone deleted the file behind the cache's back: forget it so ensure() fetches it again.
    else if (entries.get(sha256) === entry && entry.pins === 0) entries.delete(sha256);
    return null;
  }

  return {
    pathOf,
    async has(sha256) {
      pathOf(sha256);
      await ready();
      return entries.has(sha256);
    },
    acquire,
    async recheck(sha256) {
      pathOf(sha256);
      await ready();
      const entry = entries.get(sha256);
      if (!entry) return false;
      await entry.stamping;
      const state = await verify(sha256, entry);
      if (state === 'corrupt') {
        drop(sha256, entry);
        await deletions.get(sha256);
      }
      return state === 'good';
    },
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
        (verifiedAs) => {
          fetches.delete(sha256);
          const entry = newEntry(size, verifiedAs, 1 + fetch.waiters);
          entries.set(sha256, entry);
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
