import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';

/** Suffix shared by every in-progress file, so crash repair can find and delete leftovers. */
export const PARTIAL_MARKER = '.partial-';

/**
 * Bytes the partial suffix adds to a name at most (marker, a pid of up to 10 digits, 8 hex, and a
 * tool's own extension such as ".mp4"): a name within 255 bytes less this can be written through.
 */
export const PARTIAL_SUFFIX_BYTES = PARTIAL_MARKER.length + 10 + 1 + 8 + 8;

/** A sibling temp path: same folder (so rename is atomic), recognisable as unfinished. */
export function partialPathFor(finalPath: string): string {
  return join(
    dirname(finalPath),
    `${basename(finalPath)}${PARTIAL_MARKER}${process.pid}-${randomBytes(4).toString('hex')}`,
  );
}

export function isPartialPath(path: string): boolean {
  return basename(path).includes(PARTIAL_MARKER);
}

/**
 * Produce a file through a temp path: `produce` writes to the temp path, `verify` may reject it,
 * and only then is it renamed into place. Nothing half-written is ever visible at `finalPath`.
 * (For files that a tool writes itself — ffmpeg, espeak-ng — given a path: write-file-atomic only
 * writes data it is handed. The marked temp name lets crash repair find what a crash left.)
 */
export async function writeAtomically(
  finalPath: string,
  produce: (tempPath: string) => Promise<void>,
  verify?: (tempPath: string) => Promise<void>,
): Promise<void> {
  await mkdir(dirname(finalPath), { recursive: true });
  const temp = partialPathFor(finalPath);
  try {
    await produce(temp);
    if (verify) await verify(temp);
    await rename(temp, finalPath);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Data written whole or not at all (write-file-atomic: temp file, fsync, rename); `mode` for secrets. */
export async function writeFileAtomically(
  finalPath: string,
  data: string | Uint8Array,
  options: { mode?: number } = {},
): Promise<void> {
  await mkdir(dirname(finalPath), { recursive: true });
  await writeFileAtomic(finalPath, typeof data === 'string' ? data : Buffer.from(data), options);
}
