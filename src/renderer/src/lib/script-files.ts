import { MEDIA_EXTENSIONS } from '../../../shared/contract.ts';
import { FOLDER_LIMITS } from '../../../shared/folder-limits.ts';

/**
 * Which dropped files are scripts and which their media, and how a dropped folder is walked. The walker is written against
 * the small part of the File and Directory Entries API it needs, so tests can hand it plain objects.
 */

export const SCRIPT_EXTENSIONS = ['.md', '.markdown', '.txt'] as const;
/** The node refuses call bodies over 1 MiB; a script anywhere near that is a mistake anyway. */
export const MAX_SCRIPT_BYTES = 512 * 1024;
/** A dropped home folder must not freeze the page: stop walking after this many files. */
export const MAX_WALKED_FILES = FOLDER_LIMITS.maxFiles;

export function isScriptName(name: string): boolean {
  const lower = name.toLowerCase();
  return !lower.startsWith('.') && SCRIPT_EXTENSIONS.some((extension) => lower.endsWith(extension));
}

export interface FileEntryLike {
  isFile: true;
  isDirectory: false;
  name: string;
  file(success: (file: File) => void, failure?: (error: unknown) => void): void;
}

export interface DirectoryEntryLike {
  isFile: false;
  isDirectory: true;
  name: string;
  createReader(): {
    readEntries(success: (entries: EntryLike[]) => void, failure?: (error: unknown) => void): void;
  };
}

export type EntryLike = FileEntryLike | DirectoryEntryLike;

function fileOf(entry: FileEntryLike): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

/**
 * readEntries hands out a directory in batches (100 in Chromium) until it returns an empty one; each
 * batch is a round trip to the browser, so no more are asked for once the walk's entries are spent
 * (a folder of 100,000 files was read whole before its first 500 were kept).
 */
async function childrenOf(entry: DirectoryEntryLike, budget: { entries: number }): Promise<EntryLike[]> {
  const reader = entry.createReader();
  const children: EntryLike[] = [];
  while (budget.entries > 0) {
    const batch = await new Promise<EntryLike[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) break;
    budget.entries -= batch.length;
    children.push(...batch);
  }
  return children;
}

/** A dropped file and where it lay in the drop: "talk/fotos/x.png" ('/'-separated, from the drop's top). */
export interface PlacedFile {
  file: File;
  path: string;
}

export interface CollectedFiles {
  scripts: PlacedFile[];
  /** Pictures, clips and music: they travel with the scripts that name them. */
  media: PlacedFile[];
  /** Names of files that are neither (reported, not sent). */
  ignored: string[];
}

/** Every media file type, e.g. ".png", ".mp4", ".mp3". */
export const MEDIA_NAMES = Object.values(MEDIA_EXTENSIONS).flat() as string[];

export function isMediaName(name: string): boolean {
  const lower = name.toLowerCase();
  return !lower.startsWith('.') && MEDIA_NAMES.some((extension) => lower.endsWith(extension));
}

function sort(collected: CollectedFiles, placed: PlacedFile): void {
  const { name } = placed.file;
  if (isScriptName(name)) collected.scripts.push(placed);
  else if (isMediaName(name)) collected.media.push(placed);
  else collected.ignored.push(name);
}

/** Every file under the entries, depth first, in name order within a folder. */
export async function collectDroppedFiles(entries: readonly EntryLike[]): Promise<CollectedFiles> {
  const collected: CollectedFiles = { scripts: [], media: [], ignored: [] };
  const pending = [...entries].reverse().map((entry) => ({ entry, path: entry.name, depth: 0 }));
  // Bounded as the app's own walk is (FOLDER_LIMITS): 100,000 empty folders, or a chain 5,000 deep,
  // were walked to the end.
  const budget = { entries: FOLDER_LIMITS.maxEntries };
  let walked = 0;
  while (pending.length > 0 && walked < MAX_WALKED_FILES) {
    const { entry, path, depth } = pending.pop() as { entry: EntryLike; path: string; depth: number };
    if (entry.name.startsWith('.')) continue;
    if (entry.isDirectory) {
      if (depth >= FOLDER_LIMITS.maxDepth) continue;
      const children = await childrenOf(entry, budget);
      children.sort((a, b) => a.name.localeCompare(b.name));
      pending.push(
        ...children
          .reverse()
          .map((child) => ({ entry: child, path: `${path}/${child.name}`, depth: depth + 1 })),
      );
    } else {
      walked++;
      if (isScriptName(entry.name) || isMediaName(entry.name))
        sort(collected, { file: await fileOf(entry), path });
      else collected.ignored.push(entry.name);
    }
  }
  return collected;
}

/**
 * Splits a flat list of files (a picker, or a drop without entries) the same way: a folder picker
 * gives each file its path in the folder, dropped loose files lie side by side.
 */
export function splitDroppedFiles(files: readonly File[]): CollectedFiles {
  const collected: CollectedFiles = { scripts: [], media: [], ignored: [] };
  for (const file of files) sort(collected, { file, path: file.webkitRelativePath || file.name });
  return collected;
}

/**
 * The media that lie in a script's folder or under it, by their path relative to that folder (the
 * path a script names them by, e.g. "fotos/x.png").
 */
export function mediaBesides(scriptPath: string, media: readonly PlacedFile[]): Record<string, File> {
  const slash = scriptPath.lastIndexOf('/');
  const folder = slash < 0 ? '' : `${scriptPath.slice(0, slash)}/`;
  const found: Record<string, File> = {};
  for (const { file, path } of media) if (path.startsWith(folder)) found[path.slice(folder.length)] = file;
  return found;
}
