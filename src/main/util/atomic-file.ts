import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Suffix shared by every in-progress file, so crash repair can find and delete leftovers. */
export const PARTIAL_MARKER = '.partial-';

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

export async function writeFileAtomically(finalPath: string, data: string | Uint8Array): Promise<void> {
  await writeAtomically(finalPath, (temp) => writeFile(temp, data));
}
