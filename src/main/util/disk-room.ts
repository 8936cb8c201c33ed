/**
 * Room on the disk: a size as people read it, the free space under a folder, and the refusal when too
 * little is left. Uploads check it as they land (http/room-guard.ts), and each step before it starts.
 */
import { type StatsFs, statfsSync } from 'node:fs';
import { statfs } from 'node:fs/promises';

/** "512 bytes", "12.3 KB", "450.0 MB", "12.0 GB". */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  if (bytes < 100 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 10 * 1024 ** 3) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
}

export class DiskFullError extends Error {
  override name = 'DiskFullError';

  /** `where`: the folder whose disk it is, when that is not the data folder's. */
  constructor(freeBytes: number, keepFreeBytes: number, where?: string) {
    super(
      `the disk ${where ? `holding ${where} ` : ''}is nearly full (${formatSize(freeBytes)} free; ${formatSize(keepFreeBytes)} is kept free, set with vfo gc --keep-free)`,
    );
  }
}

/** Bytes a non-root writer may still use on the file system holding `dir`. */
export async function freeBytesAt(dir: string): Promise<number> {
  return usableBytes(await statfs(dir));
}

/** freeBytesAt at once (where nothing waits, as the database opens); null when it cannot be read. */
export function freeBytesAtSync(dir: string): number | null {
  try {
    return usableBytes(statfsSync(dir));
  } catch {
    return null;
  }
}

function usableBytes(fs: StatsFs): number {
  return fs.bavail * fs.bsize;
}

/** Fails with DiskFullError when less than `keepFreeBytes` is free under `dir` (named as `where`). */
export async function checkRoom(dir: string, keepFreeBytes: number, where?: string): Promise<void> {
  const free = await freeBytesAt(dir);
  if (free < keepFreeBytes) throw new DiskFullError(free, keepFreeBytes, where);
}

/** Whether a failure is the disk (or the user's quota) being full, however it was reported. */
export function isDiskFull(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof DiskFullError) return true;
    const code = (e as { code?: unknown }).code;
    if (code === 'ENOSPC' || code === 'EDQUOT') return true;
    if (e instanceof Error && /No space left on device|Disk quota exceeded/.test(e.message)) return true;
  }
  return false;
}
