import { chmodSync, mkdirSync, statSync } from 'node:fs';

/**
 * Creates `dir` (and its missing parents) readable by its owner only, and closes an existing one to
 * others: a data folder holds the node's private key, the farm key and every job's files.
 */
export function ensurePrivateDir(dir: string): void {
  // A file at its place failed with mkdir's raw EEXIST.
  const existing = statSync(dir, { throwIfNoEntry: false });
  if (existing && !existing.isDirectory()) throw new Error(`the data folder ${dir} is a file, not a folder`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (process.platform === 'win32') return;
  const { mode } = statSync(dir);
  if ((mode & 0o077) !== 0) chmodSync(dir, mode & 0o700);
}
