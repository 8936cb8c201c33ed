import { copyFile, constants as fsConstants, link, mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { partialPathFor } from '../util/atomic-file.ts';
import { fileIdentity } from '../util/file-identity.ts';
import { sha256File } from '../util/hash.ts';

export interface StoredBlob {
  path: string;
  sha256: string;
  size: number;
}

/**
 * Content-addressed storage for step artifacts under <data>/blobs/ab/<sha256>. The same content is
 * stored once however many jobs produce it, and a blob can be fetched by checksum from another Mac.
 */
export class BlobStore {
  readonly root: string;
  private readonly checks: ChecksumCache;

  constructor(dataDir: string, checks: ChecksumCache = new ChecksumCache()) {
    this.root = join(dataDir, 'blobs');
    this.checks = checks;
  }

  pathFor(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
    return join(this.root, sha256.slice(0, 2), sha256);
  }

  /** Move a finished file into the store (the source is consumed). */
  async put(sourcePath: string): Promise<StoredBlob> {
    const { sha256, size } = await sha256File(sourcePath);
    const path = this.pathFor(sha256);
    if (await this.verify(path, sha256)) {
      await rm(sourcePath, { force: true });
      return { path, sha256, size };
    }
    await mkdir(join(this.root, sha256.slice(0, 2)), { recursive: true });
    await rename(sourcePath, path);
    await this.checks.remember(path, sha256);
    return { path, sha256, size };
  }

  /** True when the file exists and its content has the expected checksum. */
  verify(path: string, sha256: string): Promise<boolean> {
    return this.checks.matches(path, sha256);
  }

  /**
   * Hashes the stored blob now, whatever was remembered about it: bit rot leaves a file's stat as it
   * was, so only reading it again tells. True when it is there with its checksum.
   */
  recheck(sha256: string): Promise<boolean> {
    const path = this.pathFor(sha256);
    this.checks.forget(path);
    return this.checks.matches(path, sha256);
  }

  /**
   * Puts back a blob whose stored copy went bad. `sourcePath` (consumed) must hash to `sha256`; it
   * replaces the stored file in one rename, so a reader sees the old file or the new one. False (and
   * nothing changed) when the source is other content.
   */
  async restore(sourcePath: string, sha256: string): Promise<boolean> {
    const path = this.pathFor(sha256);
    if ((await sha256File(sourcePath)).sha256 !== sha256) {
      await rm(sourcePath, { force: true });
      return false;
    }
    await mkdir(join(this.root, sha256.slice(0, 2)), { recursive: true });
    await rename(sourcePath, path);
    await this.checks.remember(path, sha256);
    return true;
  }

  /**
   * Copies blobs out to user-visible paths, all or none: every copy is made and checked beside its
   * destination before any takes a destination's place, and a place that refuses its copy (a folder
   * there, no right to replace it) gives the others back what they held. One whose file already
   * matches is skipped.
   */
  async deliver(
    items: readonly { blob: { path: string; sha256: string }; destination: string }[],
  ): Promise<void> {
    const staged: { temp: string; destination: string; sha256: string }[] = [];
    try {
      for (const { blob, destination } of items) {
        if (await this.checks.matches(destination, blob.sha256)) continue;
        const temp = partialPathFor(destination);
        staged.push({ temp, destination, sha256: blob.sha256 });
        await copyFile(blob.path, temp, fsConstants.COPYFILE_FICLONE);
        if ((await sha256File(temp)).sha256 !== blob.sha256)
          throw new Error(`copy of ${blob.path} is corrupt`);
      }
    } catch (error) {
      for (const { temp } of staged) await rm(temp, { force: true });
      throw error;
    }
    const placed: { destination: string; kept: string | null }[] = [];
    try {
      for (const { temp, destination, sha256 } of staged) {
        placed.push({ destination, kept: await keepCopyOf(destination) });
        await rename(temp, destination);
        await this.checks.remember(destination, sha256);
      }
    } catch (error) {
      for (const { destination, kept } of placed.reverse()) {
        // Best effort, the first error is the one to tell: each place gets back what it held.
        await (kept ? rename(kept, destination) : rm(destination, { force: true })).catch(() => {});
      }
      for (const { temp } of staged) await rm(temp, { force: true });
      throw error;
    }
    for (const { kept } of placed) if (kept) await rm(kept, { force: true });
  }
}

/**
 * A second name (a clone where links are not to be had, as on exFAT) for the file at `path`, beside
 * it, or null when there is none: what a failed delivery puts back. The file itself stays in its place
 * until its replacement is renamed over it, so a crash never leaves the place empty; the copy, named as
 * a partial file, is cleaned up like one.
 */
async function keepCopyOf(path: string): Promise<string | null> {
  const kept = partialPathFor(path);
  try {
    await link(path, kept);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    // A folder at the place is the rename's to refuse; linking one is never allowed.
    if (code === 'EPERM' && !(await stat(path)).isFile()) return null;
    await copyFile(path, kept, fsConstants.COPYFILE_FICLONE);
  }
  return kept;
}

/**
 * Remembers which checksum a file had at a given (inode, size, mtime), like git's index: a file whose
 * stat is unchanged since it was hashed is not read again, so re-checking a big video costs a stat call.
 * Any write to the file changes its mtime or size and forces a full re-hash.
 */
export class ChecksumCache {
  private readonly known = new Map<string, { key: string; sha256: string }>();

  async matches(path: string, sha256: string): Promise<boolean> {
    const key = await fileIdentity(path);
    if (key === null) return false;
    const cached = this.known.get(path);
    if (cached && cached.key === key) return cached.sha256 === sha256;
    const actual = (await sha256File(path)).sha256;
    this.known.set(path, { key, sha256: actual });
    return actual === sha256;
  }

  async remember(path: string, sha256: string): Promise<void> {
    const key = await fileIdentity(path);
    if (key !== null) this.known.set(path, { key, sha256 });
  }

  forget(path: string): void {
    this.known.delete(path);
  }
}
