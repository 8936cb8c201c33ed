/**
 * A folder dropped on the Dock or the window, walked with bounds: a home folder dropped by mistake
 * must not make the app read for minutes, so the walk stops after so many entries read (not only so
 * many files kept). Hidden entries are skipped, a symlinked folder is not followed, and a symlinked
 * file is listed only if it leads to a file inside the folder: a downloaded folder's `notes.md ->
 * ~/.aws/credentials` was read, imported and narrated.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { FOLDER_LIMITS } from '../../shared/folder-limits.ts';

export { FOLDER_LIMITS };

/** Files under `dir` (relative '/'-separated paths), depth first in name order, those `keep` accepts. */
export async function filesUnder(dir: string, keep: (name: string) => boolean): Promise<string[]> {
  const root = await realpath(dir).catch(() => null);
  if (!root) return [];
  const found: string[] = [];
  let read = 0;
  const full = () => found.length >= FOLDER_LIMITS.maxFiles || read >= FOLDER_LIMITS.maxEntries;
  const walk = async (relative: string, depth: number): Promise<void> => {
    const entries = await readdir(join(dir, relative), { withFileTypes: true }).catch(() => []);
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (full()) return;
      read++;
      if (entry.name.startsWith('.')) continue;
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory() && depth < FOLDER_LIMITS.maxDepth) await walk(path, depth + 1);
      else if (!keep(entry.name)) continue;
      else if (entry.isFile() || (entry.isSymbolicLink() && (await leadsInside(root, join(dir, path)))))
        found.push(path);
    }
  };
  await walk('', 0);
  return found;
}

/** Whether a symlink ends at a regular file inside `root` (a real path). */
export async function leadsInside(root: string, link: string): Promise<boolean> {
  const target = await realpath(link).catch(() => null);
  if (!target?.startsWith(root + sep)) return false;
  return Boolean((await stat(target).catch(() => null))?.isFile());
}
