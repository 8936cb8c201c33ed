import { readFile, stat } from 'node:fs/promises';

/** A farm key, a node key, a webhook secret: a few hundred bytes at most. */
const MAX_SECRET_FILE_BYTES = 64 * 1024;

/** A secret file is unusable: missing, or readable by others (the message says how to fix it). */
export class PrivateFileError extends Error {
  override name = 'PrivateFileError';
}

/**
 * Reads a file that holds a secret. One that others on the machine may read is refused, as the farm key
 * is (farm/net/key.ts reads it here): anyone who can read it could act in its owner's name.
 */
export async function readPrivateFile(path: string, what: string): Promise<string> {
  // A plain file of a secret's size, looked at before it is read: a FIFO was waited on for ever, and
  // /dev/zero read until memory ran out.
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new PrivateFileError(`cannot read ${what} ${path} (${error.code ?? 'unknown'})`);
  });
  if (!info.isFile()) throw new PrivateFileError(`${what} ${path} is not a file`);
  if (info.size > MAX_SECRET_FILE_BYTES)
    throw new PrivateFileError(`${what} ${path} is larger than a secret (${MAX_SECRET_FILE_BYTES} bytes)`);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
    throw new PrivateFileError(`cannot read ${what} ${path} (${code})`);
  }
  if (process.platform !== 'win32') {
    const { mode } = info;
    if ((mode & 0o077) !== 0) {
      throw new PrivateFileError(
        `${what} ${path} can be read by other users (mode ${(mode & 0o777).toString(8)}); ` +
          `make it private with: chmod 600 ${path}`,
      );
    }
  }
  return text;
}
