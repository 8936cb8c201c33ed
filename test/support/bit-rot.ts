/** Damage to files on disk, as tests of the integrity checks need it. */
import { execFile } from 'node:child_process';
import { open, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { fileIdentity } from '../../src/main/util/file-identity.ts';

const run = promisify(execFile);

/**
 * Bit rot as a disk does it: one byte flipped in place (the middle one by default), with the file's
 * inode, size and mtime (to the nanosecond, through coreutils' touch) as they were, so that nothing
 * but reading the file can tell. Throws if the file's identity changed all the same.
 */
export async function rotByte(path: string, at?: number): Promise<void> {
  const before = await stat(path, { bigint: true });
  const identity = await fileIdentity(path);
  const offset = at ?? Math.floor(Number(before.size) / 2);
  const handle = await open(path, 'r+');
  try {
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, offset);
    byte[0] = (byte[0] as number) ^ 0xff;
    await handle.write(byte, 0, 1, offset);
  } finally {
    await handle.close();
  }
  const seconds = before.mtimeNs / 1_000_000_000n;
  const nanos = String(before.mtimeNs % 1_000_000_000n).padStart(9, '0');
  await run('touch', ['-m', '-d', `@${seconds}.${nanos}`, path]);
  if ((await fileIdentity(path)) !== identity) throw new Error(`rotting ${path} changed its identity`);
}
