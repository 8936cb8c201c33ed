/**
 * Which dropped files are scripts, and how a dropped folder is walked. The walker is written against
 * the small part of the File and Directory Entries API it needs, so tests can hand it plain objects.
 */

export const SCRIPT_EXTENSIONS = ['.md', '.markdown', '.txt'] as const;
/** The node refuses call bodies over 1 MiB; a script anywhere near that is a mistake anyway. */
export const MAX_SCRIPT_BYTES = 512 * 1024;
/** A dropped home folder must not freeze the page: stop walking after this many files. */
export const MAX_WALKED_FILES = 500;

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

/** readEntries hands out a directory in batches (100 in Chromium) until it returns an empty one. */
async function childrenOf(entry: DirectoryEntryLike): Promise<EntryLike[]> {
  const reader = entry.createReader();
  const children: EntryLike[] = [];
  for (;;) {
    const batch = await new Promise<EntryLike[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return children;
    children.push(...batch);
  }
}

export interface CollectedFiles {
  scripts: File[];
  /** Names of files that were not scripts (reported, not sent). */
  ignored: string[];
}

/** Every script file under the entries, depth first, in name order within a folder. */
export async function collectScriptFiles(entries: readonly EntryLike[]): Promise<CollectedFiles> {
  const collected: CollectedFiles = { scripts: [], ignored: [] };
  const pending = [...entries].reverse();
  let walked = 0;
  while (pending.length > 0 && walked < MAX_WALKED_FILES) {
    const entry = pending.pop() as EntryLike;
    if (entry.name.startsWith('.')) continue;
    if (entry.isDirectory) {
      const children = await childrenOf(entry);
      children.sort((a, b) => a.name.localeCompare(b.name));
      pending.push(...children.reverse());
    } else {
      walked++;
      if (isScriptName(entry.name)) collected.scripts.push(await fileOf(entry));
      else collected.ignored.push(entry.name);
    }
  }
  return collected;
}

/** Splits a flat list of files (a picker, or a drop without entries) the same way. */
export function splitScriptFiles(files: readonly File[]): CollectedFiles {
  return {
    scripts: files.filter((file) => isScriptName(file.name)),
    ignored: files.filter((file) => !isScriptName(file.name)).map((file) => file.name),
  };
}
