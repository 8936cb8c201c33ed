import { stat } from 'node:fs/promises';

/**
 * inode, size and modification time (ns) of a regular file, as one comparable string; null when there
 * is no such file. Any write through the file system changes it, so a file whose identity is the one
 * it had when it was hashed need not be hashed again (git's index trusts the same facts). Bit rot does
 * not change it: only hashing finds that.
 */
export async function fileIdentity(path: string): Promise<string | null> {
  try {
    const s = await stat(path, { bigint: true });
    return s.isFile() ? `${s.ino}:${s.size}:${s.mtimeNs}` : null;
  } catch {
    return null;
  }
}
