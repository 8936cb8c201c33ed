import { realpathSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';

/** Where a video's thumbnail is delivered: beside it, named like it, as a JPEG. */
export function thumbnailPathFor(videoPath: string): string {
  return join(dirname(videoPath), `${basename(videoPath, extname(videoPath))}.jpg`);
}

/** A path as the disk tells paths apart: a Mac's disk ignores case (INTRO.JPG is intro.jpg there). */
export function diskPathKey(path: string): string {
  return process.platform === 'darwin' ? path.toLowerCase() : path;
}

/**
 * The directory entry a path names, as the disk sees it: its folder's real path (symlinks on the way
 * resolved, a folder still to be made under its nearest existing parent) and its own name. Writing a
 * file there replaces that entry: `--out` through a symlink to the script's folder wrote the thumbnail
 * over the script's own picture, though the two paths read differently.
 */
export function entryKey(path: string): string {
  const absolute = resolve(path);
  let existing = dirname(absolute);
  for (;;) {
    try {
      const real = realpathSync.native(existing);
      return diskPathKey(join(real, relative(existing, dirname(absolute)), basename(absolute)));
    } catch {
      const parent = dirname(existing);
      if (parent === existing) return diskPathKey(absolute);
      existing = parent;
    }
  }
}

/** The file a path reads, as the disk sees it: its real path when it exists, else its entry. */
export function fileKey(path: string): string {
  try {
    return diskPathKey(realpathSync.native(path));
  } catch {
    return entryKey(path);
  }
}
