import { readFile, stat } from 'node:fs/promises';

/** A secret file is unusable: missing, or readable by others (the message says how to fix it). */
export class PrivateFileError extends Error {
  override name = 'PrivateFileError';
}

/**
 * Reads a file that holds a secret. One that others on the machine may read is refused, as the farm key
 * is (farm/net/key.ts reads it here): anyone who can read it could act in its owner's name.
 */
export async function readPrivateFile(path: string, what: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
    throw new PrivateFileError(`cannot read ${what} ${path} (${code})`);
  }
  if (process.platform !== 'win32') {
    const { mode } = await stat(path);
    if ((mode & 0o077) !== 0) {
      throw new PrivateFileError(
        `${what} ${path} can be read by other users (mode ${(mode & 0o777).toString(8)}); ` +
          `make it private with: chmod 600 ${path}`,
      );
    }
  }
  return text;
}
