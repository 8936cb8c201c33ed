/**
 * Where a script's media (images, clips, music) may come from. A script is
 * often someone else's file, and its media are copied into the blob store and sent to other Macs of
 * the farm, so a path in a script must not reach beyond the script's own folder: relative paths
 * resolve against that folder, and the file's real path (symlinks and `..` resolved) must lie inside
 * it, or inside a media root named in the `media.roots` setting (the only place absolute paths may
 * point). Every refusal reads `<kind> not found: <path as written>`, whether the file is missing,
 * outside, or reached through a symlink that escapes: the message must not tell what exists on the Mac.
 */
import { constants, realpathSync, type Stats, statSync } from 'node:fs';
import { type FileHandle, lstat, open, readlink } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join, resolve, sep } from 'node:path';
import { canonicalMediaPath, MEDIA_LIMITS } from '../../shared/contract.ts';
import { formatSize } from '../util/disk-room.ts';
import { shorten } from './diagnostics.ts';
import { CLIP_EXTENSIONS, IMAGE_EXTENSIONS, MUSIC_EXTENSIONS } from './limits.ts';

/** A kind of media a script can name: its word in messages and the file types it accepts. */
export interface MediaKind {
  name: string;
  extensions: readonly string[];
}

export const IMAGE_MEDIA: MediaKind = { name: 'image', extensions: IMAGE_EXTENSIONS };
export const CLIP_MEDIA: MediaKind = { name: 'clip', extensions: CLIP_EXTENSIONS };
export const MUSIC_MEDIA: MediaKind = { name: 'music', extensions: MUSIC_EXTENSIONS };

export interface MediaPlaces {
  /** The script's own folder; null for a script with none (written by Claude): only roots then. */
  scriptDir: string | null;
  /** Absolute folders from the `media.roots` setting. */
  roots: readonly string[];
  /**
   * Folders no media is ever read from, whatever the roots say (the data folder: database, keys,
   * blobs), unless the script's own folder lies inside one (an uploaded script's folder).
   */
  protectedDirs: readonly string[];
  /**
   * Files that travel with an uploaded script but have not arrived yet, by their path relative to its
   * folder (see relativeMediaPath): such a relative path counts as found, at the place it will have.
   * 'any': every relative path the script names (to list what a sender must send). Absent: only disk.
   */
  incoming?: ReadonlySet<string> | 'any';
}

/** The default for a script file: its own folder and nothing else. */
export function scriptFolderOnly(scriptPath: string): MediaPlaces {
  return { scriptDir: dirname(resolve(scriptPath)), roots: [], protectedDirs: [] };
}

export type MediaResolution = { ok: true; path: string } | { ok: false; message: string };

export function mediaNotFound(kind: MediaKind, written: string): { ok: false; message: string } {
  return { ok: false, message: `${kind.name} not found: ${shorten(written, 200)}` };
}

/** What ffmpeg's image2 reader expands in a file name: %d, %3d, %03d. */
const SEQUENCE_PATTERN = /%0*\d*d/;

/** The real path of the file `written` names, or the one message every refusal shares. */
export function resolveMediaPath(written: string, places: MediaPlaces, kind: MediaKind): MediaResolution {
  if (!kind.extensions.includes(extname(written).toLowerCase())) {
    return {
      ok: false,
      message: `${kind.name} "${shorten(written)}" must be a ${kind.extensions.join(', ')} file`,
    };
  }
  const absolute = isAbsolute(written);
  if (!absolute && places.scriptDir === null) return mediaNotFound(kind, written);
  const relative = absolute ? null : relativeMediaPath(written);
  if (relative && places.incoming && (places.incoming === 'any' || places.incoming.has(relative))) {
    return { ok: true, path: join(places.scriptDir as string, relative) };
  }
  const real = realPath(absolute ? written : resolve(places.scriptDir as string, written));
  const size = real === null ? null : fileSize(real);
  if (real === null || size === null || !allowed(real, places, absolute)) return mediaNotFound(kind, written);
  if (size > MEDIA_LIMITS.maxBytes) return tooLarge(kind, written, size);
  // ffmpeg's picture reader takes "%d" (or "%03d") in a path for a numbered series: on a Mac, where the
  // probe is given the path itself, a picture named p%d.png was read as p1.png, a link to a file outside.
  if (kind === IMAGE_MEDIA && SEQUENCE_PATTERN.test(real))
    return { ok: false, message: `${kind.name} "${shorten(written)}": a picture's path may not hold "%d"` };
  return { ok: true, path: real };
}

/** Every medium is copied whole into the blob store (and sent to the farm): a bound, the upload's. */
function tooLarge(kind: MediaKind, written: string, size: number): { ok: false; message: string } {
  return {
    ok: false,
    message: `${kind.name} "${shorten(written)}" is ${formatSize(size)}; the limit is ${formatSize(MEDIA_LIMITS.maxBytes)}`,
  };
}

function allowed(real: string, places: MediaPlaces, absolute: boolean): boolean {
  const guarded = places.protectedDirs.map(realOrResolved);
  const ownFolder = places.scriptDir === null ? null : realPath(places.scriptDir);
  if (!absolute && ownFolder !== null && within(real, ownFolder)) {
    return !guarded.some((dir) => within(real, dir) && !within(ownFolder, dir));
  }
  if (guarded.some((dir) => within(real, dir))) return false;
  return places.roots.some((root) => {
    const realRoot = isAbsolute(root) ? realPath(root) : null;
    return realRoot !== null && within(real, realRoot);
  });
}

/**
 * A relative media path as one canonical key ("./fotos//x.png" → "fotos/x.png"), the name a file sent
 * with a script is filed under; null for a path that leaves the folder or is not a plain relative path.
 */
export function relativeMediaPath(written: string): string | null {
  return isAbsolute(written) ? null : canonicalMediaPath(written);
}

export type OpenedMedia = { ok: true; handle: FileHandle; path: string } | { ok: false; message: string };

/**
 * Opens a media file for reading at the moment it is read (the plan step copies it long after the
 * check): the path is resolved again and must still be the real path that was checked, the file is
 * opened without following a symlink, and after the open the path must still resolve to that very
 * file (same device and inode), so a file or folder swapped for a symlink in between is never read.
 */
export async function openCheckedMedia(
  media: { written: string; path: string },
  places: MediaPlaces,
  kind: MediaKind,
): Promise<OpenedMedia> {
  const refused = mediaNotFound(kind, media.written);
  const samePath = () => {
    const again = resolveMediaPath(media.written, places, kind);
    return again.ok && again.path === media.path;
  };
  if (!samePath()) return refused;
  let handle: FileHandle;
  try {
    // O_NONBLOCK: a named pipe swapped in must not hang the open (it is refused as not a file below).
    handle = await open(media.path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return refused;
  }
  try {
    const opened = await handle.stat();
    const at = await openedPath(handle.fd);
    const same = at !== null ? at === media.path : await stillAt(media.path, opened);
    if (opened.isFile() && same && samePath()) {
      // It may have grown since the path was checked.
      if (opened.size <= MEDIA_LIMITS.maxBytes) return { ok: true, handle, path: media.path };
      await handle.close();
      return tooLarge(kind, media.written, opened.size);
    }
  } catch {
    // Gone between the open and the check: refused below like any other.
  }
  await handle.close();
  return refused;
}

/**
 * The kernel's name for the file `fd` is open on (Linux, in /proc): where it really is, whatever the
 * path it was opened by went through. A folder on the way swapped for a symlink at the open and back
 * before any later look was read from outside (found by attacking scripts: 2,028 of 510,789 opens in
 * a race). The file renamed since shows its new name, which then fails the check. Null where nothing
 * names it.
 */
export async function openedPath(fd: number): Promise<string | null> {
  try {
    return await readlink(`/proc/self/fd/${fd}`);
  } catch {
    return null;
  }
}

/**
 * A path by which another process (ffprobe) reads the file `fd` is open on: on Linux
 * /proc/<pid>/fd/N, that very file whatever `path` points at by then; without /proc (a Mac) `path`
 * itself, the checked path, as near the open as it can be.
 */
export async function pathForChildOf(fd: number, path: string): Promise<string> {
  return (await openedPath(fd)) !== null ? `/proc/${process.pid}/fd/${fd}` : path;
}

/**
 * Without /proc (a Mac): the file at `path` is the one opened, with no symlink on the way just before
 * and just after it is looked at. A folder swapped in and back within that look still passes; the
 * race is that narrow there.
 */
async function stillAt(path: string, opened: Stats): Promise<boolean> {
  if (realPath(path) !== path) return false;
  const there = await lstat(path);
  return opened.dev === there.dev && opened.ino === there.ino && realPath(path) === path;
}

/** realpath(3) itself: on a Mac it also gives the on-disk case, so both sides of `within` agree. */
function realPath(path: string): string | null {
  try {
    return realpathSync.native(path);
  } catch {
    return null;
  }
}

function realOrResolved(path: string): string {
  return realPath(path) ?? resolve(path);
}

/** The size of the regular file at `path`; null for anything else (or nothing). */
function fileSize(path: string): number | null {
  try {
    const info = statSync(path);
    return info.isFile() ? info.size : null;
  } catch {
    return null;
  }
}

function within(path: string, folder: string): boolean {
  return path === folder || path.startsWith(folder.endsWith(sep) ? folder : `${folder}${sep}`);
}
