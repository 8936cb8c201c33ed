/**
 * A folder dropped on the Dock or the window, walked with bounds: a home folder dropped by mistake
 * must not make the app read for minutes. Hidden entries are skipped, and a symlinked folder is not
 * followed (a script's media must lie in its folder; media-path.ts checks every file it names anyway).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

export const FOLDER_LIMITS = { maxFiles: 500, maxDepth: 8 } as const;

/** Files under `dir` (relative '/'-separated paths), depth first in name order, those `keep` accepts. */
export async function filesUnder(dir: string, keep: (name: string) => boolean): Promise<string[]> {
  const found: string[] = [];
  const walk = async (relative: string, depth: number): Promise<void> => {
    const entries = await readdir(join(dir, relative), { withFileTypes: true }).catch(() => []);
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (found.length >= FOLDER_LIMITS.maxFiles) return;
      if (entry.name.startsWith('.')) continue;
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory() && depth < FOLDER_LIMITS.maxDepth) await walk(path, depth + 1);
      else if ((entry.isFile() || entry.isSymbolicLink()) && keep(entry.name)) found.push(path);
    }
  };
  await walk('', 0);
  return found;
}
